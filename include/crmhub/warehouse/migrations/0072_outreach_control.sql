-- Control mode (issue #18): a new or changed automation mails only the control list until a human has
-- confirmed what each control LP received and promoted that exact definition to its flag rollout.

-- The definition a run used: sha256 of trigger, audience, flag and template texts (outreach/control.py).
ALTER TABLE ops.outreach_runs ADD COLUMN version text;
CREATE INDEX outreach_runs_version_idx ON ops.outreach_runs (automation, version);

-- One row per promoted definition; an automation is in rollout mode iff its current version is here.
CREATE TABLE ops.outreach_promotions (
    automation     text NOT NULL,
    version        text NOT NULL,
    promoted_by    text NOT NULL,
    promoted_at    timestamptz NOT NULL DEFAULT now(),
    control_sends  integer NOT NULL,      -- control messages sent for this version when it was confirmed
    note           text,
    PRIMARY KEY (automation, version)
);
