-- Reconciliation: daily rule runs and their record-level differences; frozen critical fields (deltas that
-- wait for an explicit amendment decision); parallel runs against a legacy system's export.

-- One row per rule and logical date (a rerun of the same date replaces its row and diffs).
CREATE TABLE ops.reconciliation_runs (
    run_id        bigserial PRIMARY KEY,
    rule          text NOT NULL,
    logical_date  date NOT NULL,
    cutoff        timestamptz NOT NULL,          -- end of the logical date (exclusive): the as-of instant
    left_system   text NOT NULL,
    right_system  text NOT NULL,
    left_total    numeric(24, 2),
    right_total   numeric(24, 2),
    delta_pct     numeric(12, 4) NOT NULL,
    threshold_pct numeric(12, 4) NOT NULL,
    breached      boolean NOT NULL,
    measures      jsonb NOT NULL DEFAULT '[]'::jsonb,   -- per measure: totals, delta %, groups
    diff_count    integer NOT NULL DEFAULT 0,
    incident_id   bigint,
    report_path   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (rule, logical_date)
);

CREATE TABLE ops.reconciliation_diffs (
    id           bigserial PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES ops.reconciliation_runs (run_id) ON DELETE CASCADE,
    rule         text NOT NULL,
    logical_date date NOT NULL,
    crmhub_id    text,                 -- join key (crmhub id; for the parallel run the legacy record key)
    kind         text NOT NULL CHECK (kind IN ('missing_left', 'missing_right', 'mismatch', 'group')),
    field        text,
    left_value   text,
    right_value  text,
    left_ref     text,                 -- the left system's own id / locator
    right_ref    text
);
CREATE INDEX reconciliation_diffs_run_idx ON ops.reconciliation_diffs (run_id);

-- Critical fields frozen at the accept stage: a change arriving after that is a delta, never applied silently.
CREATE TABLE core.field_deltas (
    delta_id     bigserial PRIMARY KEY,
    core_table   text NOT NULL CHECK (core_table IN ('commitment', 'deal')),
    crmhub_id    uuid NOT NULL,
    field        text NOT NULL,
    old_value    text,
    new_value    text,
    source       text NOT NULL,          -- system (and connector) that sent it, or 'amendment'
    actor        text NOT NULL,
    load_id      text,
    source_ts    timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    reason       text,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   text,
    decided_at   timestamptz,
    decision_note text,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX field_deltas_row_idx ON core.field_deltas (core_table, crmhub_id);
CREATE INDEX field_deltas_pending_idx ON core.field_deltas (status) WHERE status = 'pending';

-- Parallel runs (old system export vs the new CRM) before cutover.
CREATE TABLE ops.parallel_runs (
    run_id          bigserial PRIMARY KEY,
    export_path     text NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    delta_pct       numeric(12, 4) NOT NULL,
    rollback_threshold_pct numeric(12, 4) NOT NULL,
    rollback_recommended boolean NOT NULL,
    result          jsonb NOT NULL,
    incident_id     bigint,
    report_path     text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
