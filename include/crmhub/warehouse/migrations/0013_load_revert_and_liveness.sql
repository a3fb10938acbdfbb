-- A load can be undone (crmhub load revert: status 'reverted', with who and when) and a load whose process died
-- is noticed (status 'abandoned'): ops.loads records the PostgreSQL backend that runs it. One load per
-- connector at a time is an advisory lock held by that backend (crmhub.ingest.locks).
ALTER TABLE ops.loads DROP CONSTRAINT loads_status_check;
ALTER TABLE ops.loads ADD CONSTRAINT loads_status_check
    CHECK (status IN ('running', 'loaded', 'rejected', 'parked', 'failed', 'frozen', 'reverted', 'abandoned'));
ALTER TABLE ops.loads ADD COLUMN backend_pid integer;
ALTER TABLE ops.loads ADD COLUMN reverted_at timestamptz;
ALTER TABLE ops.loads ADD COLUMN reverted_by text;
ALTER TABLE ops.loads ADD COLUMN revert_detail jsonb;
ALTER TABLE ops.loads ADD COLUMN lease_pid integer;  -- the backend holding the connector's load lock
