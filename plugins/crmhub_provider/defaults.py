"""What every crmhub DAG and task shares: the failure notifier, pools and priorities by criticality.

``task_defaults(owner=...)`` is a DAG's ``default_args``: each task pages its owner from the map when it fails
(:class:`~crmhub_provider.notifications.crmhub.CrmHubNotifier`), and runs in the pool ``crmhub_default``.
Tasks that run ``critical: true`` items take ``**CRITICAL`` (pool ``crmhub_critical``, higher
``priority_weight``), so under load critical reconciliation and syncs run first. ``dag_failure_callback()``
pages for runs that fail without a failed task (timeout, deadlock); a task failure pages once, by its task.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import Param

from crmhub.pools import CRITICAL_POOL, DEFAULT_POOL, PRIORITY_WEIGHT
from crmhub_provider.notifications.crmhub import CrmHubNotifier

#: Operator arguments of tasks that run critical items.
CRITICAL: dict[str, Any] = {"pool": CRITICAL_POOL, "priority_weight": PRIORITY_WEIGHT[CRITICAL_POOL]}
#: Operator arguments of every other task.
DEFAULT: dict[str, Any] = {"pool": DEFAULT_POOL, "priority_weight": PRIORITY_WEIGHT[DEFAULT_POOL]}


def task_defaults(*, owner: str, retries: int = 1, retry_delay: timedelta = timedelta(minutes=1),
                  **extra: Any) -> dict[str, Any]:
    """``default_args`` of a crmhub DAG: owner, retries, failure notifier, default pool (``extra`` overrides)."""
    return {"owner": owner, "retries": retries, "retry_delay": retry_delay,
            "on_failure_callback": CrmHubNotifier(), **DEFAULT, **extra}


def backfill_source_param(default: str = "crm_contacts") -> Param:
    """The backfill form's ``source``: every connector of the map with a date-range read (REST, PostgreSQL)."""
    from crmhub.cdc.backfill import backfill_sources

    return Param(default, type="string", enum=backfill_sources(),
                 description="Connector to backfill (REST or PostgreSQL sources of the integration map).")


def dag_failure_callback() -> CrmHubNotifier:
    """A DAG's ``on_failure_callback``: pages only for run failures no task already paged for."""
    return CrmHubNotifier(scope="dag")
