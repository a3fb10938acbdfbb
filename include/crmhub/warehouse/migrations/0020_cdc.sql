-- Incremental state per source and object: watermark (timestamp + tie-breaker id) with a lookback window.
CREATE TABLE ops.sync_state (
    connector        text NOT NULL,
    object           text NOT NULL,
    watermark_ts     timestamptz,
    watermark_id     text,
    cursor           text,            -- opaque position (API cursor, LSN) where the source offers one
    lookback_s       integer NOT NULL DEFAULT 0 CHECK (lookback_s >= 0),
    last_success_at  timestamptz,
    last_run_id      bigint,
    rows_seen        bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connector, object)
);

-- Webhook notifications, stored exactly once (idempotent on the sender's event id).
CREATE TABLE ops.webhook_events (
    event_id          text PRIMARY KEY,
    source            text NOT NULL,
    subscription_type text,
    object_id         text,
    property_name     text,
    property_value    text,
    occurred_at       timestamptz,
    received_at       timestamptz NOT NULL DEFAULT now(),
    payload           jsonb NOT NULL,
    sync_status       text NOT NULL DEFAULT 'pending' CHECK (sync_status IN ('pending', 'synced', 'failed', 'replayed')),
    synced_at         timestamptz,
    replay_count      integer NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_time_idx ON ops.webhook_events (received_at);
CREATE INDEX webhook_events_pending_idx ON ops.webhook_events (sync_status) WHERE sync_status = 'pending';

-- Rejected webhook deliveries (bad signature, replayed/expired timestamp), for audit.
CREATE TABLE ops.webhook_rejections (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL,
    reason      text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    headers     jsonb NOT NULL DEFAULT '{}'::jsonb,
    body_sha256 text
);

-- Scripted backfills: a range split into chunks; completed chunks are skipped on re-run.
CREATE TABLE ops.backfills (
    backfill_id  text PRIMARY KEY,
    connector    text NOT NULL,
    object       text NOT NULL,
    range_start  timestamptz NOT NULL,
    range_end    timestamptz NOT NULL CHECK (range_end > range_start),
    chunk_s      integer NOT NULL CHECK (chunk_s > 0),
    dry_run      boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE TABLE ops.backfill_chunks (
    backfill_id  text NOT NULL REFERENCES ops.backfills (backfill_id),
    chunk_no     integer NOT NULL,
    chunk_start  timestamptz NOT NULL,
    chunk_end    timestamptz NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    rows         integer NOT NULL DEFAULT 0,
    attempts     integer NOT NULL DEFAULT 0,
    error        text,
    finished_at  timestamptz,
    PRIMARY KEY (backfill_id, chunk_no)
);
