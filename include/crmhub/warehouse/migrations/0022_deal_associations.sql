-- Deal associations (issue 18.2): which CRM companies and contacts each deal is associated with (HubSpot v4
-- associations), read by CDC and backfill after the deals themselves. One row per (deal, object, CRM id);
-- crmhub_id is the core record the CRM id maps to in core.external_id (NULL until that record is loaded; the
-- next read resolves it). A deal's rows are replaced as a set on each read: the CRM is the truth.
CREATE TABLE core.deal_association (
    deal_id      uuid NOT NULL REFERENCES core.deal (crmhub_id) ON DELETE CASCADE,
    core_table   text NOT NULL CHECK (core_table IN ('entity', 'contact')),
    crm_object   text NOT NULL,               -- company | contact
    crm_id       text NOT NULL,
    crmhub_id    uuid,                        -- core.entity / core.contact; NULL: not in core yet
    type_id      integer,                     -- HubSpot association type id (341 deal->company, 3 deal->contact)
    source_system text NOT NULL DEFAULT 'crm',
    seen_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (deal_id, crm_object, crm_id)
);
CREATE INDEX deal_association_record_idx ON core.deal_association (crmhub_id);
