"""Alert payloads and delivery ("page, don't poll"): a Slack-compatible webhook and/or SMTP email.

Every payload carries the error, the values that fired it, the owner, the runbook link and the incident
id (``None`` only when no incident exists, e.g. a DAG failure outside any connector). The Airflow notifier
``crmhub_provider.notifications.crmhub.CrmHubNotifier`` only resolves connections and calls these.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.request
from email.message import EmailMessage
from typing import Any

SEVERITY_ICON = {"critical": ":rotating_light:", "warning": ":warning:", "info": ":information_source:"}


def build_payload(
    *,
    error: str,
    values: dict[str, Any] | None,
    owner: str | dict,
    runbook_url: str,
    incident_id: int | None,
    connector: str | None = None,
    trigger: str | None = None,
    severity: str = "warning",
    title: str | None = None,
) -> dict:
    """A Slack-compatible JSON payload (``text`` + ``blocks``) with crmhub's fields under ``"crmhub"``.

    Args:
        error: what went wrong, in one sentence.
        values: measurements or context that fired the alert (JSON-safe).
        owner: person id, or a ``people`` entry from the integration map (``{"id", "name", "email"}``).
        runbook_url: link to the runbook section.
        incident_id: ``ops.incidents`` id, or None.
        connector: connector (or system) concerned.
        trigger: incident trigger name.
        severity: ``critical``, ``warning`` or ``info``.
        title: headline; default ``"[severity] connector: trigger"``.
    """
    if not runbook_url:
        raise ValueError("an alert needs a runbook link (runbook_url)")
    if not owner:
        raise ValueError("an alert needs an owner (no owner = no deployment)")
    person = owner if isinstance(owner, dict) else {"id": owner}
    owner_label = person.get("name") or person["id"]
    if person.get("email"):
        owner_label += f" <{person['email']}>"
    values = dict(values or {})
    title = title or f"[{severity.upper()}] {connector or 'crmhub'}: {trigger or 'alert'}"
    ref = f"incident #{incident_id}" if incident_id is not None else "no incident"
    text = f"{title}: {error} | owner: {owner_label} | runbook: {runbook_url} | {ref}"
    value_lines = "\n".join(f"• {k}: {v}" for k, v in values.items()) or "• (none)"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{SEVERITY_ICON.get(severity, '')} {error}"}},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Owner*\n{owner_label}"},
            {"type": "mrkdwn", "text": f"*Incident*\n{ref}"},
            {"type": "mrkdwn", "text": f"*Runbook*\n<{runbook_url}|open runbook>"},
            {"type": "mrkdwn", "text": f"*Severity*\n{severity}"},
        ]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Values*\n{value_lines}"}},
    ]
    return {
        "text": text,
        "blocks": blocks,
        "crmhub": {
            "incident_id": incident_id,
            "connector": connector,
            "trigger": trigger,
            "severity": severity,
            "error": error,
            "values": values,
            "owner": person,
            "runbook_url": runbook_url,
        },
    }


def payload_for_incident(incident: dict | Any, imap=None) -> dict:
    """Payload for an ``ops.incidents`` row (dict) or :class:`~crmhub.health.incidents.Incident`."""
    data = incident if isinstance(incident, dict) else incident.__dict__
    owner: str | dict = data["owner"]
    if imap is not None and owner in imap.people:
        owner = imap.people[owner]
    values = data.get("values") or {}
    return build_payload(
        error=_describe(data["trigger"], values, data["connector"]),
        values=values,
        owner=owner,
        runbook_url=data["runbook_url"],
        incident_id=data["incident_id"],
        connector=data["connector"],
        trigger=data["trigger"],
        severity=data.get("severity", "warning"),
    )


def _describe(trigger: str, values: dict, connector: str) -> str:
    """One sentence for the alert headline, from the trigger and its values."""

    def number(key: str) -> bool:
        return isinstance(values.get(key), (int, float))

    if trigger == "error_rate" and number("error_rate_pct"):
        return f"{connector} error rate {values['error_rate_pct']:.2f} % is above 0.5 %"
    if trigger == "lag" and number("sync_lag_min"):
        return (f"{connector} sync lag {values['sync_lag_min']:.1f} min exceeds target "
                f"{values.get('target_lag_min')} min")
    if trigger == "health" and number("score"):
        return f"{connector} integration health {values['score']:.1f} is below 90"
    return str(values.get("error") or f"{connector}: {trigger.replace('_', ' ')}")


def post_webhook(url: str, payload: dict, *, timeout: float = 10.0, headers: dict | None = None) -> int:
    """POST ``payload`` as JSON; returns the HTTP status. Raises ``urllib.error.URLError``/``HTTPError``."""
    body = json.dumps(payload, default=str).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (URL from a connection)
        return response.status


def email_message(payload: dict, *, from_email: str, to: list[str]) -> EmailMessage:
    """A plain-text email with the payload's text, values, owner and runbook."""
    data = payload["crmhub"]
    msg = EmailMessage()
    msg["From"] = from_email
    msg["To"] = ", ".join(to)
    incident = f"#{data['incident_id']} " if data.get("incident_id") is not None else ""
    msg["Subject"] = f"[crmhub {data.get('severity', 'alert')}] {incident}{data.get('connector') or ''} {data.get('trigger') or ''}".strip()
    lines = [
        payload["text"],
        "",
        f"Error: {data['error']}",
        f"Owner: {data['owner'].get('name') or data['owner']['id']}",
        f"Runbook: {data['runbook_url']}",
        f"Incident: {data.get('incident_id')}",
        "Values:",
        *(f"  {k}: {v}" for k, v in data["values"].items()),
    ]
    msg.set_content("\n".join(lines))
    return msg


