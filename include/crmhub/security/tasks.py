"""Task bodies for the health DAG: the weekly permissions audit and the daily retention purge.

``crmhub_health`` runs every few minutes; each body runs its job only when the last run is older than
its interval (``ops.security_audit_runs`` / ``ops.retention_runs``), so one call per task suffices.
"""

from __future__ import annotations

from crmhub.config import IntegrationMap
from crmhub.security.audit import record_findings
from crmhub.security.retention import purge
from crmhub.warehouse import connect

WEEK_S = 7 * 86400
DAY_S = 86400


def _due(url: str, table: str, column: str, every_s: int) -> bool:
    with connect(url) as conn:
        last = conn.execute(f"SELECT now() - max({column}) > make_interval(secs => %s) OR max({column}) IS NULL "
                            f"FROM {table}", (every_s,)).fetchone()[0]
    return bool(last)


def weekly_security_audit(url: str, imap: IntegrationMap | None = None, *, every_s: int = WEEK_S) -> dict:
    """Audit the warehouse (its own connection counts as the application connection) when a week has passed;
    findings go to ``ops.security_findings``, a new one opens a ``security_finding`` incident."""
    if not _due(url, "ops.security_audit_runs", "run_at", every_s):
        return {"skipped": "audited less than a week ago"}
    return record_findings(url, imap, connections={"crmhub_warehouse": url})


def daily_retention(url: str, imap: IntegrationMap | None = None, *, every_s: int = DAY_S) -> dict:
    """Purge past retention once a day; returns rows purged per place (counts and hashes are in ops.retention_runs)."""
    if not _due(url, "ops.retention_runs", "started_at", every_s):
        return {"skipped": "purged less than a day ago"}
    report = purge(url, imap, actor="crmhub_health")
    return {"run_id": report.run_id, **{place: info["rows"] for place, info in report.purged.items()}}
