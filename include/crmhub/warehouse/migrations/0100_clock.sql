-- One clock for every timestamp crmhub writes: ops.clock() = now() + the session's crmhub.clock_offset.
-- Unset (production), it is exactly now(). crmhub simulate sets the offset per connection (PGOPTIONS) so
-- 21 simulated days land on 21 days. See crmhub.clock.

CREATE OR REPLACE FUNCTION ops.clock() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.now()
             + coalesce(nullif(current_setting('crmhub.clock_offset', true), '')::interval, interval '0') $$;

-- An unqualified now() in crmhub's SQL resolves here when a session puts crmhub_clock before pg_catalog
-- on its search path (only crmhub simulate does).
CREATE SCHEMA IF NOT EXISTS crmhub_clock;
CREATE OR REPLACE FUNCTION crmhub_clock.now() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT ops.clock() $$;
GRANT USAGE ON SCHEMA crmhub_clock TO PUBLIC;

-- Column defaults bind pg_catalog.now() when created; point them at ops.clock(). crmhub db upgrade calls
-- this again after every upgrade, so columns added by later migrations follow.
CREATE OR REPLACE FUNCTION ops.repoint_now_defaults() RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col record;
    n integer := 0;
BEGIN
    FOR col IN
        SELECT ns.nspname, cls.relname, att.attname
          FROM pg_attrdef d
          JOIN pg_class cls ON cls.oid = d.adrelid
          JOIN pg_namespace ns ON ns.oid = cls.relnamespace
          JOIN pg_attribute att ON att.attrelid = d.adrelid AND att.attnum = d.adnum
         WHERE pg_get_expr(d.adbin, d.adrelid) = 'now()'
           AND cls.relkind IN ('r', 'p')
           AND ns.nspname NOT IN ('pg_catalog', 'information_schema')
           AND ns.nspname NOT LIKE 'pg\_%'
    LOOP
        EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT ops.clock()',
                       col.nspname, col.relname, col.attname);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

SELECT ops.repoint_now_defaults();
