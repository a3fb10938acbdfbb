-- ops.access_log is append-only for the application roles: `crmhub db upgrade` revokes UPDATE/DELETE/TRUNCATE
-- from loader/app (crmhub.security.provision), and retention deletes old rows only through this function,
-- which refuses a cutoff younger than the access log's retention in the map (copied here at each upgrade).

CREATE TABLE ops.retention_floor (
    place   text PRIMARY KEY,
    seconds bigint NOT NULL CHECK (seconds > 0)
);

CREATE FUNCTION secure.purge_access_log(p_before timestamptz)
    RETURNS TABLE (rows bigint, sha256 text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    floor_s bigint;
BEGIN
    SELECT f.seconds INTO floor_s FROM ops.retention_floor f WHERE f.place = 'access_log';
    IF floor_s IS NULL THEN
        RAISE EXCEPTION 'no retention for the access log recorded (run crmhub db upgrade)' USING ERRCODE = '55000';
    END IF;
    IF p_before > now() - make_interval(secs => floor_s) THEN
        RAISE EXCEPTION 'access-log rows are kept % days; % is too recent a cutoff', floor_s / 86400, p_before
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY
    WITH gone AS (DELETE FROM ops.access_log a WHERE a.read_at < p_before RETURNING a.*)
    SELECT count(*), encode(sha256(convert_to(string_agg(to_jsonb(gone)::text, '' ORDER BY gone.access_id), 'UTF8')), 'hex')
      FROM gone;
END;
$$;
REVOKE ALL ON FUNCTION secure.purge_access_log(timestamptz) FROM PUBLIC;
