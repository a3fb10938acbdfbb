-- Tear-down with a correction step (issue #18): a human queues a correction of a misfire; it goes to
-- exactly the misfire's recipients through the same outbox, cap and approval (docs/outreach.md).
CREATE TABLE ops.outreach_corrections (
    correction_id  bigserial PRIMARY KEY,
    automation     text NOT NULL,
    since          timestamptz NOT NULL,     -- the misfire's window [since, until)
    until          timestamptz NOT NULL,
    requested_by   text NOT NULL,
    reason         text,
    recipients     integer NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Exactly the misfire's messages (sent or unknown) the correction answers, fixed when it was queued.
CREATE TABLE ops.outreach_correction_items (
    correction_id  bigint NOT NULL REFERENCES ops.outreach_corrections (correction_id),
    outbox_id      bigint NOT NULL REFERENCES ops.outbox (outbox_id),
    PRIMARY KEY (correction_id, outbox_id)
);
