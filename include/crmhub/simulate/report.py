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
    notes.append(failure_summary(result))
    return notes + list(getattr(result, "notes", []))


def targets_note(result, imap) -> str:
    """The per-connector targets (the map's ``sla``) Integration_Health is scored against from the SLA day."""
    from crmhub.health.score import connector_targets

    targets = connector_targets(imap)
    return (f"Integration_Health (the seed's formula) scored and enforced from day {result.plan.sla_day} against "
            "each connector's own map targets (latency / lag): "
            + ", ".join(f"{name} {t['target_latency_s']:g} s / {t['target_lag_min']:g} min"
                        for name, t in targets.items()) + "; before that day no SLA is wired.")


def failure_summary(result, top: int = 6) -> str:
    """Task failures grouped by task and cause (the first 60 characters of the cause), most frequent first."""
    groups: dict[tuple[str, str], int] = {}
    for d in result.days:
        for failure in d.failures:
            task, _, cause = failure.partition(": ")
            key = (task, cause.split(" (", 1)[0][:60])
            groups[key] = groups.get(key, 0) + 1
    total = sum(groups.values())
    if not total:
        return "Task failures during the run: none."
    shown = sorted(groups.items(), key=lambda kv: -kv[1])[:top]
    return (f"Task failures during the run: {total} — " + "; ".join(f"{task} ×{n} ({cause})"
                                                                   for (task, cause), n in shown)
            + ("; …" if len(groups) > top else ""))


def sends_by_flag_stage(conn: psycopg.Connection, result) -> dict[int, int]:
    """Outreach emails sent (``ops.outbox`` via ``crmhub.kpi.metrics``) per flag stage of the plan (0, 10, 50 %)."""
    from crmhub.kpi.metrics import outreach_sends_per_day

    stage_of = {d.date: result.plan.flag_rollout(d.day) for d in result.days}
    out: dict[int, int] = {}
    for day, _flag, sent in outreach_sends_per_day(conn, result.start, result.end):
        out[stage_of.get(day, -1)] = out.get(stage_of.get(day, -1), 0) + int(sent)
    return out


def write_simulation_report(url: str, out: Path, result, imap) -> Path:
    with psycopg.connect(url) as conn:
        stages = sends_by_flag_stage(conn, result)
        notes = run_notes(result)
        notes.append(targets_note(result, imap))
        notes.append("Outreach emails sent by flag stage (ops.outbox): " + ", ".join(
            f"{'flags off' if pct == 0 else f'{pct} %'}: {stages.get(pct, 0)}"
            for pct in sorted({result.plan.flag_rollout(d.day) for d in result.days})))
        write_report(conn, Path(out), result.start, result.end, imap,
                     title=f"crmhub simulation {result.start} – {result.end}", notes=notes)
    return Path(out)
