"""Baseline and target of each rollout KPI (seed "CRM integration map": success metrics, 21-day impact snapshot).

One rule in one place: the report, the verdict table and the simulation's assertions read these.
``direction`` says which way is better: ``le``/``lt`` = lower is better (met when value <= / < target),
``ge`` = higher is better.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    baseline: float | None
    target: float
    direction: str  # "le" | "lt" | "ge"
    source: str  # the tables it is computed from, shown in the report

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.direction == "le":
            return value <= self.target
        if self.direction == "lt":
            return value < self.target
        return value >= self.target

    def better(self, new: float | None, old: float | None) -> bool | None:
        """True when ``new`` is at least as good as ``old`` (None when either is missing)."""
        if new is None or old is None:
            return None
        return new >= old if self.direction == "ge" else new <= old

    @property
    def target_text(self) -> str:
        sign = {"le": "≤", "lt": "<", "ge": "≥"}[self.direction]
        return f"{sign} {self.target:g}{self.unit}"


KPIS: tuple[Kpi, ...] = (
    Kpi("error_rate", "Error rate", " %", 1.4, 0.3, "le",
        "ops.sync_runs (failed records + API errors / records + API calls, backfills excluded)"),
    Kpi("sync_lag", "Sync lag (median run's p95)", " min", 18.0, 6.0, "le", "ops.sync_runs.lag_min_p95"),
    Kpi("recon_delta", "Reconciliation delta (worst rule)", " %", 2.8, 0.6, "le", "ops.reconciliation_runs"),
    Kpi("sla_met", "SLA met rate (worst field, 7 days)", " %", None, 95.0, "ge",
        "core.field_changes of the 7 days (changed_at - source_ts vs the source system's SLA freshness)"),
    Kpi("contract_coverage", "Contract coverage of synced fields", " %", None, 100.0, "ge",
        "core.field_changes fields vs the map's field contracts"),
    Kpi("mttr", "Alert MTTR (time to fix, rolling 7 days)", " h", None, 6.0, "lt",
        "ops.incidents (recovered_at, else resolved_at, - opened_at; resolved with proof in the 7 days)"),
    Kpi("duplicate_rate", "Duplicate rate (worst kind)", " %", None, 2.0, "lt", "ops.identity_runs"),
    Kpi("incidents_closed", "Incidents closed with evidence (cumulative)", "", None, 2.0, "ge",
        "ops.incidents (resolved_at, proof)"),
    Kpi("segment_delta", "Segment freshness delta (worst of top 5)", " %", None, 15.0, "lt",
        "ops.segment_latency (latest audited week)"),
)

BY_KEY = {k.key: k for k in KPIS}
