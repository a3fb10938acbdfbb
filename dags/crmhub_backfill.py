"""crmhub_backfill: load a date range of one connector in resumable chunks (manual, with a form).

The range is split into chunks (mapped tasks); completed chunks are skipped when the same backfill is
run again, so a failed backfill is resumed by re-running it. Chunks run two at a time and the REST
source honours 429 Retry-After, so a backfill stays inside the CRM's rate limit. Last write wins on the
source's timestamp: a backfill never overwrites newer data. Logic: ``crmhub.cdc.tasks``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task


@dag(
    dag_id="crmhub_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["crmhub", "cdc", "backfill"],
    doc_md=__doc__,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2), "owner": "lena.vogel"},
    params={
        "source": Param("crm_contacts", type="string", enum=["crm_contacts", "crm_companies", "billing_invoices"],
                        description="Connector to backfill (REST or PostgreSQL sources)."),
        "start": Param("2026-10-01T00:00:00+00:00", type="string", format="date-time", description="Range start."),
        "end": Param("2026-11-01T00:00:00+00:00", type="string", format="date-time",
                     description="Range end (exclusive)."),
        "chunk_hours": Param(24, type="number", minimum=1, description="Hours per chunk."),
        "dry_run": Param(False, type="boolean", description="Count what would be loaded; write nothing."),
    },
)
def crmhub_backfill():
    @task
    def plan() -> list[dict]:
        from crmhub.cdc.tasks import plan_backfill_chunks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        p = get_current_context()["params"]
        start, end = (datetime.fromisoformat(p[k]) for k in ("start", "end"))
        start, end = (d if d.tzinfo else d.replace(tzinfo=UTC) for d in (start, end))
        return plan_backfill_chunks(CrmHubWarehouseHook().warehouse_url(), p["source"], start, end,
                                    chunk=timedelta(hours=float(p["chunk_hours"])), dry_run=bool(p["dry_run"]))

    @task(max_active_tis_per_dagrun=2, map_index_template="{{ chunk_label }}")
    def load_chunk(chunk: dict) -> dict:
        from crmhub.cdc.tasks import run_backfill_chunk
        from crmhub.config import load_integration_map
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook, source_access

        context = get_current_context()
        context["chunk_label"] = f"{chunk['start']} .. {chunk['end']}"
        p = context["params"]
        imap = load_integration_map()
        return run_backfill_chunk(CrmHubWarehouseHook().warehouse_url(), p["source"],
                                  source_access(imap.connector(p["source"])), chunk, dry_run=bool(p["dry_run"]),
                                  imap=imap)

    @task
    def summary(results: list[dict]) -> dict:
        return {"chunks": len(results), "rows": sum(r["rows"] for r in results)}

    summary(load_chunk.expand(chunk=plan()))


crmhub_backfill()
