-- The billing system's customer tax id on each invoice (issue 18.1): the invoice-status flow links a billing
-- customer to the CRM company with the same (normalised) tax id, deterministically, when exactly one live
-- CRM-known entity carries it. Classified pii_tax in the map's security.core_tables.
ALTER TABLE core.commitment ADD COLUMN IF NOT EXISTS billing_tax_id text;
