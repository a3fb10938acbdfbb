-- Core targets of the field_map flows (issue 18.1): billing invoice status and CDP behavioural score.
-- billing_invoices rows are commitments keyed by invoice id: they carry the invoice status and the fund
-- administrator's LP reference (lp_external_id), which links them to the LP's contact and entity.
ALTER TABLE core.commitment ADD COLUMN IF NOT EXISTS invoice_status text,
                            ADD COLUMN IF NOT EXISTS billing_lp_ref text;
-- cdp_events rows are interactions: the behavioural score (scaled 0-100 by the contract) and the email the
-- CDP knows the person by (lower-cased), which links the score to a core contact.
ALTER TABLE core.interaction ADD COLUMN IF NOT EXISTS intent_score numeric(6, 2),
                             ADD COLUMN IF NOT EXISTS contact_email text;
CREATE INDEX IF NOT EXISTS interaction_contact_email_idx ON core.interaction (contact_email)
    WHERE intent_score IS NOT NULL;
