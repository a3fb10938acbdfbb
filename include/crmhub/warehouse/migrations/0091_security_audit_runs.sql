-- One row per permissions audit run (the health DAG runs it weekly; `crmhub security audit --record` too).
CREATE TABLE ops.security_audit_runs (
    run_id      bigserial PRIMARY KEY,
    run_at      timestamptz NOT NULL DEFAULT now(),
    findings    integer NOT NULL CHECK (findings >= 0),
    new         integer NOT NULL CHECK (new >= 0),
    resolved    integer NOT NULL CHECK (resolved >= 0)
);
