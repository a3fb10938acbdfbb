"""crmhub_backfill: load a date range of one connector in resumable chunks (manual, with a form).

The range is split into chunks (mapped tasks); completed chunks are skipped when the same backfill is
run again, so a failed backfill is resumed by re-running it. Chunks run two at a time and the REST
source honours 429 Retry-After, so a backfill stays inside the CRM's rate limit. Last write wins on the
source's timestamp: a backfill never overwrites newer data. One backfill runs at a time (``max_active_runs=1``), so two backfills of the same source never overlap.
Logic: ``crmhub.cdc.tasks``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

from crmhub_provider.defaults import backfill_source_param, dag_failure_callback, task_defaults
from crmhub_provider.operators.crmhub import BackfillChunkOperator, BackfillPlanOperator


@dag(
    dag_id="crmhub_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "cdc", "backfill"],
    doc_md=__doc__,
    default_args=task_defaults(owner="lena.vogel", retries=2, retry_delay=timedelta(minutes=2)),
    on_failure_callback=dag_failure_callback(),
    params={
        "source": backfill_source_param(),
        "start": Param("2026-10-01T00:00:00+00:00", type="string", format="date-time", description="Range start."),
        "end": Param("2026-11-01T00:00:00+00:00", type="string", format="date-time",
                     description="Range end (exclusive)."),
        "chunk_hours": Param(24, type="number", minimum=1, description="Hours per chunk."),
        "dry_run": Param(False, type="boolean", description="Count what would be loaded; write nothing."),
    },
)
def crmhub_backfill():
    plan = BackfillPlanOperator(task_id="plan")
    chunks = BackfillChunkOperator.partial(task_id="load_chunk", max_active_tis_per_dagrun=2).expand(chunk=plan.output)

    @task
    def summary(results: list[dict]) -> dict:
        from crmhub.cdc.tasks import backfill_summary

        return backfill_summary(results)

    summary(chunks.output)


crmhub_backfill()
