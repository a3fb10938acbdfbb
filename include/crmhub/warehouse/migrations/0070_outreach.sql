-- Outreach (investor-communication automations gated by Unleash flags). See docs/outreach.md.

-- One row per engine run of one automation.
CREATE TABLE ops.outreach_runs (
    run_id        bigserial PRIMARY KEY,
    automation    text NOT NULL,
    dry_run       boolean NOT NULL DEFAULT false,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    outcome       text,          -- sent | nothing_to_do | paused | blocked_health | needs_approval | capped | dry_run
    detail        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX outreach_runs_automation_idx ON ops.outreach_runs (automation, started_at DESC);

-- Every decision about one trigger event (core.change_log row) for one automation and contact.
-- A `final` decision consumes the event: it is never evaluated again by a real run. Dry runs and
-- deferrals (cap / pause / approval) are logged with final = false.
CREATE TABLE ops.outreach_decisions (
    decision_id   bigserial PRIMARY KEY,
    run_id        bigint REFERENCES ops.outreach_runs (run_id),
    automation    text NOT NULL,
    change_id     bigint NOT NULL,          -- core.change_log.change_id (the trigger event)
    contact_id    uuid,
    flag          text,
    variant       text,
    enabled       boolean,                  -- flag answer (NULL when not asked)
    decision      text NOT NULL CHECK (decision IN ('queued', 'sent', 'skipped', 'suppressed', 'cancelled', 'deferred')),
    reason        text NOT NULL,
    final         boolean NOT NULL DEFAULT true,
    dry_run       boolean NOT NULL DEFAULT false,
    decided_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outreach_decisions_event_idx ON ops.outreach_decisions (automation, change_id) WHERE final AND NOT dry_run;
CREATE INDEX outreach_decisions_run_idx ON ops.outreach_decisions (run_id);

-- Outbox: a message is written first (unique idempotency key), then claimed ('sending', FOR UPDATE
-- SKIP LOCKED), sent over SMTP and marked 'sent'. A row left in 'sending' is never re-sent
-- automatically (at-most-once); see docs/outreach.md.
CREATE TABLE ops.outbox (
    outbox_id        bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,     -- automation : contact : change_id
    message_id       text NOT NULL UNIQUE,     -- RFC 5322 Message-ID derived from the key
    run_id           bigint REFERENCES ops.outreach_runs (run_id),
    automation       text NOT NULL,
    contact_id       uuid NOT NULL,
    change_id        bigint NOT NULL,
    owner            text NOT NULL,
    flag             text NOT NULL,
    flag_context     jsonb NOT NULL DEFAULT '{}'::jsonb,   -- Unleash context, re-evaluated before sending
    recipient        text NOT NULL,
    subject          text NOT NULL,
    body_text        text NOT NULL,
    body_html        text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'unknown')),
    attempts         integer NOT NULL DEFAULT 0,
    claimed_at       timestamptz,
    claimed_by       text,
    sent_at          timestamptz,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending_idx ON ops.outbox (automation, outbox_id) WHERE status = 'pending';
CREATE INDEX outbox_sent_idx ON ops.outbox (automation, sent_at) WHERE status = 'sent';

-- Opt-outs and bounces: no automation ever mails these addresses (compared lower-cased).
CREATE TABLE ops.suppression_list (
    email       text PRIMARY KEY CHECK (email = lower(email)),
    reason      text NOT NULL,
    added_by    text NOT NULL DEFAULT 'crmhub',
    added_at    timestamptz NOT NULL DEFAULT now()
);

-- Loads flagged as bulk imports (migrations, backfills, spreadsheet uploads). Their changes never
-- trigger outreach. Stop-gap until the ingestion capability's load registry carries a bulk flag.
CREATE TABLE ops.bulk_loads (
    load_id     text PRIMARY KEY,
    reason      text NOT NULL,
    flagged_by  text NOT NULL DEFAULT 'crmhub',
    flagged_at  timestamptz NOT NULL DEFAULT now()
);

-- Pause switch per automation ('*' pauses every automation).
CREATE TABLE ops.outreach_state (
    automation  text PRIMARY KEY,
    paused      boolean NOT NULL DEFAULT false,
    paused_by   text,
    reason      text,
    at          timestamptz NOT NULL DEFAULT now()
);

-- Alerts raised by outreach (bulk import suppressed, cap exceeded). Also forwarded to the
-- pluggable on_incident / on_page callbacks (ops.incidents once the health capability is merged).
CREATE TABLE ops.outreach_alerts (
    alert_id    bigserial PRIMARY KEY,
    automation  text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('bulk_import', 'cap_exceeded', 'needs_approval')),
    load_id     text,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX outreach_alerts_bulk_once ON ops.outreach_alerts (automation, load_id) WHERE kind = 'bulk_import';
