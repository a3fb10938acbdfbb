-- secure.unmask(): in tables that log values of other columns (change_log, field_deltas: core_table + field),
-- old_value/new_value take each row's class from the field it logs, not the column's class. Finance may read
-- amount changes there (and a steward email changes); a caller granted no sensitive class is refused, rows of a
-- class the caller may not unmask are left out (as before), and the access log names the rows' classes.

CREATE OR REPLACE FUNCTION secure.unmask(p_table text, p_columns text[], p_reason text, p_keys text[] DEFAULT NULL,
                              p_limit integer DEFAULT 1000)
    RETURNS SETOF jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col        text;
    cls        text;
    classes    text[] := '{}';
    key_col    text;
    n          bigint;
    pairs      text := '';
    row_filter text := '';
    row_classed boolean;
    by_row     boolean := false;
    granted    text[];
    row_classes text[];
BEGIN
    IF coalesce(btrim(p_reason), '') = '' THEN
        RAISE EXCEPTION 'secure.unmask needs a reason (why you read unmasked values)' USING ERRCODE = '22023';
    END IF;
    IF p_columns IS NULL OR cardinality(p_columns) = 0 THEN
        RAISE EXCEPTION 'secure.unmask needs at least one column' USING ERRCODE = '22023';
    END IF;
    SELECT coalesce(array_agg(DISTINCT g.data_class), '{}') INTO granted
      FROM ops.unmask_grants g WHERE pg_has_role(session_user, g.role_name, 'MEMBER');
    row_classed := EXISTS (SELECT 1 FROM ops.data_classes d WHERE d.table_name = p_table AND d.column_name = 'core_table')
               AND EXISTS (SELECT 1 FROM ops.data_classes d WHERE d.table_name = p_table AND d.column_name = 'field');
    FOREACH col IN ARRAY p_columns LOOP
        SELECT d.data_class INTO cls FROM ops.data_classes d WHERE d.table_name = p_table AND d.column_name = col;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'core.%.% is not a classified column', p_table, col USING ERRCODE = '42703';
        END IF;
        IF row_classed AND col IN ('old_value', 'new_value') THEN
            -- the value's class is the logged field's: checked per row below
            IF cardinality(granted) = 0 THEN
                RAISE EXCEPTION 'role % may not read values unmasked (core.%.%)', session_user, p_table, col
                    USING ERRCODE = '42501', HINT = 'ask for membership of a role listed under security.unmask';
            END IF;
            by_row := true;
        ELSIF cls IN ('pii_contact', 'pii_tax', 'financial') AND NOT cls = ANY(granted) THEN
            RAISE EXCEPTION 'role % may not read % values unmasked (core.%.%)', session_user, cls, p_table, col
                USING ERRCODE = '42501', HINT = 'ask for membership of a role listed under security.unmask';
        ELSE
            classes := classes || cls;
        END IF;
        pairs := pairs || format(', %L, t.%I', col, col);
    END LOOP;
    SELECT a.attname INTO key_col
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
     WHERE i.indrelid = format('core.%I', p_table)::regclass AND i.indisprimary;
    IF row_classed THEN
        -- rows whose logged field is of a class the caller may not unmask are left out
        row_filter := ' AND NOT EXISTS (SELECT 1 FROM ops.data_classes d WHERE d.table_name = t.core_table'
            || ' AND d.column_name = t.field AND d.data_class IN (''pii_contact'', ''pii_tax'', ''financial'')'
            || ' AND NOT d.data_class = ANY($3))';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT jsonb_build_object(%L, t.%I%s) FROM core.%I t WHERE ($1 IS NULL OR t.%I::text = ANY($1))%s ORDER BY t.%I LIMIT $2',
        key_col, key_col, pairs, p_table, key_col, row_filter, key_col)
        USING p_keys, p_limit, granted;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF by_row THEN
        EXECUTE format(
            'SELECT coalesce(array_agg(DISTINCT coalesce(d.data_class, ''internal'')), ''{}'') FROM (SELECT t.core_table, t.field'
            || ' FROM core.%I t WHERE ($1 IS NULL OR t.%I::text = ANY($1))%s ORDER BY t.%I LIMIT $2) s'
            || ' LEFT JOIN ops.data_classes d ON d.table_name = s.core_table AND d.column_name = s.field',
            p_table, key_col, row_filter, key_col)
            INTO row_classes USING p_keys, p_limit, granted;
        classes := classes || ARRAY(SELECT c FROM unnest(row_classes) c WHERE NOT c = ANY(classes) ORDER BY c);
    END IF;
    INSERT INTO ops.access_log (who, db_role, via, table_name, fields, classes, row_count, reason)
    VALUES (coalesce(nullif(current_setting('crmhub.actor', true), ''), session_user), session_user,
            coalesce(nullif(current_setting('crmhub.via', true), ''), 'sql'), p_table, p_columns, classes, n, p_reason);
END;
$$;
REVOKE ALL ON FUNCTION secure.unmask(text, text[], text, text[], integer) FROM PUBLIC;
