-- Cluster-level identity review (issue #17): the review unit is a proposed cluster, not a pair.
-- A proposed cluster is a connected component of candidate links above the review threshold plus the
-- accepted links; one decision approves it, splits it (the steward picks the records that leave) or
-- rejects it. Decisions are remembered per record set (member_ids) and as pair decisions in
-- ops.match_decisions, so they survive re-runs.

CREATE TABLE ops.review_clusters (
    cluster_id       bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('org', 'contact')),
    proposal_key     text NOT NULL,                 -- stable id of the record set (matching.proposed_cluster_id)
    member_ids       text[] NOT NULL,               -- core row crmhub ids, sorted
    members          jsonb NOT NULL,                -- [{id, source_system, identity, owner, record{...}}], oldest first
    links            jsonb NOT NULL,                -- [{left, right, score, features}] candidate links
    score_min        numeric(6, 4) NOT NULL CHECK (score_min BETWEEN 0 AND 1),
    score_max        numeric(6, 4) NOT NULL CHECK (score_max BETWEEN 0 AND 1),
    source_systems   text[] NOT NULL,
    owners           text[] NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'split', 'rejected', 'superseded')),
    decided_by       text,
    decided_at       timestamptz,
    leaving_ids      text[],                        -- split: the records that left
    note             text,
    band_decision_id bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (cardinality(member_ids) >= 2),
    -- a human decision names who took it and when; pending and superseded proposals have neither
    CHECK ((status IN ('approved', 'split', 'rejected')) = (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
    CHECK ((status = 'split') = (leaving_ids IS NOT NULL))
);
CREATE UNIQUE INDEX review_clusters_set_uq ON ops.review_clusters (kind, member_ids);
CREATE INDEX review_clusters_status_idx ON ops.review_clusters (status, kind, score_min);
CREATE INDEX review_clusters_decided_idx ON ops.review_clusters (decided_at) WHERE decided_at IS NOT NULL;

-- A random sample of a score band shown to a steward: the precondition of approving the band at once.
CREATE TABLE ops.review_band_samples (
    sample_id        bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('org', 'contact')),
    score_low        numeric(6, 4) NOT NULL,
    score_high       numeric(6, 4) NOT NULL,
    band_cluster_ids bigint[] NOT NULL,             -- every pending cluster of the band when sampled
    sample_ids       bigint[] NOT NULL,             -- the random sample shown
    max_error_rate   numeric(6, 4) NOT NULL,
    confidence       numeric(6, 4) NOT NULL,
    shown_to         text NOT NULL,
    shown_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (score_low <= score_high)
);

-- One band approval: lists every cluster it covers.
CREATE TABLE ops.review_band_decisions (
    band_decision_id bigserial PRIMARY KEY,
    sample_id        bigint NOT NULL UNIQUE REFERENCES ops.review_band_samples (sample_id),
    kind             text NOT NULL CHECK (kind IN ('org', 'contact')),
    cluster_ids      bigint[] NOT NULL,
    decided_by       text NOT NULL,
    decided_at       timestamptz NOT NULL DEFAULT now(),
    note             text
);
ALTER TABLE ops.review_clusters
    ADD CONSTRAINT review_clusters_band_fk FOREIGN KEY (band_decision_id)
    REFERENCES ops.review_band_decisions (band_decision_id);

-- Reviewer load per run: decisions asked, per 1,000 records and per multi-record identity.
ALTER TABLE ops.identity_runs
    ADD COLUMN review_decisions                    integer,
    ADD COLUMN decisions_per_1000_records          numeric(10, 2),
    ADD COLUMN decisions_per_multi_record_identity numeric(10, 4);
