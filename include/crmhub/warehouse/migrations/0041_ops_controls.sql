-- Operations controls (crmhub.ops, docs/operations.md): freeze everything, go-live windows.

-- Freeze-all: an append-only log; the newest row is the current state (freeze or thaw).
CREATE TABLE ops.freeze_all_log (
    event_id   bigserial PRIMARY KEY,
    action     text NOT NULL CHECK (action IN ('freeze', 'thaw')),
    actor      text NOT NULL CHECK (length(btrim(actor)) > 0),
    reason     text NOT NULL CHECK (length(btrim(reason)) > 0),
    details    jsonb NOT NULL DEFAULT '{}'::jsonb,
    at         timestamptz NOT NULL DEFAULT now()
);

-- Go-live windows: non-critical connectors, reverse-ETL syncs and automations are suspended while
-- now() is in [starts_at, ends_at) and the window was not ended early.
CREATE TABLE ops.go_live_windows (
    window_id  bigserial PRIMARY KEY,
    starts_at  timestamptz NOT NULL DEFAULT now(),
    ends_at    timestamptz NOT NULL,
    reason     text NOT NULL,
    started_by text NOT NULL CHECK (length(btrim(started_by)) > 0),
    ended_at   timestamptz,
    ended_by   text,
    CHECK (ends_at > starts_at)
);
CREATE INDEX go_live_windows_active_idx ON ops.go_live_windows (ends_at) WHERE ended_at IS NULL;
