"""Go-live mode and freeze-all in Airflow: a suspended task ends **skipped**, its reason in the task log.

The rule is the core's :func:`crmhub.ops.golive.suspension_reason` (everything frozen, or a go-live window
in force and the item not ``critical`` in the map). crmhub's operators ask it in
``CrmHubBaseOperator.skip_reason`` (before ``execute``); :func:`skip_if_suspended` is the same check for a
``@task`` function that works on one map item.
"""

from __future__ import annotations

import logging

from airflow.sdk.exceptions import AirflowSkipException

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
