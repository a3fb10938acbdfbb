"""Reconciliation: newest run per rule (totals, delta %, threshold, breach), 30-day trend, differences as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crmhub.reconcile.history import diffs_csv, latest_runs, run_diffs
from crmhub_console.auth import Reader
from crmhub_console.render import as_json, page
from crmhub_console.warehouse import warehouse

router = APIRouter()


def reconciliation_data() -> dict:
    with warehouse() as conn:
        runs = latest_runs(conn, top=10)
    return {"runs": runs, "breached": [r["rule"] for r in runs if r["breached"]]}


@router.get("/api/reconciliation")
def reconciliation_json(_: Reader):
    return as_json(reconciliation_data())


@router.get("/reconciliation")
def reconciliation_page(request: Request, who: Reader):
    return page(request, who, "reconciliation.html", "reconciliation", data=reconciliation_data())


@router.get("/reconciliation/{run_id}/diffs.csv")
def diffs(run_id: int, _: Reader):
    with warehouse() as conn:
        rows = run_diffs(conn, run_id)
    return Response(diffs_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="reconciliation-run-{run_id}-diffs.csv"'})
