-- Identity resolution ("post office"): review queue, remembered decisions, confidence holds,
-- merge history (with unmerge), per-run duplicate-rate report.
-- A record key is jsonb {"table": "entity"|"contact", "id": "<core row crmhub_id>", "source_system": ...};
-- a pair is unordered: pair_low/pair_high are the two ids sorted.

CREATE TABLE ops.review_queue (
    review_id    bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('org', 'contact')),
    left_key     jsonb NOT NULL,
    right_key    jsonb NOT NULL,
    left_record  jsonb NOT NULL DEFAULT '{}'::jsonb,
    right_record jsonb NOT NULL DEFAULT '{}'::jsonb,
    pair_low     text GENERATED ALWAYS AS (LEAST(left_key ->> 'id', right_key ->> 'id')) STORED,
    pair_high    text GENERATED ALWAYS AS (GREATEST(left_key ->> 'id', right_key ->> 'id')) STORED,
    score        numeric(6, 4) NOT NULL CHECK (score BETWEEN 0 AND 1),
    features     jsonb NOT NULL DEFAULT '{}'::jsonb,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reviewer     text,
    decided_at   timestamptz,
    note         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (left_key ->> 'id' IS NOT NULL AND right_key ->> 'id' IS NOT NULL),
    CHECK (left_key ->> 'id' <> right_key ->> 'id'),
    -- a decision always names who took it and when; a pending pair has neither
    CHECK ((status = 'pending') = (reviewer IS NULL AND decided_at IS NULL)),
    CHECK (status = 'pending' OR (reviewer IS NOT NULL AND decided_at IS NOT NULL))
);
CREATE UNIQUE INDEX review_queue_pair_uq ON ops.review_queue (kind, pair_low, pair_high);
CREATE INDEX review_queue_status_idx ON ops.review_queue (status, kind, score DESC);

-- Remembered human decisions: a rejected pair never re-enters the queue (and cuts deterministic links);
-- an approved pair is an accepted link on every later run.
CREATE TABLE ops.match_decisions (
    kind       text NOT NULL CHECK (kind IN ('org', 'contact')),
    pair_low   text NOT NULL,
    pair_high  text NOT NULL,
    decision   text NOT NULL CHECK (decision IN ('approved', 'rejected')),
    reviewer   text NOT NULL,
    decided_at timestamptz NOT NULL DEFAULT now(),
    reason     text,
    review_id  bigint REFERENCES ops.review_queue (review_id),
    PRIMARY KEY (kind, pair_low, pair_high),
    CHECK (pair_low < pair_high)
);

-- Identity_Confidence per resolved identity (the cluster's surviving crmhub id).
CREATE TABLE ops.identity_confidence (
    kind                text NOT NULL CHECK (kind IN ('org', 'contact')),
    crmhub_id           uuid NOT NULL,
    score               numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    domain_match        numeric(5, 4) NOT NULL CHECK (domain_match BETWEEN 0 AND 1),
    enrichment_coverage numeric(5, 4) NOT NULL CHECK (enrichment_coverage BETWEEN 0 AND 1),
    email_verified      numeric(5, 4) NOT NULL CHECK (email_verified BETWEEN 0 AND 1),
    members             integer NOT NULL DEFAULT 1,
    computed_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, crmhub_id)
);

-- Identities below 60 are held for enrichment. A hold is released only by a resolution run that scores
-- the identity >= 60 after enrichment; the CHECK makes any other release (an "override") impossible.
CREATE TABLE ops.identity_holds (
    hold_id        bigserial PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('org', 'contact')),
    crmhub_id      uuid NOT NULL,
    score          numeric(5, 2) NOT NULL CHECK (score < 60),
    reason         text NOT NULL,
    held_at        timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    released_score numeric(5, 2),
    CHECK ((released_at IS NULL) = (released_score IS NULL)),
    CHECK (released_score IS NULL OR released_score >= 60)
);
CREATE UNIQUE INDEX identity_holds_open_uq ON ops.identity_holds (kind, crmhub_id) WHERE released_at IS NULL;

-- Merges: the survivor keeps its id, the merged core row is soft-deleted (deleted_by = 'crmhub-identity:merged')
-- and its crosswalk rows (moved_external_ids) point at the survivor until the merge is undone.
CREATE TABLE core.merge_history (
    merge_id           bigserial PRIMARY KEY,
    core_table         text NOT NULL CHECK (core_table IN ('entity', 'contact')),
    survivor_id        uuid NOT NULL,
    merged_id          uuid NOT NULL,
    reason             text NOT NULL,
    moved_external_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
    merged_at          timestamptz NOT NULL DEFAULT now(),
    merged_by          text NOT NULL,
    undone_at          timestamptz,
    undone_by          text,
    CHECK (survivor_id <> merged_id),
    CHECK ((undone_at IS NULL) = (undone_by IS NULL))
);
CREATE UNIQUE INDEX merge_history_active_uq ON core.merge_history (core_table, merged_id) WHERE undone_at IS NULL;
CREATE INDEX merge_history_survivor_idx ON core.merge_history (survivor_id);

-- One row per resolution run: the duplicate-rate estimate against the pilot target (< 2 %).
CREATE TABLE ops.identity_runs (
    run_id                       bigserial PRIMARY KEY,
    kind                         text NOT NULL CHECK (kind IN ('org', 'contact')),
    started_at                   timestamptz NOT NULL,
    finished_at                  timestamptz NOT NULL DEFAULT now(),
    records                      integer NOT NULL,
    clusters                     integer NOT NULL,
    candidate_pairs              bigint NOT NULL,
    deterministic_links          integer NOT NULL,
    merges_applied               integer NOT NULL,
    review_pending               integer NOT NULL,
    holds_open                   integer NOT NULL,
    expected_unmerged_duplicates numeric(12, 3) NOT NULL,
    duplicate_rate               numeric(8, 6) NOT NULL,
    duplicate_rate_target        numeric(8, 6) NOT NULL,
    meets_target                 boolean NOT NULL
);
