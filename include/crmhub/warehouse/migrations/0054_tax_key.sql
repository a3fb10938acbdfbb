-- Identity's key of every tax id core holds (crmhub.identity.tax_keys), so SQL can join on the one tax-id rule
-- (crmhub.identity.normalize.normalize_tax_id) without restating it: one row per distinct value of the core
-- columns a contract field of type tax_id targets (core.entity.tax_id, core.commitment.billing_tax_id).
-- tax_key NULL: the value can never link (a placeholder such as 000000000, or too short). rule: the version of
-- the rule that computed the key (a row of another version is computed again). Filled, and emptied of values
-- core no longer holds, by tax_keys.refresh (run by the reverse-ETL engine before a model that reads this
-- table). Classified pii_tax in the map's security.core_tables.
CREATE TABLE core.tax_key (
    tax_id  text PRIMARY KEY,
    tax_key text,
    rule    text NOT NULL
);
