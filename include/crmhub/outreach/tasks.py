"""What the ``crmhub_outreach`` DAG runs: every automation, behind its flag, with the rails of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    token: str | None = field(default=None, repr=False)
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
