"""Set-based merge of ``staging.<connector>`` into the core model through ``core.external_id``.

For one load, in SQL only (no Python per row), inside the caller's transaction:

1. **Duplicates**: rows of the load sharing an external id are ranked by the connector's ``timestamp_source``
   (latest wins; ties: the later row in the source wins). Losers go to ``ops.quarantine`` with rule
   ``superseded_duplicate``, naming the winner's locator.
2. **Late updates**: a winner older than the version already in core for that external id (``source_updated_at``
   newer) is superseded too (rule ``superseded_duplicate``, naming the load that holds the newer version).
3. **Unchanged rows**: the crosswalk row of the connector's own object keeps ``row_hash``, the hash of the source
   row last applied (every contract field + the delete mark). A winner with the same hash, whose core row still
   holds this connector's version (same source timestamp, same connector, same deleted state), is recognised by
   one join and touches nothing: no crosswalk, core or change-log write. The merge costs what changed.
4. **Targets**: each target table gets the changed winners. The connector's first ``targets`` entry is keyed by
   the external id (``core.external_id`` object = connector object); ``entity``/``fund`` rows derived from
   another object are keyed by their normalised name (object ``entity_by_name`` / ``fund_by_name``); other
   derived tables by the external id (object ``<object>.<table>``). New keys get a crmhub_id, a version-7 UUID
   (``_NEW_ID``: time-ordered, so the crmhub-id btrees grow at their right edge), and crosswalk rows inserted
   set-wise (a plain INSERT; ``ON CONFLICT`` only after a concurrent load created one of the keys). A key longer than ``MAX_KEY_CHARS`` is stored as ``md5:<hex>``.
5. **Write**: new rows are inserted, existing rows updated under last-write-wins on ``source_updated_at``
   (``_LWW``); ``enrichment`` fields never overwrite a value with null. Links (``contact.entity_id``,
   ``commitment.contact_id`` ...) are set from the same row. Owner = the person a ``<table>.owner`` field names
   (a source user id mapped through ``people``' ``crm_owner_id``, :func:`_owner_exprs`; ``owner_source``
   ``record``), else the connector owner (``record_unmapped``: an id no person has; ``connector``: no id);
   ``source_lineage`` = {system, connector, load_id, locator}; ``confidence`` = the row's contract confidence
   when the row is created (identity resolution owns it after).
6. **Change log** (``core.change_log``, see :mod:`crmhub.warehouse.changelog`): a created record is one
   ``_created`` row holding its non-null values; an updated record one row per changed field (before, after).
   A change that loses last-write-wins writes nothing.
7. **Deletes**: a row the source marks deleted (API ``archived``, tombstone) soft-deletes the connector's own
   core row (``deleted_at`` / ``deleted_by`` = connector) under the same rule; a newer non-deleted version
   re-creates it (clears ``deleted_at``). Both are logged as field ``_deleted``.
8. **Frozen critical fields**: a ``commitment``/``deal`` row that reached the accept stage (``_FROZEN``: its stage
   is ``stages.accept_stage`` or ``accepted_at`` is set) keeps its ``amount``. A different amount that would
   have won last-write-wins is written to ``core.field_deltas`` (status ``pending``) instead; the rest of the
   row is updated and ``change_log`` gets no amount change. Only an approved amendment
   (``crmhub.reconcile.amend``) applies such a delta. ``accepted_at`` is set (source timestamp) when a row's
   stage first becomes the accept stage.

The per-connector part - which tables, keys, columns, links, enrichment and frozen columns - is an
:class:`UpsertPlan` built once per load by :func:`build_plan`; the predicates (``_LWW``, ``_FROZEN``) and the
incoming-value rule (:meth:`TablePlan.incoming`) are written once here and used by every statement.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from crmhub.config.integration_map import Connector
from crmhub.ingest.tables import staging_table
from crmhub.warehouse.changelog import CREATED

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
#: ``work_mem`` of the merge's transaction (its hash joins and sorts span a whole load)
WORK_MEM = "256MB"
#: ``random_page_cost`` of the merge's transaction
RANDOM_PAGE_COST = "1.1"
#: a load of more staged rows than this joins the crosswalk by hash, never by per-row index probes
BULK_ROWS = 5000
#: Required columns the contract may not map (insert only), per table.
INSERT_DEFAULTS = {
    "entity": {"entity_type": sql.Literal("lp"), "name": sql.SQL("s._key")},
    "fund": {"name": sql.SQL("s._key")},
    "deal": {"name": sql.SQL("s._key")},
    "interaction": {"kind": sql.Literal("event"), "occurred_at": sql.SQL("s._ts")},
}

I = sql.Identifier  # noqa: E741
#: Last-write-wins: the incoming row (``s``) may change the core row (``t``).
_LWW = sql.SQL("(t.source_updated_at IS NULL OR s._ts IS NULL OR s._ts >= t.source_updated_at)")
#: The core row (``t``) reached the accept stage: its frozen fields keep their value.
_FROZEN = sql.SQL("(t.stage = %(accept)s OR t.accepted_at IS NOT NULL)")
#: A new crmhub id: a version-7 UUID (RFC 9562: 48-bit Unix milliseconds, then random bits). Ids made by one load
#: sort together, so the btree indexes on crmhub ids (core primary keys, the crosswalk, the change log) take
#: them at their right edge instead of on random pages all over an index larger than the buffer cache.
_NEW_ID = sql.SQL(
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING "
    "substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), "
    "52, 1), 53, 1), 'hex')::uuid"
)
_LINEAGE = sql.SQL(
    "jsonb_build_object('system', %(system)s::text, 'connector', %(connector)s::text, "
    "'load_id', %(load)s::text, 'locator', s._locator)"
)


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
    #: winners recognised as unchanged (same row hash): nothing written for them
    unchanged: int = 0


@dataclass(frozen=True)
class TablePlan:
    """How one core table is written from the load's winners (``w``)."""

    table: str
    object: str                      # crosswalk object
    key: sql.Composable              # key expression over ``w`` (md5 when too long)
    by_name: bool                    # several winners may share a key: the latest wins
    primary: bool                    # the connector's own object (row hash, deletes)
    columns: dict[str, str]          # core column -> source field
    enrichment: frozenset[str]       # core columns that never overwrite a value with null
    frozen: tuple[str, ...]          # core columns frozen at the accept stage
    links: dict[str, str]            # core column -> linked table of this plan
    defaults: dict[str, sql.Composable] = field(default_factory=dict)
    accepted_at: bool = False        # set accepted_at when the stage first becomes the accept stage
    #: core columns whose incoming value is an expression over ``w`` rather than the field itself (the owner)
    derived: dict[str, sql.Composable] = field(default_factory=dict)
    #: bookkeeping columns written with the row from an expression over ``w``, no source field's change (not in
    #: the change log): ``owner_source``
    meta: dict[str, sql.Composable] = field(default_factory=dict)

    @property
    def src(self) -> sql.Identifier:
        return I(f"_src_{self.table}")

    def incoming(self, col: str, *, keep_frozen: bool = True) -> sql.Composable:
        """The value the merge gives ``t.<col>`` from ``s.<col>`` (enrichment keeps a value over null; a frozen
        column of an accepted row keeps its value)."""
        value = sql.SQL("coalesce(s.{c}, t.{c})" if col in self.enrichment else "s.{c}").format(c=I(col))
        if keep_frozen and col in self.frozen:
            value = sql.SQL("CASE WHEN {f} THEN t.{c} ELSE {v} END").format(f=_FROZEN, c=I(col), v=value)
        return value


