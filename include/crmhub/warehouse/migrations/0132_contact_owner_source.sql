-- Where a contact's owner came from: 'record' = the source record's own owner (the CRM's hubspot_owner_id, mapped
-- to a person by people[].crm_owner_id); 'record_unmapped' = the record names an owner id no person has, so the
-- connector's owner stands in (give that person a crm_owner_id); 'connector' = the record names none (or its
-- connector carries no owner field): the connector's owner.
ALTER TABLE core.contact ADD COLUMN IF NOT EXISTS owner_source text NOT NULL DEFAULT 'connector'
    CHECK (owner_source IN ('record', 'record_unmapped', 'connector'));
