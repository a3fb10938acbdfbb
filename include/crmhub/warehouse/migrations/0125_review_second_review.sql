-- Second review of a rejection that contradicts a deterministic key (crmhub.identity.review): when a
-- steward rejects a cluster whose members in different identities share a normalised tax id (organisations)
-- or an email (contacts), or that keeps review.SECOND_REVIEW_MIN_IDENTITIES identities apart, the rejection is kept (its pair decisions stay, nothing merges) and the cluster
-- goes back to 'pending' for a second look, by another reviewer or by the same one after
-- review.SECOND_REVIEW_AFTER_DAYS. The first decision is kept here; the second one is final.
ALTER TABLE ops.review_clusters
    ADD COLUMN first_decided_by     text,
    ADD COLUMN first_decided_at     timestamptz,
    ADD COLUMN second_review_reason text,
    ADD CHECK ((first_decided_by IS NULL) = (first_decided_at IS NULL)),
    ADD CHECK ((first_decided_by IS NULL) = (second_review_reason IS NULL));
