-- Shared operational facts that several capabilities write and read.

-- One row per sync run of a connector (ingest, CDC, backfill, reverse ETL, webhook-triggered sync).
-- The health score is computed from these: error rate, API latency, sync lag.
CREATE TABLE ops.sync_runs (
    run_id          bigserial PRIMARY KEY,
    connector       text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('ingest', 'cdc', 'backfill', 'reverse_etl', 'webhook')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'partial', 'failed')),
    records_total   integer NOT NULL DEFAULT 0 CHECK (records_total >= 0),
    records_failed  integer NOT NULL DEFAULT 0 CHECK (records_failed >= 0),
    api_calls       integer NOT NULL DEFAULT 0 CHECK (api_calls >= 0),
    api_errors      integer NOT NULL DEFAULT 0 CHECK (api_errors >= 0),
    latency_s_total double precision NOT NULL DEFAULT 0 CHECK (latency_s_total >= 0),  -- sum over API calls / batches
    lag_min_p50     double precision,  -- source change time -> core commit time, minutes
    lag_min_p95     double precision,
    lag_min_max     double precision,
    detail          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX sync_runs_connector_time_idx ON ops.sync_runs (connector, started_at DESC);

-- Every change applied to a core row, field by field (before/after). Outreach triggers and audits read it.
CREATE TABLE core.change_log (
    change_id     bigserial PRIMARY KEY,
    core_table    text NOT NULL,
    crmhub_id     uuid NOT NULL,
    field         text NOT NULL,
    old_value     text,
    new_value     text,
    source_system text NOT NULL,
    connector     text,
    load_id       text,           -- the batch that made the change (bulk-import detection groups by it)
    source_ts     timestamptz,    -- the source's own timestamp for the change
    changed_at    timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL DEFAULT 'crmhub'
);
CREATE INDEX change_log_row_idx ON core.change_log (core_table, crmhub_id);
CREATE INDEX change_log_field_time_idx ON core.change_log (core_table, field, changed_at);
CREATE INDEX change_log_load_idx ON core.change_log (load_id);
