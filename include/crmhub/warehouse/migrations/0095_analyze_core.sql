-- Loads refresh stale planner statistics of core tables (crmhub.ingest.upsert.refresh_stale_stats), but ANALYZE
-- needs the table's owner and loads run as crmhub_loader / crmhub_app: this function, owned by the owner role
-- after `crmhub db upgrade` and executable by the writers, analyzes one core table and nothing else.
CREATE FUNCTION ops.analyze_core(p_table text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass(format('core.%I', p_table)) IS NULL THEN
        RAISE EXCEPTION 'core.% is not a table', p_table USING ERRCODE = '42P01';
    END IF;
    EXECUTE format('ANALYZE (SKIP_LOCKED) core.%I', p_table);
END;
$$;
REVOKE ALL ON FUNCTION ops.analyze_core(text) FROM PUBLIC;
