"""The ``crmhub_health`` DAG's weekly dashboard task, as one call: ``weekly_dashboard(url, ...)``.

The health DAG runs every 5 minutes; the dashboard is written once per ISO week (the first run of the week
whose file does not exist yet writes it), so a scheduler that was down on Monday morning still produces the
week's report at its next run. Files: ``<reports dir>/weekly-<YYYY>-W<ww>.html`` + ``..._charts/``.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from crmhub import clock, settings
from crmhub.config import load_integration_map
from crmhub.kpi.html import weekly_report


def reports_dir() -> Path:
    """``$CRMHUB_REPORTS_DIR`` or ``<crmhub home>/reports``."""
    return Path(os.environ.get("CRMHUB_REPORTS_DIR") or settings.home() / "reports")


def weekly_path(out_dir: Path, day: date) -> Path:
    year, week, _ = day.isocalendar()
    return Path(out_dir) / f"weekly-{year}-W{week:02d}.html"


def weekly_dashboard(warehouse_url: str, *, out_dir: str | Path | None = None, now: datetime | None = None,
                     imap=None) -> dict:
    """Write this ISO week's data-health dashboard (the 7 days before ``now``) unless it exists already."""
    now = now or clock.now()
    path = weekly_path(Path(out_dir) if out_dir else reports_dir(), now.date())
    if path.exists():
        return {"written": False, "path": str(path), "reason": "this week's dashboard exists already"}
    path.parent.mkdir(parents=True, exist_ok=True)
    data = weekly_report(warehouse_url, path, imap or load_integration_map(), today=now.date())
    return {"written": True, "path": str(path), "start": str(data.start), "end": str(data.end)}
