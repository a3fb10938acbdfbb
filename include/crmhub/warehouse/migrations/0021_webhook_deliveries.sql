-- Signatures already accepted: the same signed delivery presented twice is a replay and is refused.
CREATE TABLE ops.webhook_deliveries (
    signature_sha256 text PRIMARY KEY,
    source           text NOT NULL,
    request_ts       timestamptz NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    events           integer NOT NULL
);
