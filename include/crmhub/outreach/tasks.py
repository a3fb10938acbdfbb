"""What the ``crmhub_outreach`` DAG runs: every automation, behind its flag, with the rails of the engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmhub.config import load_integration_map
from crmhub.outreach.engine import OutreachEngine
from crmhub.outreach.flags import FlagGate
from crmhub.outreach.rules import load_automations
from crmhub.outreach.smtp import SmtpSettings


@dataclass(frozen=True)
class UnleashAccess:
    """An Unleash server (``url`` ending in ``/api`` + backend token), or None for the offline bootstrap file."""

    url: str | None = None
    token: str | None = None
    environment: str = "development"
    bootstrap: Path | None = None


def flag_gate(access: UnleashAccess) -> FlagGate:
    """Create the gate in this process (the SDK's background poller does not survive a fork)."""
    if access.url:
        return FlagGate.online(access.url, access.token, environment=access.environment)
    return FlagGate.offline(access.bootstrap)


def run_automations(warehouse_url: str, unleash: UnleashAccess, smtp: SmtpSettings | None, *, dry_run: bool = False,
                    names: list[str] | None = None, approved: dict[str, int] | None = None,
                    health_check=None, on_page=None) -> list[dict]:
    """Run the automations (all, or ``names``); returns each run's summary (``outcome`` says what happened).

    ``approved`` maps an automation to the number of sends a human approved beyond its cap.
    """
    imap = load_integration_map()
    automations = load_automations(imap)
    gate = flag_gate(unleash)
    try:
        engine = OutreachEngine(warehouse_url, automations, imap.people, gate, smtp, health_check=health_check,
                                **({"on_page": on_page} if on_page else {}))
        out = []
        for name in names or list(automations):
            result = engine.run(name, dry_run=dry_run, approved_count=(approved or {}).get(name))
            out.append(result.summary())
        return out
    finally:
        gate.close()


def run_automation(warehouse_url: str, unleash: UnleashAccess, smtp: SmtpSettings | None, name: str, *,
                   dry_run: bool = False, **kwargs) -> dict:
    """One automation's run summary (see :func:`run_automations`)."""
    return run_automations(warehouse_url, unleash, smtp, dry_run=dry_run, names=[name], **kwargs)[0]


def plan_automations(names: list[str] | None = None) -> dict[str, list[str]]:
    """The automations of one run (``names``, default all), ``{"critical": [...], "default": [...]}``."""
    from crmhub.config import split_by_criticality

    imap = load_integration_map()
    automations = load_automations(imap)
    for name in names or ():
        if name not in automations:
            raise KeyError(f"unknown automation {name!r}; known: {', '.join(automations)}")
    return split_by_criticality(imap, "automation", list(names or automations))


def awaiting_approval(*groups: list[dict] | None) -> dict[str, int]:
    """Automations that hit their cap with ``on_exceed: approval``: name -> sends waiting for a human.

    ``groups``: run summaries, one list per group of tasks (None for a group that ran nothing).
    """
    return {r["automation"]: r["pending"] for group in groups for r in group or ()
            if r["outcome"] == "needs_approval"}


def needs_approval(*groups: list[dict] | None) -> bool:
    """True when a human must approve more sends (the DAG then asks in the Airflow UI)."""
    return bool(awaiting_approval(*groups))


def run_approved(warehouse_url: str, unleash: UnleashAccess, smtp: SmtpSettings | None, results: list[dict],
                 **kwargs) -> list[dict]:
    """After a human approved: send what :func:`awaiting_approval` found in ``results`` (nothing else)."""
    waiting = awaiting_approval(results)
    if not waiting:
        return []
    return run_automations(warehouse_url, unleash, smtp, names=list(waiting), approved=waiting, **kwargs)
