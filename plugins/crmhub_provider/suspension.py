"""Go-live mode and freeze-all in Airflow: a suspended task ends **skipped**, its reason in the task log.

The rule is the core's :func:`crmhub.ops.golive.suspension_reason` (everything frozen, or a go-live window
in force and the item not ``critical`` in the map); this module only turns its answer into Airflow's
skip. Tasks call :func:`skip_if_suspended` first thing (one connector / sync), or :func:`runnable` when
one task works through several items (outreach automations).
"""

from __future__ import annotations

import logging

from airflow.exceptions import AirflowSkipException

log = logging.getLogger(__name__)


def _reasons(kind: str, names: list[str], warehouse_url: str | None, imap) -> dict[str, str | None]:
    from crmhub.config import load_integration_map
    from crmhub.ops.golive import suspension_reason
    from crmhub.warehouse import connect

    if warehouse_url is None:
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        warehouse_url = CrmHubWarehouseHook().warehouse_url()
    imap = imap or load_integration_map()
    with connect(warehouse_url) as conn:
        return {name: suspension_reason(conn, imap, kind, name) for name in names}


def skip_if_suspended(kind: str, name: str, *, warehouse_url: str | None = None, imap=None) -> None:
    """Raise ``AirflowSkipException(reason)`` when ``kind``/``name`` is suspended now.

    :param kind: ``connector``, ``sync`` (reverse ETL) or ``automation`` (outreach).
    :param name: its name in the integration map.
    """
    reason = _reasons(kind, [name], warehouse_url, imap)[name]
    if reason is not None:
        log.warning("skipped: %s", reason)
        raise AirflowSkipException(reason)


def runnable(kind: str, names: list[str], *, warehouse_url: str | None = None, imap=None) -> list[str]:
    """The ``names`` not suspended now (each suspended one is logged with its reason); skips the task
    when none is left."""
    reasons = _reasons(kind, names, warehouse_url, imap)
    for name, reason in reasons.items():
        if reason is not None:
            log.warning("%s %s suspended: %s", kind, name, reason)
    left = [n for n, r in reasons.items() if r is None]
    if names and not left:
        raise AirflowSkipException("; ".join(dict.fromkeys(r for r in reasons.values() if r)))
    return left
