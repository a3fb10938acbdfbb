-- Data protection (crmhub.security, docs/security.md). Roles, grants and the masked views in `secure`
-- are generated from the integration map by `crmhub db upgrade` (role names are configurable, so they
-- are not written here); this file holds what does not depend on the map.

CREATE SCHEMA IF NOT EXISTS secure;

-- The classification of every core column, copied from the map at each upgrade (secure.unmask reads it).
CREATE TABLE ops.data_classes (
    table_name  text NOT NULL,
    column_name text NOT NULL,
    data_class  text NOT NULL CHECK (data_class IN ('public', 'internal', 'pii_contact', 'pii_tax', 'financial')),
    PRIMARY KEY (table_name, column_name)
);

-- Which role may read which class unmasked (from the map's security.unmask, with the configured role names).
CREATE TABLE ops.unmask_grants (
    data_class text NOT NULL CHECK (data_class IN ('pii_contact', 'pii_tax', 'financial')),
    role_name  text NOT NULL,
    PRIMARY KEY (data_class, role_name)
);

-- Every read of unmasked pii_* / financial values through crmhub: who, as which role, what, how many, why.
CREATE TABLE ops.access_log (
    access_id   bigserial PRIMARY KEY,
    read_at     timestamptz NOT NULL DEFAULT now(),
    who         text NOT NULL,              -- the person (crmhub.actor) or the login role
    db_role     text NOT NULL,              -- the PostgreSQL login role (session_user)
    via         text NOT NULL DEFAULT 'sql', -- cli | api | task | sql | console
    table_name  text NOT NULL,
    fields      text[] NOT NULL,
    classes     text[] NOT NULL,
    row_count   bigint NOT NULL CHECK (row_count >= 0),
    reason      text NOT NULL CHECK (btrim(reason) <> '')
);
CREATE INDEX access_log_time_idx ON ops.access_log (read_at);
CREATE INDEX access_log_who_idx ON ops.access_log (who, read_at);

-- Findings of the permissions audit; one row per distinct finding (fingerprint), reopened if it comes back.
CREATE TABLE ops.security_findings (
    finding_id   bigserial PRIMARY KEY,
    fingerprint  text NOT NULL,
    check_name   text NOT NULL,
    object       text NOT NULL,
    detail       text NOT NULL,
    fix          text NOT NULL,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    last_seen    timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    incident_id  bigint
);
CREATE UNIQUE INDEX security_findings_open_uq ON ops.security_findings (fingerprint) WHERE resolved_at IS NULL;

-- What retention purged: counts and a digest of the purged values per place, for lineage.
CREATE TABLE ops.retention_runs (
    run_id      bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    actor       text NOT NULL,
    purged      jsonb NOT NULL DEFAULT '{}'::jsonb   -- {place: {"rows": n, "sha256": digest, "cutoff": ts}}
);
ALTER TABLE ops.quarantine ADD COLUMN value_sha256 text;          -- kept when the value is purged
ALTER TABLE ops.webhook_events ADD COLUMN payload_sha256 text;    -- kept when the payload is purged
ALTER TABLE ops.outbox ADD COLUMN body_sha256 text;               -- kept when the message body is purged
ALTER TABLE ops.outbox ADD COLUMN purged_at timestamptz;

-- Masking rules of crmhub.contracts.masking, in SQL for the secure views: an email keeps its first
-- character and domain, anything else its last 4 characters; 4 characters or fewer become ***.
CREATE FUNCTION secure.mask_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN value IS NULL THEN NULL
        WHEN value LIKE '%@%' THEN regexp_replace(value, '^(.)[^@]*(@.*)$', '\1***\2')
        WHEN length(value) <= 4 THEN '***'
        ELSE '***' || right(value, 4)
    END;

-- Amounts become an order-of-magnitude band (analysts can segment, not read a commitment).
CREATE FUNCTION secure.amount_band(value numeric) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN value IS NULL THEN NULL
        WHEN value < 1000000 THEN '< 1M'
        WHEN value < 10000000 THEN '1M-10M'
        WHEN value < 50000000 THEN '10M-50M'
        ELSE '>= 50M'
    END;

-- The one way to read unmasked values: checks the caller's role against ops.unmask_grants for every
-- class asked for, returns the rows as jsonb (key column + asked columns) and writes ops.access_log.
-- Set crmhub.actor / crmhub.via (set_config, local) to name the person and the channel.
CREATE FUNCTION secure.unmask(p_table text, p_columns text[], p_reason text, p_keys text[] DEFAULT NULL,
                              p_limit integer DEFAULT 1000)
    RETURNS SETOF jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col       text;
    cls       text;
    classes   text[] := '{}';
    key_col   text;
    n         bigint;
    pairs     text := '';
BEGIN
    IF coalesce(btrim(p_reason), '') = '' THEN
        RAISE EXCEPTION 'secure.unmask needs a reason (why you read unmasked values)' USING ERRCODE = '22023';
    END IF;
    IF p_columns IS NULL OR cardinality(p_columns) = 0 THEN
        RAISE EXCEPTION 'secure.unmask needs at least one column' USING ERRCODE = '22023';
    END IF;
    FOREACH col IN ARRAY p_columns LOOP
        SELECT d.data_class INTO cls FROM ops.data_classes d WHERE d.table_name = p_table AND d.column_name = col;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'core.%.% is not a classified column', p_table, col USING ERRCODE = '42703';
        END IF;
        IF cls IN ('pii_contact', 'pii_tax', 'financial') AND NOT EXISTS (
                SELECT 1 FROM ops.unmask_grants g
                 WHERE g.data_class = cls AND pg_has_role(session_user, g.role_name, 'MEMBER')) THEN
            RAISE EXCEPTION 'role % may not read % values unmasked (core.%.%)', session_user, cls, p_table, col
                USING ERRCODE = '42501', HINT = 'ask for membership of a role listed under security.unmask';
        END IF;
        classes := classes || cls;
        pairs := pairs || format(', %L, t.%I', col, col);
    END LOOP;
    SELECT a.attname INTO key_col
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
     WHERE i.indrelid = format('core.%I', p_table)::regclass AND i.indisprimary;
    RETURN QUERY EXECUTE format(
        'SELECT jsonb_build_object(%L, t.%I%s) FROM core.%I t WHERE ($1 IS NULL OR t.%I::text = ANY($1)) ORDER BY t.%I LIMIT $2',
        key_col, key_col, pairs, p_table, key_col, key_col)
        USING p_keys, p_limit;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO ops.access_log (who, db_role, via, table_name, fields, classes, row_count, reason)
    VALUES (coalesce(nullif(current_setting('crmhub.actor', true), ''), session_user), session_user,
            coalesce(nullif(current_setting('crmhub.via', true), ''), 'sql'), p_table, p_columns, classes, n, p_reason);
END;
$$;
REVOKE ALL ON FUNCTION secure.unmask(text, text[], text, text[], integer) FROM PUBLIC;
