"""Each side of a rule reads that system's own view of the data *as of a cutoff* (deterministic reruns).

* **Connector side** (``staging.<connector>``): only rows of loads with ``ops.loads.status = 'loaded'`` and
  ``finished_at < cutoff``, and whose ``timestamp_source`` is ``< cutoff`` (or null); of those, the latest
  version per external id (``timestamp_source`` desc, then load finish time desc, then ``row_no`` desc).
  Rows marked deleted drop out. The external id is mapped to a crmhub id through ``core.external_id``
  (``system`` of the connector, the side's ``object``), crosswalk rows first seen before the cutoff; an id
  without one keys as ``<system>:<external id>`` (it is then missing on the other side).
* **Core side** (``core.<table>``): rebuilt from ``core.field_changes`` (the per-field view of
  ``core.change_log``): per crmhub id and field the last ``new_value`` changed before the cutoff. A row exists when its crosswalk row (``system``, ``object``;
  written in the same transaction as the core row) was first seen before the cutoff and its last
  ``_deleted`` before the cutoff is not ``true``. Approved amendments write ``change_log`` and so count; pending frozen
  deltas do not.

Loads, changes and crosswalk rows after the cutoff never change the answer for that date.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import psycopg
from psycopg import sql

from crmhub.config.integration_map import IntegrationMap
from crmhub.reconcile.rules import Side, system_of


def read_side(conn: psycopg.Connection, imap: IntegrationMap, side: Side, cutoff: datetime) -> pd.DataFrame:
    """Columns ``key`` (crmhub id text), ``ref`` (the system's own id) and one text column per mapped field."""
    if side.connector:
        return _read_connector(conn, imap, side, cutoff)
    return _read_core(conn, imap, side, cutoff)


def _frame(cur, names: list[str]) -> pd.DataFrame:
    rows = cur.fetchall()
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    return frame.sort_values("key", kind="stable").reset_index(drop=True)


def _read_connector(conn, imap, side: Side, cutoff: datetime) -> pd.DataFrame:
    I = sql.Identifier  # noqa: E741, N806
    connector = imap.connector(side.connector)
    pk = next((f.name for f in connector.fields if f.target == "external_id"), connector.primary_key)
    ts = connector.timestamp_source
    names = list(side.fields)
    cols = sql.SQL("").join(sql.SQL(", s.{}::text").format(I(c)) for c in side.fields.values())
    require = sql.SQL("").join(sql.SQL(" AND s.{} IS NOT NULL").format(I(c)) for c in side.require)
    query = sql.SQL(
        """
        SELECT coalesce(x.crmhub_id::text, %(system)s || ':' || s.{pk}::text) AS key, s.{pk}::text AS ref {cols}
          FROM (SELECT DISTINCT ON (s.{pk}) s.*
                  FROM staging.{stg} s
                  JOIN ops.loads l ON l.load_id = s.load_id
                 WHERE l.connector = %(connector)s AND l.status = 'loaded' AND l.finished_at < %(cutoff)s
                   AND (s.{ts} IS NULL OR s.{ts} < %(cutoff)s)
                 ORDER BY s.{pk}, s.{ts} DESC NULLS LAST, l.finished_at DESC, s.row_no DESC) s
          LEFT JOIN core.external_id x
            ON x.system = %(system)s AND x.object = %(object)s AND x.external_id = s.{pk}::text
           AND x.first_seen_at < %(cutoff)s
         WHERE NOT coalesce(s.deleted, false) {require}
        """
    ).format(pk=I(pk), ts=I(ts), stg=I(connector.name), cols=cols, require=require)
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"staging.{connector.name}",)).fetchone()[0]
    if not exists:
        return pd.DataFrame(columns=["key", "ref", *names], dtype=object)
    cur = conn.execute(query, {"system": connector.system, "connector": connector.name, "object": side.object,
                               "cutoff": cutoff})
    return _frame(cur, ["key", "ref", *names])


def _read_core(conn, imap, side: Side, cutoff: datetime) -> pd.DataFrame:
    names = list(side.fields)
    columns = list(side.fields.values())
    wanted = sorted(set(columns) | set(side.require) | {"_deleted"})
    picks = sql.SQL("").join(
        sql.SQL(", max(c.new_value) FILTER (WHERE c.field = {})").format(sql.Literal(col)) for col in columns
    )
    require = sql.SQL("").join(
        sql.SQL(" AND max(c.new_value) FILTER (WHERE c.field = {}) IS NOT NULL").format(sql.Literal(col))
        for col in side.require
    )
    query = sql.SQL(
        """
        WITH ids AS (
            SELECT x.crmhub_id, min(x.external_id) AS ref
              FROM core.external_id x
             WHERE x.system = %(system)s AND x.object = %(object)s AND x.core_table = %(table)s
               AND x.first_seen_at < %(cutoff)s
             GROUP BY x.crmhub_id
        ), c AS (
            SELECT DISTINCT ON (l.crmhub_id, l.field) l.crmhub_id, l.field, l.new_value
              FROM core.field_changes l JOIN ids ON ids.crmhub_id = l.crmhub_id
             WHERE l.core_table = %(table)s AND l.changed_at < %(cutoff)s AND l.field = ANY(%(fields)s)
             ORDER BY l.crmhub_id, l.field, l.changed_at DESC, l.change_id DESC
        )
        SELECT ids.crmhub_id::text AS key, ids.ref {picks}
          FROM ids LEFT JOIN c ON c.crmhub_id = ids.crmhub_id
         GROUP BY ids.crmhub_id, ids.ref
        HAVING coalesce(max(c.new_value) FILTER (WHERE c.field = '_deleted'), 'false') <> 'true' {require}
        """
    ).format(picks=picks, require=require)
    cur = conn.execute(query, {"system": system_of(imap, side), "object": side.object, "table": side.core,
                               "cutoff": cutoff, "fields": wanted})
    return _frame(cur, ["key", "ref", *names])
