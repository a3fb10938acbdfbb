-- Canonical model. Every row: a stable crmhub id, an owner (a person from the integration map),
-- a confidence score 0-100, source lineage and timestamps. Soft deletes keep who/when.

CREATE TABLE core.entity (
    crmhub_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_type       text NOT NULL CHECK (entity_type IN ('lp', 'gp', 'portfolio_company', 'advisor')),
    name              text NOT NULL,
    legal_name        text,
    domain            text,
    tax_id            text,
    city              text,
    country           char(2),
    owner             text NOT NULL,
    confidence        numeric(5, 2) NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 100),
    source_system     text NOT NULL,
    source_lineage    jsonb NOT NULL DEFAULT '{}'::jsonb,
    source_updated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    deleted_by        text
);

CREATE TABLE core.contact (
    crmhub_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id         uuid REFERENCES core.entity (crmhub_id),
    first_name        text,
    last_name         text,
    email             text,
    phone             text,
    title             text,
    city              text,
    country           char(2),
    interested        boolean,
    email_verified    boolean,
    owner             text NOT NULL,
    confidence        numeric(5, 2) NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 100),
    source_system     text NOT NULL,
    source_lineage    jsonb NOT NULL DEFAULT '{}'::jsonb,
    source_updated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    deleted_by        text
);
CREATE INDEX contact_email_idx ON core.contact (lower(email));

CREATE TABLE core.fund (
    crmhub_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text NOT NULL,
    vintage           integer,
    currency          char(3),
    target_size       numeric(20, 2),
    owner             text NOT NULL,
    confidence        numeric(5, 2) NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 100),
    source_system     text NOT NULL,
    source_lineage    jsonb NOT NULL DEFAULT '{}'::jsonb,
    source_updated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    deleted_by        text
);

CREATE TABLE core.commitment (
    crmhub_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id         uuid REFERENCES core.entity (crmhub_id),
    contact_id        uuid REFERENCES core.contact (crmhub_id),
    fund_id           uuid REFERENCES core.fund (crmhub_id),
    amount            numeric(20, 2),
    currency          char(3),
    stage             text,
    accepted_at       timestamptz,
    owner             text NOT NULL,
    confidence        numeric(5, 2) NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 100),
    source_system     text NOT NULL,
    source_lineage    jsonb NOT NULL DEFAULT '{}'::jsonb,
    source_updated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    deleted_by        text
);

CREATE TABLE core.deal (
    crmhub_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text NOT NULL,
    company_id        uuid REFERENCES core.entity (crmhub_id),
    fund_id           uuid REFERENCES core.fund (crmhub_id),
    stage             text,
    amount            numeric(20, 2),
    currency          char(3),
    accepted_at       timestamptz,
    owner             text NOT NULL,
    confidence        numeric(5, 2) NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 100),
    source_system     text NOT NULL,
    source_lineage    jsonb NOT NULL DEFAULT '{}'::jsonb,
    source_updated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    deleted_by        text
);

CREATE TABLE core.interaction (
    crmhub_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    contact_id        uuid REFERENCES core.contact (crmhub_id),
    entity_id         uuid REFERENCES core.entity (crmhub_id),
    kind              text NOT NULL CHECK (kind IN ('email', 'meeting', 'call', 'event', 'document', 'web')),
    occurred_at       timestamptz NOT NULL,
    subject           text,
    owner             text NOT NULL,
    confidence        numeric(5, 2) NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 100),
    source_system     text NOT NULL,
    source_lineage    jsonb NOT NULL DEFAULT '{}'::jsonb,
    source_updated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    deleted_by        text
);

-- Crosswalk: a system's own id is a secondary key forever.
CREATE TABLE core.external_id (
    system        text NOT NULL,
    object        text NOT NULL,
    external_id   text NOT NULL,
    crmhub_id     uuid NOT NULL,
    core_table    text NOT NULL CHECK (core_table IN ('entity', 'contact', 'fund', 'commitment', 'deal', 'interaction')),
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (system, object, external_id)
);
CREATE INDEX external_id_crmhub_idx ON core.external_id (crmhub_id);
