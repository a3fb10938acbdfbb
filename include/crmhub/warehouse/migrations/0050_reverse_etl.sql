-- Reverse ETL: per-run summary, per-record log (before/after, API status, attempts) and the per-record
-- state used for change detection (hash of the last payload the destination acknowledged).

CREATE TABLE ops.reverse_etl_runs (
    run_id          bigserial PRIMARY KEY,
    sync_name       text NOT NULL,
    kind            text NOT NULL DEFAULT 'sync' CHECK (kind IN ('sync', 'rollback')),
    rollback_of     bigint REFERENCES ops.reverse_etl_runs (run_id),
    destination     text NOT NULL,          -- 'crm:contacts', 'postgres:marts.contact_traits'
    connector       text NOT NULL,          -- destination connector (ops.sync_runs.connector, freeze gate)
    mode            text NOT NULL,
    full_resync     boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'success', 'partial', 'failed', 'skipped')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    records_model   integer NOT NULL DEFAULT 0,
    records_changed integer NOT NULL DEFAULT 0,
    records_held    integer NOT NULL DEFAULT 0,
    records_sent    integer NOT NULL DEFAULT 0,
    records_ok      integer NOT NULL DEFAULT 0,
    records_failed  integer NOT NULL DEFAULT 0,
    records_created integer NOT NULL DEFAULT 0,
    records_archived integer NOT NULL DEFAULT 0,
    conflicts       integer NOT NULL DEFAULT 0,
    api_calls       integer NOT NULL DEFAULT 0,
    api_errors      integer NOT NULL DEFAULT 0,
    latency_s_total double precision NOT NULL DEFAULT 0,
    sync_run_id     bigint REFERENCES ops.sync_runs (run_id),
    error           text,
    detail          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX reverse_etl_runs_sync_idx ON ops.reverse_etl_runs (sync_name, started_at DESC);

CREATE TABLE ops.reverse_etl_log (
    log_id          bigserial PRIMARY KEY,
    run_id          bigint NOT NULL REFERENCES ops.reverse_etl_runs (run_id) ON DELETE CASCADE,
    crmhub_id       uuid NOT NULL,
    destination_id  text,                   -- CRM record id (or the key in a table destination)
    action          text NOT NULL CHECK (action IN ('create', 'update', 'archive', 'restore', 'none')),
    status          text NOT NULL CHECK (status IN ('ok', 'failed', 'held', 'skipped', 'conflict')),
    before          jsonb,                  -- changed fields' values before the write; NULL = unknown
    after           jsonb,                  -- changed fields' values written
    http_status     integer,
    attempts        integer NOT NULL DEFAULT 0,
    batch_no        integer,
    idempotency_key text,
    error           text,
    logged_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reverse_etl_log_run_idx ON ops.reverse_etl_log (run_id);
CREATE INDEX reverse_etl_log_record_idx ON ops.reverse_etl_log (crmhub_id, run_id);

CREATE TABLE ops.reverse_etl_state (
    sync_name       text NOT NULL,
    crmhub_id       uuid NOT NULL,
    destination_id  text,
    payload         jsonb,                  -- last payload the destination acknowledged (NULL: never)
    payload_hash    text,
    status          text NOT NULL CHECK (status IN ('synced', 'failed', 'archived')),
    last_error      text,
    failures        integer NOT NULL DEFAULT 0,
    last_run_id     bigint REFERENCES ops.reverse_etl_runs (run_id),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sync_name, crmhub_id)
);
CREATE INDEX reverse_etl_state_failed_idx ON ops.reverse_etl_state (sync_name) WHERE status = 'failed';
