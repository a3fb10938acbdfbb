-- Outreach hardening (issue #16): one mail per state transition, a send budget per time window, and the
-- health score and approver of every run.

-- The transition a message answers: automation, contact, trigger record, field, the value it became and
-- the change that last set another value (the "episode"). Two loads that both wrote the same change give
-- the same key; the database refuses the second message whatever the number of change-log rows.
ALTER TABLE ops.outbox ADD COLUMN transition_key text;
CREATE UNIQUE INDEX outbox_transition_once ON ops.outbox (transition_key) WHERE transition_key IS NOT NULL;
-- The send budget counts an automation's messages over a sliding window.
CREATE INDEX outbox_budget_idx ON ops.outbox (automation, created_at);

ALTER TABLE ops.outreach_runs
    ADD COLUMN health_score    double precision,   -- the health gate's score when the run started
    ADD COLUMN approved_count  integer,            -- sends a human approved beyond the cap / budget
    ADD COLUMN approved_by     text,               -- who approved them (required with approved_count)
    ADD CONSTRAINT outreach_runs_approver CHECK (approved_count IS NULL OR approved_by IS NOT NULL);

ALTER TABLE ops.outreach_alerts DROP CONSTRAINT outreach_alerts_kind_check;
ALTER TABLE ops.outreach_alerts ADD CONSTRAINT outreach_alerts_kind_check
    CHECK (kind IN ('bulk_import', 'cap_exceeded', 'needs_approval', 'budget_exceeded'));

-- What a message was sent as: the flag rollout, a control-list send (a new or changed automation before a
-- human promoted it), or a correction of a misfire (docs/outreach.md).
ALTER TABLE ops.outbox ADD COLUMN mode text NOT NULL DEFAULT 'rollout'
    CHECK (mode IN ('rollout', 'control', 'correction'));
