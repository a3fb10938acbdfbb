-- Ingestion and field contracts: loads, quarantine, contract metrics and breaches, schema drift,
-- connector freeze state. raw.<connector> and staging.<connector> tables are created by the loader from
-- each connector's contract (crmhub.ingest.tables), not here: connectors are configuration.

-- One row per load attempt (a file, a table pull or an API pull). Invariant, checked by tests:
-- rows_read = loaded + quarantined + rejected. rejected = rows of a file refused whole (status
-- 'rejected') or parked by schema drift (status 'parked').
CREATE TABLE ops.loads (
    load_id          text PRIMARY KEY,
    connector        text NOT NULL,
    origin           text NOT NULL,
    checksum         text,
    encoding         text,
    status           text NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'loaded', 'rejected', 'parked', 'failed', 'frozen')),
    rows_read        bigint NOT NULL DEFAULT 0,
    loaded           bigint NOT NULL DEFAULT 0,
    quarantined      bigint NOT NULL DEFAULT 0,
    rejected         bigint NOT NULL DEFAULT 0,
    skipped_headers  bigint NOT NULL DEFAULT 0,
    skipped_blank    bigint NOT NULL DEFAULT 0,
    reasons          jsonb NOT NULL DEFAULT '{}'::jsonb,
    cursor           text,
    error            text,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX loads_connector_checksum_idx ON ops.loads (connector, checksum) WHERE status = 'loaded';
CREATE INDEX loads_connector_started_idx ON ops.loads (connector, started_at DESC);

-- One row per reason a record did not load (a record with three problems has three rows).
-- rule: null | type:<type> | allowed | range | column_count | nul_byte | superseded_duplicate.
-- value is masked when the field is sensitive. field is NULL for whole-record problems.
CREATE TABLE ops.quarantine (
    id          bigserial PRIMARY KEY,
    load_id     text NOT NULL,
    connector   text NOT NULL,
    locator     text NOT NULL,
    field       text,
    rule        text NOT NULL,
    value       text,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quarantine_load_idx ON ops.quarantine (load_id);
CREATE INDEX quarantine_connector_idx ON ops.quarantine (connector, created_at);

-- Daily acceptance counts per connector and field.
CREATE TABLE ops.contract_metrics (
    connector  text NOT NULL,
    field      text NOT NULL,
    day        date NOT NULL,
    rows       bigint NOT NULL DEFAULT 0,
    illegal    bigint NOT NULL DEFAULT 0,
    nulls      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (connector, field, day)
);

-- A field whose 14-day illegal % >= 1 or null % >= 2 breaches its contract. One open breach per field.
CREATE TABLE ops.contract_breaches (
    id           bigserial PRIMARY KEY,
    connector    text NOT NULL,
    field        text NOT NULL,
    owner        text,
    window_days  integer NOT NULL,
    rows         bigint NOT NULL,
    illegal_pct  numeric(7, 3) NOT NULL,
    null_pct     numeric(7, 3) NOT NULL,
    reason       text NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz
);
CREATE UNIQUE INDEX contract_breaches_one_open ON ops.contract_breaches (connector, field) WHERE closed_at IS NULL;

-- Batches held back by schema drift, with the machine-readable diff {added, missing, retyped}.
CREATE TABLE ops.parked_events (
    id          bigserial PRIMARY KEY,
    connector   text NOT NULL,
    load_id     text NOT NULL,
    origin      text NOT NULL,
    checksum    text,
    diff        jsonb NOT NULL,
    rows        bigint NOT NULL DEFAULT 0,
    sample      jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz
);
CREATE INDEX parked_events_connector_idx ON ops.parked_events (connector, created_at);

-- Whether a connector may load. Nothing loads from a frozen connector until its owner unfreezes it.
CREATE TABLE ops.connector_state (
    connector   text PRIMARY KEY,
    frozen      boolean NOT NULL DEFAULT false,
    reason      text,
    frozen_at   timestamptz,
    frozen_by   text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Who froze/unfroze what, when (audit log).
CREATE TABLE ops.connector_events (
    id         bigserial PRIMARY KEY,
    connector  text NOT NULL,
    event      text NOT NULL CHECK (event IN ('freeze', 'unfreeze')),
    actor      text NOT NULL,
    reason     text,
    details    jsonb NOT NULL DEFAULT '{}'::jsonb,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connector_events_connector_idx ON ops.connector_events (connector, at);
