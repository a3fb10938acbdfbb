-- Raw landings hold one row per source batch: the batch's bytes plus per-record byte offsets (tables are
-- created by crmhub.ingest.tables). raw.<connector>_records views turn a record's bytes back into text
-- with this function: UTF-8 (files in other encodings are transcoded when read), without the record's
-- line end; NUL bytes (which PostgreSQL text cannot hold) are dropped.
CREATE FUNCTION raw.record_text(record bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    p integer;
BEGIN
    LOOP
        p := position('\x00'::bytea IN record);
        EXIT WHEN p = 0;
        record := overlay(record PLACING ''::bytea FROM p FOR 1);
    END LOOP;
    RETURN rtrim(convert_from(record, 'UTF8'), E'\r\n');
END
$$;
