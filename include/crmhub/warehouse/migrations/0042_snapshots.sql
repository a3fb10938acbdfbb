-- Snapshots of core and the state it depends on (crmhub.ops.snapshot, docs/runbooks/emergency-rollback.md).
-- Each snapshot is a schema snapshot_<id> inside the warehouse holding a copy of every table in scope.
CREATE TABLE ops.snapshots (
    snapshot_id  bigserial PRIMARY KEY,
    label        text,
    reason       text NOT NULL DEFAULT 'manual',      -- manual, backfill <id>, cutover, drill ...
    schema_name  text UNIQUE,
    status       text NOT NULL DEFAULT 'creating' CHECK (status IN ('creating', 'ready', 'expired')),
    created_by   text NOT NULL CHECK (length(btrim(created_by)) > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    seconds      double precision,
    bytes        bigint,
    tables       jsonb NOT NULL DEFAULT '{}'::jsonb,  -- {"core.contact": {"rows": n, "md5": "..."}}
    expired_at   timestamptz
);

-- Every restore, with who, the freeze it ran under and whether the result matched the snapshot's checksums.
CREATE TABLE ops.snapshot_restores (
    restore_id   bigserial PRIMARY KEY,
    snapshot_id  bigint NOT NULL REFERENCES ops.snapshots (snapshot_id),
    restored_by  text NOT NULL CHECK (length(btrim(restored_by)) > 0),
    restored_at  timestamptz NOT NULL DEFAULT now(),
    seconds      double precision NOT NULL,
    matches      boolean NOT NULL,
    detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
