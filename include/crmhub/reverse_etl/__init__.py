"""Reverse ETL: push curated warehouse traits to the CRM (HubSpot v3 format) or to a table.

Entry points for the DAG and the CLI: :func:`run_sync` (``crmhub rev-etl run``), :func:`rollback_run`
(``crmhub rev-etl rollback``), :func:`load_syncs` (the ``reverse_etl:`` section of the integration map).
See docs/reverse_etl.md.
"""

from crmhub.reverse_etl.crm_client import CrmApiError, CrmClient, idempotency_key
from crmhub.reverse_etl.definitions import SyncDefinition, get_sync, load_syncs, payload_hash
from crmhub.reverse_etl.engine import RunResult, SyncAlreadyRunning, plan_sync, run_sync
from crmhub.reverse_etl.ratelimit import TokenBucket, backoff_delay, parse_retry_after
from crmhub.reverse_etl.rollback import RollbackResult, plan_rollback, rollback_run
from crmhub.reverse_etl.schedule import due_syncs, is_due

__all__ = [
    "due_syncs",
    "is_due",
    "CrmApiError",
    "CrmClient",
    "RollbackResult",
    "RunResult",
    "SyncAlreadyRunning",
    "SyncDefinition",
    "TokenBucket",
    "backoff_delay",
    "get_sync",
    "idempotency_key",
    "load_syncs",
    "parse_retry_after",
    "payload_hash",
    "plan_rollback",
    "plan_sync",
    "rollback_run",
    "run_sync",
]
