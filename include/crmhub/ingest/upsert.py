"""Set-based upsert from ``staging.<connector>`` into the core model through ``core.external_id``.

For one load, in SQL only (no Python per row):

1. Duplicates: rows of the load sharing an external id are ranked by the connector's
   ``timestamp_source`` (latest wins; ties: the later row in the source wins). Losers go to
   ``ops.quarantine`` with rule ``superseded_duplicate``, naming the winner's locator.
2. Rows older than the version already in core for that external id (``source_updated_at`` newer) are
   superseded too (rule ``superseded_duplicate``, naming the load that holds the newer version).
3. Each target table gets the winners: the connector's first ``targets`` entry is keyed by the external
   id (``core.external_id`` object = connector object); ``entity``/``fund`` rows derived from another
   object are keyed by their normalised name (object ``entity_by_name`` / ``fund_by_name``); other
   derived tables by the external id (object ``<object>.<table>``). New keys get a crmhub_id. A key
   longer than ``MAX_KEY_CHARS`` is stored as ``md5:<hex>`` (btree index entries are size-limited).
4. Upsert with last-write-wins on ``source_updated_at``; ``enrichment`` fields never overwrite a value
   with null. Links (``contact.entity_id``, ``commitment.contact_id`` ...) are set from the same row.
   Owner = connector owner; ``source_lineage`` = {system, connector, load_id, locator};
   ``confidence`` = the row's contract confidence when the row is created (identity resolution owns it after).

5. Every applied change writes ``core.change_log`` rows (field, before, after, source timestamp, load):
   one per changed field of an updated row, one per non-null field of a new row. A change that loses
   last-write-wins writes nothing.
6. Deletes: a row the source marks deleted (API ``archived``, tombstone) soft-deletes the connector's own
   core row (``deleted_at`` / ``deleted_by`` = connector) under the same last-write-wins rule; a newer
   non-deleted version re-creates it (clears ``deleted_at``). Both are logged as field ``_deleted``.
7. Frozen critical fields: a ``commitment``/``deal`` row that reached the accept stage (``stages.accept_stage``:
   its stage is the accept stage or ``accepted_at`` is set) keeps its ``amount``. A different amount that
   would have won last-write-wins is written to ``core.field_deltas`` (status ``pending``) instead, by one
   set-based INSERT ... SELECT just before the upsert; the rest of the row is updated as usual and ``change_log`` gets no amount
   change. Only an approved amendment (``crmhub.reconcile.amend``) applies such a delta. ``accepted_at`` is
   set (source timestamp) when a row's stage first becomes the accept stage.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import psycopg
from psycopg import sql

from crmhub.config.integration_map import Connector
from crmhub.ingest.tables import staging_table

log = logging.getLogger(__name__)

TABLE_ORDER = ("entity", "fund", "contact", "deal", "commitment", "interaction")
LINKS = {
    "contact": {"entity_id": "entity"},
    "commitment": {"entity_id": "entity", "contact_id": "contact", "fund_id": "fund"},
    "deal": {"company_id": "entity", "fund_id": "fund"},
    "interaction": {"contact_id": "contact", "entity_id": "entity"},
}
BY_NAME = {"entity": "entity_by_name", "fund": "fund_by_name"}
MAX_KEY_CHARS = 512
#: Planner statistics of a core table are refreshed by the upsert when more rows changed since its last
#: ANALYZE than ``STALE_MIN_ROWS + STALE_FRACTION * rows`` (see ``refresh_stale_stats``).
STALE_MIN_ROWS = 1000
STALE_FRACTION = 0.2
#: Fields frozen once a row reaches the accept stage, per core table.
FROZEN_FIELDS = {"commitment": ("amount",), "deal": ("amount",)}
DEFAULT_ACCEPT_STAGE = "accepted"


@functools.lru_cache(maxsize=1)
def _map_accept_stage() -> str:
    try:
        from crmhub.config import load_integration_map

        return load_integration_map().stages.get("accept_stage") or DEFAULT_ACCEPT_STAGE
    except Exception:  # noqa: BLE001 - no readable map: the documented default stage
        log.warning("integration map not readable; accept stage defaults to %r", DEFAULT_ACCEPT_STAGE)
        return DEFAULT_ACCEPT_STAGE


@dataclass(frozen=True)
class UpsertResult:
    loaded: int
    superseded: int
    tables: dict[str, int]


def _mapping(connector: Connector) -> tuple[str, dict[str, dict[str, str]]]:
    pk = connector.primary_key
    mapping: dict[str, dict[str, str]] = {}
    for f in connector.fields:
        if not f.target:
            continue
        if f.target == "external_id":
            pk = f.name
            continue
        table, column = f.target.split(".", 1)
        mapping.setdefault(table, {})[column] = f.name
    return pk, mapping


def _core_columns(conn: psycopg.Connection) -> dict[str, set[str]]:
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'core'"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def upsert_load(conn: psycopg.Connection, connector: Connector, load_id: str, *,
                accept_stage: str | None = None) -> UpsertResult:
    """Upsert the staged rows of ``load_id`` into core (inside the caller's transaction).

    Args:
        accept_stage: the stage at which amounts freeze (default: ``stages.accept_stage`` of the map).
    """
    pk_field, mapping = _mapping(connector)
    ts_field = connector.timestamp_source
    primary = connector.targets[0]
    system = connector.system
    I = sql.Identifier  # noqa: E741, N806
    pk, ts = I(pk_field), I(ts_field)
    params = {"load": load_id, "connector": connector.name, "system": system, "object": connector.object,
              "pk_name": pk_field, "ts_name": ts_field, "accept": accept_stage or _map_accept_stage()}
    conn.execute("DROP TABLE IF EXISTS _ranked, _win")
    conn.execute(
        sql.SQL(
            """
            CREATE TEMP TABLE _ranked ON COMMIT DROP AS
            SELECT s.*,
                   row_number() OVER w AS _rn,
                   first_value(s.locator) OVER w AS _winner
              FROM {stg} s
             WHERE s.load_id = %(load)s
            WINDOW w AS (PARTITION BY s.{pk} ORDER BY s.{ts} DESC NULLS LAST, s.row_no DESC)
            """
        ).format(stg=staging_table(connector), pk=pk, ts=ts),
        params,
    )
    conn.execute("ANALYZE _ranked")  # temp tables are never auto-analyzed: give the planner the load's size
    refresh_stale_stats(conn, stats_tables(connector))
    dup = conn.execute(
        sql.SQL(
            """
            INSERT INTO ops.quarantine (load_id, connector, locator, field, rule, value, reason)
            SELECT load_id, %(connector)s, locator, %(pk_name)s, 'superseded_duplicate', {pk}::text,
                   'duplicate external id in this load: superseded by ' || _winner || ' (latest '
                   || %(ts_name)s || ' wins)'
              FROM _ranked WHERE _rn > 1
            """
        ).format(pk=pk),
        params,
    ).rowcount
    conn.execute(
        sql.SQL(
            """
            CREATE TEMP TABLE _win ON COMMIT DROP AS
            SELECT r.*, older.newer_load
              FROM _ranked r
              LEFT JOIN (
                    -- one row per external id (the crosswalk key is unique): a hash join, not a per-row probe
                    SELECT x.external_id, t.source_updated_at,
                           coalesce(t.source_lineage->>'load_id', '?') AS newer_load
                      FROM core.external_id x JOIN core.{primary} t ON t.crmhub_id = x.crmhub_id
                     WHERE x.system = %(system)s AND x.object = %(object)s
              ) older ON older.external_id = r.{pk}::text AND older.source_updated_at > r.{ts}
             WHERE r._rn = 1
            """
        ).format(primary=I(primary), pk=pk, ts=ts),
        params,
    )
    old = conn.execute(
        sql.SQL(
            """
            INSERT INTO ops.quarantine (load_id, connector, locator, field, rule, value, reason)
            SELECT load_id, %(connector)s, locator, %(pk_name)s, 'superseded_duplicate', {pk}::text,
                   'older than the version already loaded (load ' || newer_load || '); latest timestamp wins'
              FROM _win WHERE newer_load IS NOT NULL
            """
        ).format(pk=pk),
        params,
    ).rowcount
    conn.execute("DELETE FROM _win WHERE newer_load IS NOT NULL")
    loaded = conn.execute("SELECT count(*) FROM _win").fetchone()[0]

    core_cols = _core_columns(conn)
    tables = [t for t in TABLE_ORDER if t in set(connector.targets) | set(mapping)]
    keys: dict[str, sql.Composable] = {}
    objects: dict[str, str] = {}
    for table in tables:
        if table == primary:
            keys[table] = sql.SQL("w.{}::text").format(pk)
            objects[table] = connector.object
        elif table in BY_NAME:
            name_field = mapping.get(table, {}).get("name")
            if not name_field:
                log.warning("%s: %s has no %s.name target; not derived", connector.name, table, table)
                continue
            keys[table] = sql.SQL("lower(btrim(w.{}::text))").format(I(name_field))
            objects[table] = BY_NAME[table]
        else:
            keys[table] = sql.SQL("w.{}::text").format(pk)
            objects[table] = f"{connector.object}.{table}"
    # btree keys must stay small: a very long key (a 2 MB company name) is stored as its md5
    keys = {
        t: sql.SQL("(CASE WHEN length({k}) > {n} THEN 'md5:' || md5({k}) ELSE {k} END)").format(
            k=k, n=sql.Literal(MAX_KEY_CHARS)
        )
        for t, k in keys.items()
    }
    counts: dict[str, int] = {}
    for table in [t for t in tables if t in keys]:
        counts[table] = _upsert_table(conn, connector, table, keys, objects, mapping.get(table, {}), core_cols, params,
                                      primary=table == primary)
    return UpsertResult(loaded=int(loaded), superseded=int(dup + old), tables=counts)


def stats_tables(connector: Connector) -> list[str]:
    """The ``core`` tables an upsert of ``connector`` joins against: the crosswalk and its targets."""
    return ["external_id", *dict.fromkeys([*connector.targets, *_mapping(connector)[1]])]


def refresh_stale_stats(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """ANALYZE the ``core`` tables of ``tables`` whose statistics are stale; returns the ones analyzed.

    The late-update check and the crosswalk joins probe ``core.external_id`` and the target tables. With
    statistics that predate a bulk load (autovacuum lags behind a backfill, or is off), the planner takes
    those tables for near-empty and joins every staged row against every core row: a backfill then slows
    down chunk after chunk. ``SKIP_LOCKED``: a table being analyzed by a concurrent load is left to it.
    Inside a load's transaction the new statistics are visible to other sessions only at its commit, so a
    caller that can (a backfill chunk) runs this in autocommit mode before the load.
    """
    stale = conn.execute(
        """SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname = 'core' AND s.relname = ANY(%s)
              AND s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0)
            ORDER BY s.relname""",
        (tables, STALE_MIN_ROWS, STALE_FRACTION),
    ).fetchall()
    for (table,) in stale:
        conn.execute(sql.SQL("ANALYZE (SKIP_LOCKED) core.{}").format(sql.Identifier(table)))
    return [t for (t,) in stale]


def _upsert_table(conn, connector, table, keys, objects, columns, core_cols, params, *, primary: bool) -> int:
    I = sql.Identifier  # noqa: E741, N806
    known = core_cols.get(table, set())
    unknown = [c for c in columns if c not in known]
    if unknown:
        log.warning("%s: core.%s has no column(s) %s; those targets are skipped", connector.name, table, unknown)
    columns = {c: f for c, f in columns.items() if c in known}
    links = {col: other for col, other in LINKS.get(table, {}).items() if other in keys and other != table}
    src = f"_src_{table}"
    select_cols = [sql.SQL("w.{} AS {}").format(I(f), I(c)) for c, f in columns.items()]
    select_cols += [sql.SQL("{} AS {}").format(keys[other], I(f"_lk_{other}")) for other in set(links.values())]
    p = dict(params, core_table=table, tobject=objects[table])
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(I(src)))
    conn.execute(
        sql.SQL(
            """
            CREATE TEMP TABLE {src} ON COMMIT DROP AS
            SELECT DISTINCT ON (_key) {key} AS _key, {cols}
                   w.{ts} AS _ts, w.confidence AS _conf, w.locator AS _locator, {deleted} AS _deleted
              FROM _win w
             WHERE nullif({key}, '') IS NOT NULL
             ORDER BY _key, w.{ts} DESC NULLS LAST, w.row_no DESC
            """
        ).format(
            src=I(src), key=keys[table], ts=I(connector.timestamp_source),
            cols=sql.SQL("").join(sql.SQL("{}, ").format(c) for c in select_cols),
            deleted=sql.SQL("coalesce(w.deleted, false)") if primary else sql.SQL("false"),
        ),
        p,
    )
    conn.execute(
        sql.SQL(
            """
            INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table)
            SELECT %(system)s, %(tobject)s, _key, gen_random_uuid(), %(core_table)s FROM {src}
            ON CONFLICT (system, object, external_id) DO UPDATE SET last_seen_at = now()
            """
        ).format(src=I(src)),
        p,
    )
    conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN _id uuid").format(I(src)))
    conn.execute(
        sql.SQL(
            "UPDATE {src} s SET _id = x.crmhub_id FROM core.external_id x "
            "WHERE x.system = %(system)s AND x.object = %(tobject)s AND x.external_id = s._key"
        ).format(src=I(src)),
        p,
    )
    insert_cols = ["crmhub_id", *columns]
    values = [sql.SQL("s._id")] + [sql.SQL("s.{}").format(I(c)) for c in columns]
    joins = []
    for col, other in links.items():
        if col in known:
            alias = I(f"l_{other}")
            insert_cols.append(col)
            values.append(sql.SQL("{}._id").format(alias))
            joins.append(
                sql.SQL("LEFT JOIN {} {} ON {}._key = s.{}").format(I(f"_src_{other}"), alias, alias, I(f"_lk_{other}"))
            )
    # required columns that the contract may not map (insert only)
    defaults = {
        "entity": {"entity_type": sql.Literal("lp"), "name": sql.SQL("s._key")},
        "fund": {"name": sql.SQL("s._key")},
        "deal": {"name": sql.SQL("s._key")},
        "interaction": {"kind": sql.Literal("event"), "occurred_at": sql.SQL("s._ts")},
    }.get(table, {})
    for col, expr in defaults.items():
        if col not in columns:
            insert_cols.append(col)
            values.append(expr)
    insert_cols += ["owner", "confidence", "source_system", "source_lineage", "source_updated_at"]
    values += [
        sql.Literal(connector.owner), sql.SQL("s._conf"), sql.Literal(connector.system),
        sql.SQL(
            "jsonb_build_object('system', %(system)s::text, 'connector', %(connector)s::text, "
            "'load_id', %(load)s::text, 'locator', s._locator)"
        ),
        sql.SQL("s._ts"),
    ]
    enrichment = {f.name for f in connector.fields if f.enrichment}
    frozen = [c for c in FROZEN_FIELDS.get(table, ()) if c in columns]
    frozen_when = sql.SQL("(t.stage = %(accept)s OR t.accepted_at IS NOT NULL)")
    if frozen:
        _record_frozen_deltas(conn, table, src, frozen, {c for c, f in columns.items() if f in enrichment}, p)
    if table in FROZEN_FIELDS and "stage" in columns and "accepted_at" in known:
        insert_cols.append("accepted_at")
        values.append(sql.SQL("CASE WHEN s.stage = %(accept)s THEN coalesce(s._ts, now()) END"))
    _log_changes(conn, table, src, columns, {c for c, f in columns.items() if f in enrichment}, p, primary=primary,
                 frozen=frozen)
    if primary:
        insert_cols += ["deleted_at", "deleted_by"]
        values += [sql.SQL("CASE WHEN s._deleted THEN now() END"),
                   sql.SQL("CASE WHEN s._deleted THEN %(connector)s::text END")]
    sets = []
    for col, fname in columns.items():
        new = sql.SQL("coalesce(EXCLUDED.{c}, t.{c})" if fname in enrichment else "EXCLUDED.{c}").format(c=I(col))
        if col in frozen:  # frozen at the accept stage: keep the value; the change went to core.field_deltas
            new = sql.SQL("CASE WHEN {w} THEN t.{c} ELSE {n} END").format(w=frozen_when, c=I(col), n=new)
        sets.append(sql.SQL("{c} = {n}").format(c=I(col), n=new))
    if "accepted_at" in insert_cols:
        sets.append(sql.SQL("accepted_at = coalesce(t.accepted_at, EXCLUDED.accepted_at)"))
    for col in links:
        if col in known:
            sets.append(sql.SQL("{c} = coalesce(EXCLUDED.{c}, t.{c})").format(c=I(col)))
    # ``confidence`` is the contract's score only for a new row; afterwards identity resolution owns it
    # (Identity_Confidence, crmhub.identity), so a later load never lifts a record off its hold.
    for col in ("source_lineage", "source_updated_at"):
        sets.append(sql.SQL("{c} = EXCLUDED.{c}").format(c=I(col)))
    if primary:  # soft delete keeps the first deletion time; a newer live version re-creates the row
        sets.append(sql.SQL("deleted_at = CASE WHEN EXCLUDED.deleted_at IS NULL THEN NULL "
                            "ELSE coalesce(t.deleted_at, EXCLUDED.deleted_at) END"))
        sets.append(sql.SQL("deleted_by = CASE WHEN EXCLUDED.deleted_at IS NULL THEN NULL "
                            "ELSE coalesce(t.deleted_by, EXCLUDED.deleted_by) END"))
    sets.append(sql.SQL("updated_at = now()"))
    stmt = sql.SQL(
        """
        INSERT INTO core.{table} AS t ({cols})
        SELECT {vals} FROM {src} s {joins}
        ON CONFLICT (crmhub_id) DO UPDATE SET {sets}
        WHERE t.source_updated_at IS NULL OR EXCLUDED.source_updated_at IS NULL
           OR EXCLUDED.source_updated_at >= t.source_updated_at
        """
    ).format(
        table=I(table), cols=sql.SQL(", ").join(map(I, insert_cols)), vals=sql.SQL(", ").join(values),
        src=I(src), joins=sql.SQL(" ").join(joins), sets=sql.SQL(", ").join(sets),
    )
    return conn.execute(stmt, p).rowcount


def _record_frozen_deltas(conn, table: str, src: str, frozen: list[str], keep_on_null: set[str], params: dict) -> int:
    """One ``core.field_deltas`` row per frozen field that this load would change on an accepted row.

    Same last-write-wins rule as the upsert; a change equal to a delta already pending is not recorded twice.
    """
    I = sql.Identifier  # noqa: E741, N806
    fields = []
    for col in frozen:
        new = (sql.SQL("coalesce(s.{c}, t.{c})::text") if col in keep_on_null else sql.SQL("s.{c}::text")).format(
            c=I(col))
        fields.append(sql.SQL("({name}, t.{c}::text, {new})").format(name=sql.Literal(col), c=I(col), new=new))
    return conn.execute(
        sql.SQL(
            """
            INSERT INTO core.field_deltas (core_table, crmhub_id, field, old_value, new_value, source, actor,
                                           load_id, source_ts, reason)
            SELECT %(core_table)s, s._id, c.field, c.old, c.new, %(system)s || ':' || %(connector)s,
                   %(connector)s, %(load)s, s._ts,
                   'frozen at stage ' || %(accept)s || ': change not applied, needs an approved amendment'
              FROM {src} s
              JOIN core.{table} t ON t.crmhub_id = s._id
             CROSS JOIN LATERAL (VALUES {fields}) AS c(field, old, new)
             WHERE (t.stage = %(accept)s OR t.accepted_at IS NOT NULL)
               AND (t.source_updated_at IS NULL OR s._ts IS NULL OR s._ts >= t.source_updated_at)
               AND c.old IS DISTINCT FROM c.new
               AND NOT EXISTS (SELECT 1 FROM core.field_deltas d
                                WHERE d.core_table = %(core_table)s AND d.crmhub_id = s._id AND d.field = c.field
                                  AND d.status = 'pending' AND d.new_value IS NOT DISTINCT FROM c.new)
            """
        ).format(src=I(src), table=I(table), fields=sql.SQL(", ").join(fields)),
        params,
    ).rowcount


def _log_changes(conn, table: str, src: str, columns: dict[str, str], keep_on_null: set[str], params: dict, *,
                 primary: bool, frozen: list[str] | tuple = ()) -> int:
    """Write ``core.change_log`` for what the coming upsert of ``src`` will change (same last-write-wins rule)."""
    I = sql.Identifier  # noqa: E741, N806
    fields = []
    for col in columns:
        new = (sql.SQL("coalesce(s.{c}, t.{c})::text") if col in keep_on_null else sql.SQL("s.{c}::text")).format(
            c=I(col))
        if col in frozen:  # an accepted row keeps its frozen value: nothing to log (the delta is recorded)
            new = sql.SQL("CASE WHEN t.stage = %(accept)s OR t.accepted_at IS NOT NULL THEN t.{c}::text "
                          "ELSE {n} END").format(c=I(col), n=new)
        fields.append(sql.SQL("({name}, t.{c}::text, {new})").format(name=sql.Literal(col), c=I(col), new=new))
    if primary:
        fields.append(sql.SQL("('_deleted', CASE WHEN t.crmhub_id IS NULL THEN NULL "
                              "ELSE (t.deleted_at IS NOT NULL)::text END, s._deleted::text)"))
    if not fields:
        return 0
    return conn.execute(
        sql.SQL(
            """
            INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system,
                                         connector, load_id, source_ts, actor)
            SELECT %(core_table)s, s._id, c.field, c.old, c.new, %(system)s, %(connector)s, %(load)s, s._ts,
                   %(connector)s
              FROM {src} s
              LEFT JOIN core.{table} t ON t.crmhub_id = s._id
             CROSS JOIN LATERAL (VALUES {fields}) AS c(field, old, new)
             WHERE (t.crmhub_id IS NULL OR t.source_updated_at IS NULL OR s._ts IS NULL
                    OR s._ts >= t.source_updated_at)
               AND c.old IS DISTINCT FROM c.new
               AND NOT (t.crmhub_id IS NULL AND (c.new IS NULL OR c.field = '_deleted' AND c.new = 'false'))
            """
        ).format(src=I(src), table=I(table), fields=sql.SQL(", ").join(fields)),
        params,
    ).rowcount
