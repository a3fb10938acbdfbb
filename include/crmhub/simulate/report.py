"""The simulation's report: ``crmhub.kpi``'s report over the simulated days, plus what the run did.

Every KPI, table and chart comes from :func:`crmhub.kpi.html.write_report` over the warehouse; this module
adds only notes about the run (the plan, the world's planted problems, time per simulated day, task failures),
none of which is a KPI.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from crmhub.kpi.html import write_report


def run_notes(result) -> list[str]:
    notes = [f"Simulated {len(result.days)} day(s) {result.start} – {result.end} through the DAGs' task functions "
             f"(crmhub simulate); {result.seconds_per_day:.1f} s of real time per simulated day."]
    notes += ["Rollout plan: " + "; ".join(result.plan.describe())]
    if result.world_counts:
        notes.append("World (planted): " + ", ".join(f"{k} {v}" for k, v in sorted(result.world_counts.items())))
    failed = [f"day {d.day}: {f}" for d in result.days for f in d.failures]
    notes.append(f"Task failures during the run: {len(failed)}" + (" — " + "; ".join(failed[:8]) if failed else ""))
    return notes


def write_simulation_report(url: str, out: Path, result, imap) -> Path:
    with psycopg.connect(url) as conn:
        write_report(conn, Path(out), result.start, result.end, imap,
                     title=f"crmhub simulation {result.start} – {result.end}", notes=run_notes(result))
    return Path(out)
