"""The one-screen report printed at the end of ``crmhub demo`` (and by ``crmhub report``).

Each capability contributes a section: a function ``(conn) -> list[str]``. A section whose tables
do not exist yet says so instead of failing, so the report works at every stage of the project.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

Section = Callable[[psycopg.Connection], list[str]]


def _exists(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None


def warehouse_section(conn: psycopg.Connection) -> list[str]:
    migrations = conn.execute("SELECT count(*) FROM ops.schema_migrations").fetchone()[0]
    counts = []
    for table in ("entity", "contact", "fund", "commitment", "deal", "interaction", "external_id"):
        counts.append(f"{table}={conn.execute(f'SELECT count(*) FROM core.{table}').fetchone()[0]}")
    return [f"migrations applied: {migrations}", "core rows: " + "  ".join(counts)]


def ingestion_section(conn: psycopg.Connection) -> list[str]:
    if not _exists(conn, "ops.loads"):
        return ["(ingestion not built yet)"]
    rows = conn.execute(
        """SELECT connector, count(*), sum(rows_read), sum(loaded), sum(quarantined), sum(rejected)
           FROM ops.loads GROUP BY connector ORDER BY connector"""
    ).fetchall()
    lines = [f"{'connector':24} {'loads':>5} {'read':>8} {'loaded':>8} {'quarant.':>8} {'rejected':>8}"]
    lines += [f"{c:24} {n:>5} {r or 0:>8} {lo or 0:>8} {q or 0:>8} {rej or 0:>8}" for c, n, r, lo, q, rej in rows]
    if _exists(conn, "ops.connector_state"):
        frozen = [r[0] for r in conn.execute("SELECT connector FROM ops.connector_state WHERE frozen").fetchall()]
        lines.append("frozen connectors: " + (", ".join(frozen) or "none"))
    return lines


def _health(conn: psycopg.Connection) -> list[str]:
    from crmhub.health.report import health_section

    return health_section(conn)


def _ops(conn: psycopg.Connection) -> list[str]:
    from crmhub.ops.report import ops_section

    return ops_section(conn)


def reverse_etl_section(conn: psycopg.Connection) -> list[str]:
    if not _exists(conn, "ops.reverse_etl_runs"):
        return ["(reverse ETL not built yet)"]
    rows = conn.execute(
        """SELECT DISTINCT ON (sync_name) sync_name, run_id, status, records_changed, records_held, records_sent,
                  records_failed, records_created, api_calls
             FROM ops.reverse_etl_runs WHERE kind = 'sync' ORDER BY sync_name, run_id DESC""").fetchall()
    lines = [f"{'sync':22} {'run':>4} {'status':8} {'changed':>7} {'held':>5} {'sent':>6} {'failed':>6} "
             f"{'created':>7} {'calls':>5}"]
    lines += [f"{s:22} {r:>4} {st:8} {c:>7} {h:>5} {se:>6} {f:>6} {cr:>7} {a:>5}"
              for s, r, st, c, h, se, f, cr, a in rows]
    return lines if rows else ["(no reverse ETL runs yet)"]


def flows_section(conn: psycopg.Connection) -> list[str]:
    """Every field_map flow with its SLA met rate and the sync that carries it (crmhub.reverse_etl.flows)."""
    if not _exists(conn, "ops.reverse_etl_runs") or not _exists(conn, "ops.sla_results"):
        return ["(flows not built yet)"]
    from crmhub.config import load_integration_map
    from crmhub.reverse_etl.flows import flow_status

    return [f.line() for f in flow_status(conn, load_integration_map())]


def cdc_section(conn: psycopg.Connection) -> list[str]:
    runs = conn.execute(
        """SELECT kind, count(*), sum(records_total), round(max(lag_min_p95)::numeric, 2)
             FROM ops.sync_runs GROUP BY kind ORDER BY kind""").fetchall()
    lines = ["sync runs: " + ", ".join(f"{k} {n} ({r or 0} records, lag p95 max "
                                        f"{'-' if lag is None else f'{lag} min'})" for k, n, r, lag in runs)]
    hooks = dict(conn.execute("SELECT sync_status, count(*) FROM ops.webhook_events GROUP BY 1").fetchall())
    rejected = conn.execute("SELECT count(*) FROM ops.webhook_rejections").fetchone()[0]
    lines.append(f"webhook events: {sum(hooks.values())} stored "
                 + "(" + ", ".join(f"{k} {v}" for k, v in sorted(hooks.items())) + f"), {rejected} rejected")
    changes = conn.execute(
        "SELECT count(*) FILTER (WHERE field = '_created'), count(*) FILTER (WHERE field <> '_created'), "
        "count(*) FILTER (WHERE field = '_deleted' AND new_value = 'true' "
        "OR field = '_created' AND created_values->>'_deleted' = 'true') FROM core.change_log"
    ).fetchone()
    lines.append(f"change log: {changes[0]} records created, {changes[1]} field changes, {changes[2]} soft deletes")
    return lines


def identity_section(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        """SELECT DISTINCT ON (kind) kind, records, clusters, deterministic_links, merges_applied, review_pending,
                  holds_open, duplicate_rate, meets_target
             FROM ops.identity_runs ORDER BY kind, run_id DESC""").fetchall()
    if not rows:
        return ["(identity resolution has not run yet)"]
    return [f"{k:8} records {r:>5}  clusters {c:>5}  auto-links {d:>4}  merges {m:>4}  review queue {p:>4}  "
            f"held <60: {h:>4}  duplicate rate {float(dr) * 100:.2f} % ({'meets' if ok else 'misses'} < 2 %)"
            for k, r, c, d, m, p, h, dr, ok in rows]


def outreach_section(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        """SELECT automation, decision, split_part(reason, ':', 1), count(*) FROM ops.outreach_decisions
            WHERE final AND NOT dry_run GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC""").fetchall()
    if not rows:
        return ["(no outreach decisions yet)"]
    lines = [f"{a}: {d} {n} ({reason})" for a, d, reason, n in rows]
    sent = conn.execute("SELECT count(*) FROM ops.outbox WHERE status = 'sent'").fetchone()[0]
    alerts = conn.execute("SELECT count(*) FROM ops.outreach_alerts").fetchone()[0]
    lines.append(f"emails sent: {sent}; bulk-import / cap alerts: {alerts}")
    return lines


def reconciliation_section(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        """SELECT DISTINCT ON (rule) rule, logical_date, left_total, right_total, delta_pct, threshold_pct, breached,
                  diff_count FROM ops.reconciliation_runs ORDER BY rule, logical_date DESC""").fetchall()
    if not rows:
        return ["(no reconciliation runs yet)"]
    return [f"{r:28} {d}  delta {float(dp):7.2f} % (threshold {float(t):g} %)  "
            f"{'BREACH' if b else 'ok':6} {n} differing records" for r, d, _lt, _rt, dp, t, b, n in rows]


SECTIONS: list[tuple[str, Section]] = [
    ("Warehouse", warehouse_section),
    ("Ingestion", ingestion_section),
    ("CDC and webhooks", cdc_section),
    ("Identity", identity_section),
    ("Integration health", _health),
    ("Reconciliation", reconciliation_section),
    ("Reverse ETL", reverse_etl_section),
    ("Field-map flows", flows_section),
    ("Outreach", outreach_section),
    ("Operations and incidents", _ops),
]


def render(url: str) -> str:
    out: list[str] = []
    with psycopg.connect(url) as conn:
        for title, section in SECTIONS:
            out.append(f"== {title}")
            try:
                out.extend("   " + line for line in section(conn))
            except psycopg.Error as exc:
                conn.rollback()
                out.append(f"   (section failed: {exc.__class__.__name__}: {exc})")
    return "\n".join(out)
