"""crmhub_ingest: land every source of the integration map, grade it against its contracts, upsert core.

One mapped task per connector; each emits nothing itself, the final task emits an Asset per core table
that received rows, so crmhub_identity and others run when data lands. The logic is in
``crmhub.ingest`` (core) and ``crmhub_provider.hooks.crmhub.source_access`` (connections).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from crmhub_provider.assets import CHANGE_LOG_ASSET, CORE_ASSETS

DOC = __doc__


@dag(
    dag_id="crmhub_ingest",
    schedule="*/30 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "ingest"],
    doc_md=DOC,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1), "owner": "lena.vogel"},
    params={
        "connectors": Param([], type="array", items={"type": "string"},
                            description="Only these connectors (default: every connector in the integration map)."),
    },
)
def crmhub_ingest():
    @task
    def plan() -> list[str]:
        from crmhub.config import load_integration_map

        imap = load_integration_map()
        wanted = get_current_context()["params"]["connectors"] or [c.name for c in imap.connectors]
        for name in wanted:
            imap.connector(name)  # raises naming the known connectors
        return wanted

    @task(map_index_template="{{ connector_name }}")
    def ingest_connector(connector: str) -> dict:
        from crmhub.config import load_integration_map
        from crmhub.ingest.tasks import ingest_connector as run
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook, source_access
        from crmhub_provider.suspension import skip_if_suspended

        get_current_context()["connector_name"] = connector
        skip_if_suspended("connector", connector)   # go-live mode / freeze-all: skipped with the reason
        imap = load_integration_map()
        return run(CrmHubWarehouseHook().warehouse_url(), connector, source_access(imap.connector(connector)), imap=imap)

    @task(outlets=[*CORE_ASSETS.values(), CHANGE_LOG_ASSET])
    def publish(summaries: list[dict]) -> dict:
        outlet_events = get_current_context()["outlet_events"]
        loaded: dict[str, int] = {}
        for summary in summaries:
            for table in summary["targets"]:
                loaded[table] = loaded.get(table, 0) + summary["loaded"]
        for table, asset in CORE_ASSETS.items():
            outlet_events[asset].extra = {"rows_loaded": loaded.get(table, 0)}
        outlet_events[CHANGE_LOG_ASSET].extra = {"connectors": [s["connector"] for s in summaries]}
        return {"connectors": len(summaries), "rows_loaded": loaded,
                "quarantined": sum(s["quarantined"] for s in summaries),
                "rejected": sum(s["rejected"] for s in summaries)}

    publish(ingest_connector.expand(connector=plan()))


crmhub_ingest()
