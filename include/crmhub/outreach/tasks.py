"""What the ``crmhub_outreach`` DAG runs: every automation, behind its flag, with the rails of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crmhub.config import load_integration_map
from crmhub.outreach.control import control_emails
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


#: The connectors whose health gates outreach (the CRM feeds the trigger fields).
HEALTH_CONNECTORS = ("crm_contacts",)


def warehouse_health(warehouse_url: str, imap, connectors: tuple[str, ...] | list[str] = HEALTH_CONNECTORS):
    """A ``health_check`` for the engine: the lowest Integration_Health score of ``connectors`` right now
    (a connector that never ran counts as 0, like the sensor's gate)."""
    from crmhub.health.score import connector_health, connector_targets
    from crmhub.warehouse import connect

    targets = connector_targets(imap, list(connectors))

    def check() -> float:
        with connect(warehouse_url) as conn:
            scores = [connector_health(conn, name, **targets[name]).score for name in connectors]
        return min((s if s is not None else 0.0) for s in scores)

    return check


def run_automations(warehouse_url: str, unleash: UnleashAccess, smtp: SmtpSettings | None, *, dry_run: bool = False,
                    names: list[str] | None = None, approved: dict[str, int] | None = None,
                    approved_by: str | None = None, health_check=None, on_page=None) -> list[dict]:
    """Run the automations (all, or ``names``); returns each run's summary (``outcome`` says what happened).

    ``approved`` maps an automation to the number of sends ``approved_by`` approved beyond its cap. Every
    run passes the health gate (``health_check``, default :func:`warehouse_health`).
    """
    imap = load_integration_map()
    automations = load_automations(imap)
    gate = flag_gate(unleash)
    try:
        engine = OutreachEngine(warehouse_url, automations, imap.people, gate, smtp,
                                health_check=health_check or warehouse_health(warehouse_url, imap),
                                control_list=control_emails(imap), **({"on_page": on_page} if on_page else {}))
        out = []
        for name in names or list(automations):
            count = (approved or {}).get(name)
            result = engine.run(name, dry_run=dry_run, approved_count=count,
                                approved_by=approved_by if count is not None else None)
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


def run_results(*groups: list[dict] | None) -> list[dict]:
    """The run summaries of several groups of tasks (critical and default) as one list (None: ran nothing)."""
    return [r for group in groups for r in group or ()]


def awaiting_approval(*groups: list[dict] | None) -> dict[str, int]:
    """Automations that hit their cap with ``on_exceed: approval``: name -> sends waiting for a human."""
    return {r["automation"]: r["pending"] for r in run_results(*groups) if r["outcome"] == "needs_approval"}


def needs_approval(*groups: list[dict] | None) -> bool:
    """True when a human must approve more sends (the DAG then asks in the Airflow UI)."""
    return bool(awaiting_approval(*groups))


def approver(approval: dict | None) -> str:
    """Who answered an Airflow approval (the ApprovalOperator's result: ``responded_by_user``)."""
    user = (approval or {}).get("responded_by_user") or {}
    who = user.get("name") or user.get("id")
    if not who:
        raise ValueError("the approval carries no responder: cannot record who approved")
    return str(who)


def promote_after_control(warehouse_url: str, results: list[dict], approval: dict | None) -> list[dict]:
    """After a human confirmed the control sends in Airflow: promote each automation that sent to the
    control list in ``results`` (run summaries); returns ``[{automation, promoted_by, control_sends}]``."""
    from crmhub.outreach.control import promote
    from crmhub.warehouse import connect

    by = approver(approval)
    automations = load_automations(load_integration_map())
    out = []
    with connect(warehouse_url) as conn:
        for r in results:
            if r.get("mode") == "control" and r.get("sent"):
                out.append({"automation": r["automation"], "promoted_by": by,
                            "control_sends": promote(conn, automations[r["automation"]], by)})
    return out


def control_sends_to_confirm(*groups: list[dict] | None) -> bool:
    """True when a run sent to the control list (the DAG then asks a human to confirm and promote)."""
    return any(r.get("mode") == "control" and r.get("sent") for r in run_results(*groups))


def approved_sends(warehouse_url: str, unleash: UnleashAccess, smtp: SmtpSettings | None, results: list[dict],
                   approval: dict | None) -> list[dict]:
    """Send what a human approved beyond the cap in Airflow (health gate included), recording the approver."""
    waiting = awaiting_approval(results)
    if not waiting:   # nothing was waiting: never fall back to running every automation
        return []
    return run_automations(warehouse_url, unleash, smtp, names=list(waiting), approved=waiting,
                           approved_by=approver(approval))