@dataclass(frozen=True)
class UpsertPlan:
    connector: Connector
    pk_field: str
    ts_field: str
    primary: str
    tables: tuple[TablePlan, ...]

    @property
    def pk(self) -> sql.Identifier:
        return I(self.pk_field)

    @property
    def ts(self) -> sql.Identifier:
        return I(self.ts_field)

    @property
    def row_hash(self) -> sql.Composable:
        """Hash of a staged row (alias ``w``): every contract field and the delete mark."""
        cols = [sql.SQL("w.{}").format(I(f)) for f in self.connector.field_names]
        return sql.SQL("hash_record_extended(row({}, coalesce(w.deleted, false)), 0)").format(sql.SQL(", ").join(cols))

    def table(self, name: str) -> TablePlan:
        return next(t for t in self.tables if t.table == name)

    def params(self, load_id: str, accept_stage: str) -> dict:
        c = self.connector
        return {"load": load_id, "connector": c.name, "system": c.system, "object": c.object,
                "pk_name": self.pk_field, "ts_name": self.ts_field, "accept": accept_stage}


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


def _owner_exprs(connector: Connector, columns: dict[str, str], known: set[str]
                 ) -> tuple[dict[str, sql.Composable], dict[str, sql.Composable]]:
    """(derived, meta): ``owner`` of a table whose ``owner`` a field targets, and ``owner_source`` where the table
    has it.

    The field holds a source user id (HubSpot's ``hubspot_owner_id``); its contract's ``persons`` map ids to
    people. An id no person has, or no id, leaves the connector's owner (``owner_source`` says which).
    """
    if "owner" not in columns:
        return {}, {}
    contract = connector.field(columns["owner"])
    ref = sql.SQL("nullif(btrim(w.{}::text), '')").format(I(contract.name))
    person = sql.SQL("({}::jsonb ->> {})").format(sql.Literal(json.dumps(dict(contract.persons))), ref)
    derived = {"owner": sql.SQL("coalesce({}, {})").format(person, sql.Literal(connector.owner))}
    meta = {}
    if "owner_source" in known:
        meta["owner_source"] = sql.SQL(
            "CASE WHEN {p} IS NOT NULL THEN 'record' WHEN {r} IS NOT NULL THEN 'record_unmapped' ELSE 'connector' END"
        ).format(p=person, r=ref)
    return derived, meta