def send_email(
    host: str,
    port: int,
    *,
    from_email: str,
    to: list[str],
    payload: dict,
    login: str | None = None,
    password: str | None = None,
    use_ssl: bool = False,
    starttls: bool = False,
    timeout: float = 10.0,
) -> None:
    """Send the payload as an email over SMTP (smtplib). ``to`` must not be empty."""
    if not to:
        raise ValueError("send_email needs at least one recipient (the owner's email from `people`)")
    msg = email_message(payload, from_email=from_email, to=to)
    if use_ssl:
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        if starttls and not use_ssl:
            server.starttls(context=ssl.create_default_context())
        if login:
            server.login(login, password or "")
        server.send_message(msg)


def owner_emails(payload: dict) -> list[str]:
    email = payload["crmhub"]["owner"].get("email")
    return [email] if email else []


def job_failure_alert(warehouse_url: str, subject: str, values: dict[str, Any], *, error: str, imap=None,
                      trigger: str = "job_failure", owner: str | None = None, record: bool = True) -> dict:
    """The page for a failed Airflow task or DAG run: opens (or repeats) the ``trigger`` incident of
    ``subject`` (a connector, system or SLA; or a sync, rule or automation of the map), marks it notified and
    returns the payload naming the owner from the map, the error and the runbook.

    Args:
        warehouse_url: the warehouse (the incident is committed here).
        subject: what failed, as the map names it.
        values: dag_id, task_id, run_id, try number... (JSON-safe).
        error: ``"ExceptionType: message"``.
        owner: override the map's owner (person id).
        record: False builds the payload without an incident (no warehouse needed).
    """
    from crmhub.health import incidents

    imap = incidents._load_map(imap)
    owner_id, _ = incidents.resolve_owner(imap, subject)
    owner_id = owner or owner_id
    incident_id, runbook_url = None, incidents.runbook_for(imap, subject, trigger)   # docs/runbooks/<trigger>.md
    if record:
        from crmhub.warehouse.connection import connect

        with connect(warehouse_url) as conn:
            inc = incidents.open_incident(conn, subject, trigger, {**values, "error": error}, imap=imap,
                                          owner=owner_id, severity="critical")
            conn.execute("UPDATE ops.incidents SET notified_at = now() WHERE incident_id = %s", (inc.incident_id,))
            conn.commit()
        incident_id, runbook_url = inc.incident_id, inc.runbook_url
    return build_payload(error=error, values={**values, "error": error}, owner=imap.people.get(owner_id, owner_id),
                         runbook_url=runbook_url, incident_id=incident_id, connector=subject, trigger=trigger,
                         severity="critical")
