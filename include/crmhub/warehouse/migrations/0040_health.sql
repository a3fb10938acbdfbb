-- Integration health, SLAs and incident response ("page, don't poll"). See docs/health.md.

-- One row per connector per health evaluation (crmhub_health runs every 5 minutes).
CREATE TABLE ops.health_snapshots (
    snapshot_id      bigserial PRIMARY KEY,
    connector        text NOT NULL,
    taken_at         timestamptz NOT NULL DEFAULT now(),
    window_start     timestamptz,
    runs             integer NOT NULL DEFAULT 0,
    score            double precision CHECK (score IS NULL OR score BETWEEN 0 AND 100),  -- NULL = unknown
    status           text NOT NULL CHECK (status IN ('healthy', 'degraded', 'blocked', 'unknown')),
    error_rate_pct   double precision NOT NULL DEFAULT 0,
    avg_latency_s    double precision NOT NULL DEFAULT 0,
    target_latency_s double precision NOT NULL CHECK (target_latency_s > 0),
    sync_lag_min     double precision NOT NULL DEFAULT 0,
    target_lag_min   double precision NOT NULL CHECK (target_lag_min > 0),
    error_penalty    double precision NOT NULL DEFAULT 0,
    latency_penalty  double precision NOT NULL DEFAULT 0,
    lag_penalty      double precision NOT NULL DEFAULT 0,
    detail           jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX health_snapshots_connector_time_idx ON ops.health_snapshots (connector, taken_at DESC);

-- Incidents: one OPEN row per connector + trigger; a repeat detection bumps occurrences/last_seen.
CREATE TABLE ops.incidents (
    incident_id      bigserial PRIMARY KEY,
    connector        text NOT NULL,
    trigger          text NOT NULL,
    severity         text NOT NULL DEFAULT 'warning' CHECK (severity IN ('warning', 'critical')),
    "values"         jsonb NOT NULL DEFAULT '{}'::jsonb,
    owner            text NOT NULL,
    runbook_url      text NOT NULL,
    proof_hint       text,
    opened_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    occurrences      integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
    recovered_at     timestamptz,          -- the trigger stopped firing; still open until resolved with proof
    acknowledged_at  timestamptz,
    acknowledged_by  text,
    resolved_at      timestamptz,
    resolved_by      text,
    proof            text,                 -- URL or path of the proof artifact (lag chart, PR, recon report)
    notified_at      timestamptz,
    CONSTRAINT incidents_resolve_needs_proof CHECK (
        resolved_at IS NULL OR (proof IS NOT NULL AND length(btrim(proof)) > 0 AND resolved_by IS NOT NULL))
);
CREATE UNIQUE INDEX incidents_one_open_idx ON ops.incidents (connector, trigger) WHERE resolved_at IS NULL;
CREATE INDEX incidents_owner_idx ON ops.incidents (owner, opened_at);

-- Retry queue for failed records / re-syncs: exponential backoff with jitter, dead letter after max_attempts.
CREATE TABLE ops.retry_queue (
    item_id          bigserial PRIMARY KEY,
    connector        text NOT NULL,
    payload          jsonb NOT NULL,
    reason           text,
    dedupe_key       text,                 -- at most one live item per connector + key
    incident_id      bigint REFERENCES ops.incidents (incident_id),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done', 'dead')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    claimed_at       timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    done_at          timestamptz,
    dead_at          timestamptz
);
CREATE INDEX retry_queue_due_idx ON ops.retry_queue (next_attempt_at) WHERE status IN ('pending', 'claimed');
CREATE UNIQUE INDEX retry_queue_live_key_idx ON ops.retry_queue (connector, dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'claimed');

-- Connector freeze state. The ingestion capability may create this table first (0010_ingest.sql); both
-- definitions are kept compatible: IF NOT EXISTS here, and every column health writes is added if missing.
CREATE TABLE IF NOT EXISTS ops.connector_state (
    connector   text PRIMARY KEY,
    frozen      boolean NOT NULL DEFAULT false,
    reason      text,
    frozen_at   timestamptz,
    frozen_by   text,
    released_at timestamptz,
    released_by text
);
ALTER TABLE ops.connector_state ADD COLUMN IF NOT EXISTS frozen boolean NOT NULL DEFAULT false;
ALTER TABLE ops.connector_state ADD COLUMN IF NOT EXISTS reason text;
ALTER TABLE ops.connector_state ADD COLUMN IF NOT EXISTS frozen_at timestamptz;
ALTER TABLE ops.connector_state ADD COLUMN IF NOT EXISTS frozen_by text;
ALTER TABLE ops.connector_state ADD COLUMN IF NOT EXISTS released_at timestamptz;
ALTER TABLE ops.connector_state ADD COLUMN IF NOT EXISTS released_by text;

-- SLA met rate per field per ISO week (target >= 95 %).
CREATE TABLE ops.sla_results (
    week_start      date NOT NULL,
    sla             text NOT NULL,
    connector       text NOT NULL,
    field           text NOT NULL,
    freshness_min   double precision NOT NULL,
    runs            integer NOT NULL,
    runs_met        integer NOT NULL,
    met_rate_pct    double precision NOT NULL,
    target_pct      double precision NOT NULL DEFAULT 95,
    met             boolean NOT NULL,
    owner           text NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (week_start, sla, connector, field)
);

-- Weekly segment latency audit: entity type x country x source system, per field.
CREATE TABLE ops.segment_latency (
    week_start          date NOT NULL,
    entity_type         text NOT NULL,
    country             text NOT NULL,
    source_system       text NOT NULL,
    field               text NOT NULL,
    changes             integer NOT NULL,
    median_lag_min      double precision NOT NULL,
    sla                 text,
    sla_min             double precision,
    sla_met_pct         double precision,
    prev_median_lag_min double precision,
    freshness_delta_pct double precision,   -- |median - previous week's median| / previous median * 100
    action              text NOT NULL,
    computed_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (week_start, entity_type, country, source_system, field)
);