def _core_columns(conn: psycopg.Connection) -> dict[str, set[str]]:
    rows = conn.execute(  # pg_catalog: information_schema.columns costs ~10 ms per load
        "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'core' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped "
        # the columns information_schema.columns shows: owned, or with some privilege on the column
        "AND (pg_has_role(c.relowner, 'USAGE') "
        "OR has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def _capped(key: sql.Composable) -> sql.Composable:
    # btree keys must stay small: a very long key (a 2 MB company name) is stored as its md5
    return sql.SQL("(CASE WHEN length({k}) > {n} THEN 'md5:' || md5({k}) ELSE {k} END)").format(
        k=key, n=sql.Literal(MAX_KEY_CHARS))


def build_plan(connector: Connector, core_cols: dict[str, set[str]]) -> UpsertPlan:
    """The merge of ``connector`` into the core tables as they are (``core_cols``: table -> columns)."""
    pk_field, mapping = _mapping(connector)
    primary = connector.targets[0]
    wanted = [t for t in TABLE_ORDER if t in set(connector.targets) | set(mapping)]
    keys: dict[str, tuple[sql.Composable, str]] = {}
    for table in wanted:
        if table == primary:
            keys[table] = (sql.SQL("w.{}::text").format(I(pk_field)), connector.object)
        elif table in BY_NAME:
            name_field = mapping.get(table, {}).get("name")
            if not name_field:
                log.warning("%s: %s has no %s.name target; not derived", connector.name, table, table)
                continue
            keys[table] = (sql.SQL("lower(btrim(w.{}::text))").format(I(name_field)), BY_NAME[table])
        else:
            keys[table] = (sql.SQL("w.{}::text").format(I(pk_field)), f"{connector.object}.{table}")
    enrichment_fields = {f.name for f in connector.fields if f.enrichment}
    plans = []
    for table in [t for t in wanted if t in keys]:
        known = core_cols.get(table, set())
        columns = mapping.get(table, {})
        unknown = [c for c in columns if c not in known]
        if unknown:
            log.warning("%s: core.%s has no column(s) %s; those targets are skipped", connector.name, table, unknown)
        columns = {c: f for c, f in columns.items() if c in known}
        derived, meta = _owner_exprs(connector, columns, known)
        links = {col: other for col, other in LINKS.get(table, {}).items()
                 if other in keys and other != table and col in known}
        plans.append(TablePlan(
            table=table, object=keys[table][1], key=_capped(keys[table][0]), by_name=table in BY_NAME,
            primary=table == primary, columns=columns,
            enrichment=frozenset(c for c, f in columns.items() if f in enrichment_fields),
            frozen=tuple(c for c in FROZEN_FIELDS.get(table, ()) if c in columns), links=links,
            defaults={c: e for c, e in INSERT_DEFAULTS.get(table, {}).items() if c not in columns},
            accepted_at=table in FROZEN_FIELDS and "stage" in columns and "accepted_at" in known,
            derived=derived, meta=meta,
        ))
    return UpsertPlan(connector=connector, pk_field=pk_field, ts_field=connector.timestamp_source, primary=primary,
                      tables=tuple(plans))


def upsert_load(conn: psycopg.Connection, connector: Connector, load_id: str, *,
                accept_stage: str | None = None) -> UpsertResult:
    """Merge the staged rows of ``load_id`` into core (inside the caller's transaction).

    Args:
        accept_stage: the stage at which amounts freeze (default: ``stages.accept_stage`` of the map).
    """
    plan = build_plan(connector, _core_columns(conn))
    params = plan.params(load_id, accept_stage or _map_accept_stage())
    # set-based statements over whole loads: JIT compilation costs more than it saves, for this transaction only
    conn.execute("SET LOCAL jit = off")
    # hash joins and sorts over a whole load in memory rather than in temp-file batches (4 MB default)
    conn.execute(sql.SQL("SET LOCAL work_mem = {}").format(sql.Literal(WORK_MEM)))
    # the core tables' indexes are hot (the merge itself reads them): a few hundred index probes for the rows a
    # snapshot changed beat a full scan of a core table, which the default (spinning-disk) cost of 4 prefers
    conn.execute(sql.SQL("SET LOCAL random_page_cost = {}").format(sql.Literal(RANDOM_PAGE_COST)))
    duplicates, staged = _rank(conn, plan, params)
    refresh_stale_stats(conn, stats_tables(connector))
    late, unchanged, changed = _winners(conn, plan, params, duplicates, staged)
    counts = {tp.table: _write_table(conn, plan, tp, params) if changed else 0 for tp in plan.tables}
    return UpsertResult(loaded=changed + unchanged, superseded=duplicates + late, tables=counts, unchanged=unchanged)


def _rank(conn: psycopg.Connection, plan: UpsertPlan, params: dict) -> tuple[int, int]:
    """``_losers``: rows of the load whose external id has a later version in the same load, quarantined.

    One hash aggregate over the load counts its rows and the external ids that occur more than once; only
    those are ranked, so a load without duplicates sorts nothing and reads staging once. Returns the number of
    losers and of staged rows.
    """
    stg = staging_table(plan.connector)
    conn.execute("DROP TABLE IF EXISTS _losers, _win")
    staged, repeated = conn.execute(
        sql.SQL("SELECT coalesce(sum(n), 0), count(*) FILTER (WHERE n > 1) FROM "
                "(SELECT count(*) AS n FROM {stg} WHERE load_id = %(load)s GROUP BY {pk}) g").format(stg=stg, pk=plan.pk),
        params,
    ).fetchone()
    if not repeated:
        conn.execute("CREATE TEMP TABLE _losers (row_no bigint) ON COMMIT DROP")
        return 0, int(staged)
    conn.execute(
        sql.SQL(
            """
            CREATE TEMP TABLE _losers ON COMMIT DROP AS
            SELECT * FROM (
                SELECT s.load_id, s.row_no, s.locator, s.{pk}::text AS _pk,
                       row_number() OVER w AS _rn, first_value(s.locator) OVER w AS _winner
                  FROM {stg} s
                 WHERE s.load_id = %(load)s
                   AND s.{pk} IN (SELECT d.{pk} FROM {stg} d WHERE d.load_id = %(load)s
                                   GROUP BY d.{pk} HAVING count(*) > 1)
                WINDOW w AS (PARTITION BY s.{pk} ORDER BY s.{ts} DESC NULLS LAST, s.row_no DESC)
            ) r WHERE r._rn > 1
            """
        ).format(stg=stg, pk=plan.pk, ts=plan.ts),
        params,
    )
    losers = conn.execute(
        """
        INSERT INTO ops.quarantine (load_id, connector, locator, field, rule, value, reason)
        SELECT load_id, %(connector)s, locator, %(pk_name)s, 'superseded_duplicate', _pk,
               'duplicate external id in this load: superseded by ' || _winner || ' (latest '
               || %(ts_name)s || ' wins)'
          FROM _losers
        """,
        params,
    ).rowcount
    return losers, int(staged)


def _winners(conn: psycopg.Connection, plan: UpsertPlan, params: dict, duplicates: int, staged: int
             ) -> tuple[int, int, int]:
    """``_win``: the winners that change something. Returns (late, unchanged, changed) row counts.

    One join with the crosswalk and the primary core table finds, per winner, its crmhub id, whether core
    holds a newer version (late: quarantined) and whether core holds exactly this version (unchanged).
    Unchanged winners are counted, never copied: ``_win`` keeps the late and the changed ones only.
    """
    tp = plan.table(plan.primary)
    # the staging table's statistics predate this load's rows: for a large load, say hash joins outright
    conn.execute("SET LOCAL enable_nestloop = %s" % ("off" if staged > BULK_ROWS else "on"))
    kept = conn.execute(
        sql.SQL(
            """
            CREATE TEMP TABLE _win ON COMMIT DROP AS
            SELECT * FROM (
                SELECT w.*, x.crmhub_id AS _xid, h._hash,
                       CASE WHEN t.source_updated_at > w.{ts}
                            THEN coalesce(t.source_lineage->>'load_id', '?') END AS newer_load,
                       coalesce(x.row_hash = h._hash AND t.source_updated_at IS NOT DISTINCT FROM w.{ts}
                                AND t.source_lineage->>'connector' = %(connector)s
                                AND (t.deleted_at IS NOT NULL) = coalesce(w.deleted, false), false) AS _same
                  FROM {stg} w
                  CROSS JOIN LATERAL (SELECT {hash} AS _hash) h
                  LEFT JOIN core.external_id x
                    ON x.system = %(system)s AND x.object = %(object)s AND x.external_id = {key}
                  LEFT JOIN core.{primary} t ON t.crmhub_id = x.crmhub_id
                 WHERE w.load_id = %(load)s AND w.row_no NOT IN (SELECT row_no FROM _losers)
            ) v WHERE NOT v._same OR v.newer_load IS NOT NULL
            """
        ).format(hash=plan.row_hash, ts=plan.ts, key=tp.key, primary=I(plan.primary), stg=staging_table(plan.connector)),
        params,
    ).rowcount
    conn.execute("SET LOCAL enable_nestloop = on")
    late = conn.execute(
        sql.SQL(
            """
            INSERT INTO ops.quarantine (load_id, connector, locator, field, rule, value, reason)
            SELECT load_id, %(connector)s, locator, %(pk_name)s, 'superseded_duplicate', {pk}::text,
                   'older than the version already loaded (load ' || newer_load || '); latest timestamp wins'
              FROM _win WHERE newer_load IS NOT NULL
            """
        ).format(pk=plan.pk),
        params,
    ).rowcount
    if late:
        conn.execute("DELETE FROM _win WHERE newer_load IS NOT NULL")
    return late, staged - duplicates - kept, kept - late


def stats_tables(connector: Connector) -> list[str]:
    """The ``core`` tables an upsert of ``connector`` joins against: the crosswalk and its targets."""
    return ["external_id", *dict.fromkeys([*connector.targets, *_mapping(connector)[1]])]


def refresh_stale_stats(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """ANALYZE the ``core`` tables of ``tables`` whose statistics are stale; returns the ones analyzed.

    The late-update check and the crosswalk joins probe ``core.external_id`` and the target tables. With
    statistics that predate a bulk load (autovacuum lags behind a backfill, or is off), the planner takes
    those tables for near-empty and joins every staged row against every core row: a backfill then slows
    down chunk after chunk. ``SKIP_LOCKED``: a table being analyzed by a concurrent load is left to it.
    Runs once per load (each backfill chunk is a load). Inside a load's transaction the new statistics are
    visible to other sessions only at its commit, so a caller that can (a backfill chunk) runs this in
    autocommit mode before the load.
    """
    stale = conn.execute(
        """SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname = 'core' AND s.relname = ANY(%s)
              AND s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0)
            ORDER BY s.relname""",
        (tables, STALE_MIN_ROWS, STALE_FRACTION),
    ).fetchall()
    for (table,) in stale:
        conn.execute("SELECT ops.analyze_core(%s)", (table,))  # as the owner: loads run as loader/app
    return [t for (t,) in stale]


def _write_table(conn: psycopg.Connection, plan: UpsertPlan, tp: TablePlan, params: dict) -> int:
    """Merge the changed winners into ``core.<tp.table>``; returns rows inserted + updated."""
    p = dict(params, core_table=tp.table, tobject=tp.object)
    _stage_source(conn, plan, tp, p)
    new_keys, known_keys = conn.execute(
        sql.SQL("SELECT count(*) FILTER (WHERE _xnew), count(*) FILTER (WHERE NOT _xnew) FROM {}").format(tp.src)
    ).fetchone()
    # Statements about existing rows run only when some key already existed: on a first load the core tables'
    # statistics still say "empty" while this transaction fills them, and a join planned on that is quadratic.
    known_keys += _write_crosswalk(conn, tp, p, new_keys=new_keys, known_keys=known_keys)
    if tp.frozen and known_keys:
        _record_frozen_deltas(conn, tp, p)
    _log_changes(conn, tp, p, known_keys=known_keys)
    return _insert_new(conn, plan, tp, p) + (_update_existing(conn, plan, tp, p) if known_keys else 0)


def _stage_source(conn: psycopg.Connection, plan: UpsertPlan, tp: TablePlan, p: dict) -> None:
    """``_src_<table>``: one row per key with its columns, link keys and crmhub id (new keys get a new one)."""
    select_cols = [sql.SQL("{} AS {}").format(tp.derived.get(c) or sql.SQL("w.{}").format(I(f)), I(c))
                   for c, f in tp.columns.items()]
    select_cols += [sql.SQL("{} AS {}").format(expr, I(c)) for c, expr in tp.meta.items()]
    select_cols += [sql.SQL("{} AS {}").format(plan.table(other).key, I(f"_lk_{other}"))
                    for other in sorted(set(tp.links.values()))]
    if tp.primary:  # the crosswalk was joined by _winners
        inner_xid, xid, join = sql.SQL("w._xid"), sql.SQL("r._x0"), sql.SQL("")
    else:  # joined after the latest row per key is picked: a by-name table has far fewer keys than rows
        inner_xid, xid = sql.SQL("NULL::uuid"), sql.SQL("x.crmhub_id")
        join = sql.SQL("LEFT JOIN core.external_id x "
                       "ON x.system = %(system)s AND x.object = %(tobject)s AND x.external_id = r._key")
    # byte order ("C") for the sort that picks the latest row per key: the same groups, without the locale's
    # string comparison (the costliest part of sorting a whole load by a text key)
    distinct = sql.SQL('DISTINCT ON (k._key COLLATE "C")') if tp.by_name else sql.SQL("")
    order = (sql.SQL('ORDER BY k._key COLLATE "C", w.{} DESC NULLS LAST, w.row_no DESC').format(plan.ts)
             if tp.by_name else sql.SQL(""))
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(tp.src))
    conn.execute(
        sql.SQL(
            """
            CREATE TEMP TABLE {src} ON COMMIT DROP AS
            SELECT r.*, coalesce({xid}, {new_id}) AS _id, {xid} IS NULL AS _xnew, {xid} IS NULL AS _new
              FROM (SELECT {distinct} k._key, {cols}
                           w.{ts} AS _ts, w.confidence AS _conf, w.locator AS _locator, {deleted} AS _deleted,
                           {hash} AS _hash, {inner_xid} AS _x0
                      FROM _win w CROSS JOIN LATERAL (SELECT {key} AS _key OFFSET 0) k
                     WHERE nullif(k._key, '') IS NOT NULL
                     {order}) r
              {join}
            """
        ).format(
            src=tp.src, distinct=distinct, key=tp.key, new_id=_NEW_ID, ts=plan.ts, xid=xid, inner_xid=inner_xid,
            join=join, order=order, cols=sql.SQL("").join(sql.SQL("{}, ").format(c) for c in select_cols),
            deleted=sql.SQL("coalesce(w.deleted, false)") if tp.primary else sql.SQL("false"),
            hash=sql.SQL("w._hash") if tp.primary else sql.SQL("NULL::bigint"),
        ),
        p,
    )
    conn.execute(sql.SQL("ANALYZE {}").format(tp.src))  # temp tables are never auto-analyzed: real row counts


def _write_crosswalk(conn: psycopg.Connection, tp: TablePlan, p: dict, *, new_keys: int, known_keys: int) -> int:
    """New keys into ``core.external_id``; the primary's changed rows get their new row hash.

    Returns the number of keys a concurrent load created meanwhile: they are known keys from here on (their
    rows are updated, not inserted a second time).
    """
    taken = 0
    if new_keys:
        inserted = _insert_crosswalk(conn, tp, p)
        if inserted < new_keys:  # a concurrent load created some of these keys: take its crmhub ids
            taken = conn.execute(
                sql.SQL(
                    "UPDATE {src} s SET _id = x.crmhub_id, _xnew = false, _new = false FROM core.external_id x "
                    "WHERE s._xnew AND x.system = %(system)s AND x.object = %(tobject)s AND x.external_id = s._key "
                    "AND x.crmhub_id <> s._id"
                ).format(src=tp.src),
                p,
            ).rowcount
    if not known_keys + taken:
        return taken
    if tp.primary:
        conn.execute(
            sql.SQL(
                """
                UPDATE core.external_id x SET row_hash = s._hash, last_seen_at = now() FROM {src} s
                 WHERE NOT s._xnew AND x.system = %(system)s AND x.object = %(tobject)s AND x.external_id = s._key
                """
            ).format(src=tp.src),
            p,
        )
    # a crosswalk row whose core row is missing (written by another path): the row is created here
    conn.execute(
        sql.SQL(
            "UPDATE {src} s SET _new = true WHERE NOT s._xnew "
            "AND NOT EXISTS (SELECT 1 FROM core.{table} t WHERE t.crmhub_id = s._id)"
        ).format(src=tp.src, table=I(tp.table)),
        p,
    )
    return taken


def _insert_crosswalk(conn: psycopg.Connection, tp: TablePlan, p: dict) -> int:
    """Crosswalk rows for the new keys; returns how many were inserted.

    The keys were new when ``_src_<table>`` was built, so a plain INSERT is tried first (in a savepoint): it
    costs less than ``ON CONFLICT`` (no speculative insertion: no extra index probe and WAL record per row).
    Only when a concurrent load created one of these keys since (a unique violation) is it repeated with
    ``ON CONFLICT DO NOTHING``.
    """
    insert = sql.SQL(
        "INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table, row_hash) "
        "SELECT %(system)s, %(tobject)s, _key, _id, %(core_table)s, _hash FROM {src} WHERE _xnew"
    ).format(src=tp.src)
    try:
        with conn.transaction():
            return conn.execute(insert, p).rowcount
    except psycopg.errors.UniqueViolation:
        return conn.execute(insert + sql.SQL(" ON CONFLICT (system, object, external_id) DO NOTHING"), p).rowcount


def _record_frozen_deltas(conn: psycopg.Connection, tp: TablePlan, p: dict) -> int:
    """One ``core.field_deltas`` row per frozen field that this load would change on an accepted row.

    Same last-write-wins rule as the merge; a change equal to a delta already pending is not recorded twice.
    """
    fields = [sql.SQL("({name}, t.{c}::text, ({new})::text)").format(
        name=sql.Literal(col), c=I(col), new=tp.incoming(col, keep_frozen=False)) for col in tp.frozen]
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
             WHERE {frozen} AND {lww}
               AND c.old IS DISTINCT FROM c.new
               AND NOT EXISTS (SELECT 1 FROM core.field_deltas d
                                WHERE d.core_table = %(core_table)s AND d.crmhub_id = s._id AND d.field = c.field
                                  AND d.status = 'pending' AND d.new_value IS NOT DISTINCT FROM c.new)
            """
        ).format(src=tp.src, table=I(tp.table), fields=sql.SQL(", ").join(fields), frozen=_FROZEN, lww=_LWW),
        p,
    ).rowcount


def _log_changes(conn: psycopg.Connection, tp: TablePlan, p: dict, *, known_keys: int) -> int:
    """``core.change_log`` for what the coming writes change: one ``_created`` row per new record (its non-null
    values), one row per changed field of an updated record (same last-write-wins rule)."""
    created = [sql.SQL("{}, s.{}::text").format(sql.Literal(c), I(c)) for c in tp.columns]
    if tp.primary:
        created.append(sql.SQL("'_deleted', CASE WHEN s._deleted THEN 'true' END"))
    n = 0
    if created:
        n += conn.execute(
            sql.SQL(
                """
                INSERT INTO core.change_log (core_table, crmhub_id, field, created_values, source_system, connector,
                                             load_id, source_ts, actor)
                SELECT %(core_table)s, s._id, {created}, v.vals, %(system)s, %(connector)s, %(load)s, s._ts,
                       %(connector)s
                  FROM {src} s CROSS JOIN LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object({pairs})) AS vals) v
                 WHERE s._new AND v.vals <> '{{}}'::jsonb
                """
            ).format(created=sql.Literal(CREATED), src=tp.src, pairs=sql.SQL(", ").join(created)),
            p,
        ).rowcount
    fields = [sql.SQL("({name}, t.{c}::text, ({new})::text)").format(name=sql.Literal(c), c=I(c), new=tp.incoming(c))
              for c in tp.columns]
    if tp.primary:
        fields.append(sql.SQL("('_deleted', (t.deleted_at IS NOT NULL)::text, s._deleted::text)"))
    if fields and known_keys:
        n += conn.execute(
            sql.SQL(
                """
                INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system,
                                             connector, load_id, source_ts, actor)
                SELECT %(core_table)s, s._id, c.field, c.old, c.new, %(system)s, %(connector)s, %(load)s, s._ts,
                       %(connector)s
                  FROM {src} s
                  JOIN core.{table} t ON t.crmhub_id = s._id
                 CROSS JOIN LATERAL (VALUES {fields}) AS c(field, old, new)
                 WHERE NOT s._new AND {lww} AND c.old IS DISTINCT FROM c.new
                """
            ).format(src=tp.src, table=I(tp.table), fields=sql.SQL(", ").join(fields), lww=_LWW),
            p,
        ).rowcount
    return n


def _link_joins(tp: TablePlan) -> sql.Composable:
    return sql.SQL(" ").join(
        sql.SQL("LEFT JOIN {o} {a} ON {a}._key = s.{k}").format(
            o=I(f"_src_{other}"), a=I(f"l_{col}"), k=I(f"_lk_{other}"))
        for col, other in tp.links.items()
    )


def _insert_new(conn: psycopg.Connection, plan: UpsertPlan, tp: TablePlan, p: dict) -> int:
    c = plan.connector
    cols: list[str] = ["crmhub_id", *tp.columns, *tp.meta]
    values: list[sql.Composable] = [sql.SQL("s._id")] + [sql.SQL("s.{}").format(I(col)) for col in cols[1:]]
    for col in tp.links:
        cols.append(col)
        values.append(sql.SQL("{}._id").format(I(f"l_{col}")))
    for col, expr in tp.defaults.items():
        cols.append(col)
        values.append(expr)
    if "owner" not in tp.columns:
        cols.append("owner")
        values.append(sql.Literal(c.owner))
    cols += ["confidence", "source_system", "source_lineage", "source_updated_at"]
    values += [sql.SQL("s._conf"), sql.Literal(c.system), _LINEAGE, sql.SQL("s._ts")]
    if tp.accepted_at:
        cols.append("accepted_at")
        values.append(sql.SQL("CASE WHEN s.stage = %(accept)s THEN coalesce(s._ts, now()) END"))
    if tp.primary:
        cols += ["deleted_at", "deleted_by"]
        values += [sql.SQL("CASE WHEN s._deleted THEN now() END"),
                   sql.SQL("CASE WHEN s._deleted THEN %(connector)s::text END")]
    return conn.execute(
        sql.SQL("INSERT INTO core.{table} ({cols}) SELECT {vals} FROM {src} s {joins} WHERE s._new").format(
            table=I(tp.table), cols=sql.SQL(", ").join(map(I, cols)), vals=sql.SQL(", ").join(values),
            src=tp.src, joins=_link_joins(tp)),
        p,
    ).rowcount


def _update_existing(conn: psycopg.Connection, plan: UpsertPlan, tp: TablePlan, p: dict) -> int:
    sets = [sql.SQL("{} = {}").format(I(col), tp.incoming(col)) for col in tp.columns]
    sets += [sql.SQL("{c} = s.{c}").format(c=I(col)) for col in tp.meta]
    for col in tp.links:
        sets.append(sql.SQL("{c} = coalesce({a}._id, t.{c})").format(c=I(col), a=I(f"l_{col}")))
    if tp.accepted_at:
        sets.append(sql.SQL("accepted_at = coalesce(t.accepted_at, "
                            "CASE WHEN s.stage = %(accept)s THEN coalesce(s._ts, now()) END)"))
    # ``confidence`` is the contract's score only for a new row; afterwards identity resolution owns it
    # (Identity_Confidence, crmhub.identity), so a later load never lifts a record off its hold.
    sets += [sql.SQL("source_lineage = {}").format(_LINEAGE), sql.SQL("source_updated_at = s._ts")]
    if tp.primary:  # soft delete keeps the first deletion time; a newer live version re-creates the row
        sets.append(sql.SQL("deleted_at = CASE WHEN s._deleted THEN coalesce(t.deleted_at, now()) END"))
        sets.append(sql.SQL("deleted_by = CASE WHEN s._deleted THEN coalesce(t.deleted_by, %(connector)s::text) END"))
    sets.append(sql.SQL("updated_at = now()"))
    return conn.execute(
        sql.SQL(
            "UPDATE core.{table} AS t SET {sets} FROM {src} s {joins} "
            "WHERE t.crmhub_id = s._id AND NOT s._new AND {lww}"
        ).format(table=I(tp.table), sets=sql.SQL(", ").join(sets), src=tp.src, joins=_link_joins(tp), lww=_LWW),
        p,
    ).rowcount
