"""The other systems the demo talks to, started locally: CRM sandbox, billing database, mail sink, webhook receiver.

Everything runs in the ``crmhub demo`` process (threads) or in the embedded PostgreSQL, so a
newcomer needs nothing installed. DAG runs (``airflow dags test`` subprocesses) reach them over
loopback through Airflow connections set in the environment.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from crmhub.demo_data.generator import CONTROL_CONTACT, FILES, HEADERS

CRM_TOKEN = "demo-sandbox-token"
WEBHOOK_SECRET = "demo-webhook-secret"


class MailSink:
    """A local SMTP server (aiosmtpd) that counts and keeps the messages it receives."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self._lock = threading.Lock()
        self._controller = None
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "size": len(envelope.content),
                                  "outreach": b"\nX-Crmhub-Idempotency-Key:" in envelope.original_content})
        return "250 OK"

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        from crmhub.outreach.unleash_server import free_port

        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


def load_billing_source(admin_url: str, data_dir: Path) -> str:
    """Create the billing system's database (``billing.invoices``) from the demo CSV; returns its URL."""
    base = admin_url.split("?", 1)
    db_url = base[0].rsplit("/", 1)[0] + "/billing" + (f"?{base[1]}" if len(base) > 1 else "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'billing'").fetchone():
            conn.execute("CREATE DATABASE billing")
    fill_billing_invoices(db_url, data_dir)
    return db_url


def fill_billing_invoices(db_url: str, data_dir: Path) -> None:
    """(Re)create ``billing.invoices`` in the billing database at ``db_url`` from the demo's billing CSV."""
    cols = HEADERS["billing"]
    with psycopg.connect(db_url) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS billing")
        conn.execute("DROP TABLE IF EXISTS billing.invoices")
        conn.execute(
            "CREATE TABLE billing.invoices (" + ", ".join(f"{c} text" for c in cols[:-1])
            + ", updated_at timestamptz NOT NULL)"
        )
        with conn.cursor().copy(f"COPY billing.invoices ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv, HEADER)") as cp:
            cp.write((data_dir / FILES["billing"]).read_bytes())


def crm_seed(data_dir: Path) -> dict:
    """The CRM sandbox's seed from the demo data: companies, contacts, deals and each deal's association with
    its company (``crm/deal_associations.csv``: ``from_object, from_id, to_object, to_id``)."""
    import csv

    from crm_sandbox import load_seed_file, merge_seeds

    with (data_dir / FILES["crm_deal_associations"]).open(encoding="utf-8", newline="") as fh:
        associations = list(csv.DictReader(fh))
    return merge_seeds([load_seed_file(f"companies={data_dir / FILES['crm_companies']}"),
                        load_seed_file(f"contacts={data_dir / FILES['crm_contacts']}"),
                        load_seed_file(f"deals={data_dir / FILES['crm_deals']}"),
                        {"associations": associations}])


@dataclass
class DemoServices:
    """Handles to the running services and the Airflow connections that point at them."""

    crm: object = None
    mail: MailSink | None = None
    webhook_server: object = None
    connections: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    billing_url: str | None = None

    def stop(self) -> None:
        if self.webhook_server is not None:
            self.webhook_server.should_exit = True
        if self.crm is not None:
            self.crm.stop()
        if self.mail is not None:
            self.mail.stop()


def start_demo_services(warehouse_url: str, data_dir: Path, *, receiver_url: str | None = None) -> DemoServices:
    """Start the CRM sandbox (seeded with the CRM export: :func:`crm_seed`), webhook receiver, mail sink and billing DB.

    ``receiver_url`` is the warehouse URL the webhook receiver connects with (the crmhub_webhook role's).
    """
    import uvicorn

    from crm_sandbox import SandboxServer
    from crmhub.cdc.webhook_app import create_webhook_app

    services = DemoServices()
    receiver = uvicorn.Server(uvicorn.Config(create_webhook_app(receiver_url or warehouse_url, WEBHOOK_SECRET),
                                             host="127.0.0.1",
                                             port=0, log_level="warning"))
    threading.Thread(target=receiver.run, daemon=True, name="crmhub-webhooks").start()
    while not receiver.started:
        time.sleep(0.02)
    services.webhook_server = receiver
    hook_port = receiver.servers[0].sockets[0].getsockname()[1]

    services.crm = SandboxServer(token=CRM_TOKEN, seed=crm_seed(data_dir), webhook_url=f"http://127.0.0.1:{hook_port}/webhooks/crm",
                                 webhook_secret=WEBHOOK_SECRET).start()
    services.mail = MailSink().start()
    billing_url = services.billing_url = load_billing_source(warehouse_url, data_dir)

    crm_host, crm_port = services.crm.url.removeprefix("http://").split(":")
    services.connections = {
        "AIRFLOW_CONN_CRMHUB_CRM": json.dumps({"conn_type": "http", "host": crm_host, "port": int(crm_port),
                                               "schema": "http", "password": CRM_TOKEN}),
        "AIRFLOW_CONN_CRMHUB_SMTP": json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": services.mail.port,
                                                "extra": {"from_email": "ir@firm.example", "disable_tls": True,
                                                          "disable_ssl": True}}),
    }
    from crmhub.airflow_env import connection_json

    services.connections["AIRFLOW_CONN_CRMHUB_BILLING"] = connection_json(billing_url)
    services.extra_env = {"CRMHUB_WEBHOOK_SECRET": WEBHOOK_SECRET}
    return services


def write_demo_bootstrap(path: Path, rollout: int = 100) -> Path:
    """The repo's offline Unleash bootstrap with every outreach flag ON at ``rollout`` % (demo only)."""
    from crmhub.outreach.flags import DEFAULT_BOOTSTRAP

    data = json.loads(DEFAULT_BOOTSTRAP.read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["enabled"] = True
        feature["description"] = "crmhub demo: on for the demo run only"
        for strategy in feature["strategies"]:
            strategy["parameters"]["rollout"] = str(rollout)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def simulate_crm_activity(services: DemoServices, data_dir: Path, *, genuine: int = 3) -> dict:
    """What happens in the CRM after the first sync: the bad bulk import (and optionally a few real changes).

    The bulk-import file is applied as one batch job (``interested = true`` on many contacts), exactly the
    playbook's incident; ``genuine`` other contacts are then marked interested one by one, as a person would.
    """
    import csv

    import httpx

    with (data_dir / FILES["crm_bulk_import"]).open(encoding="utf-8", newline="") as fh:
        bulk = [row["id"] for row in csv.DictReader(fh)]
    url = f"{services.crm.url}/crm/v3/objects/contacts"
    with httpx.Client(headers={"Authorization": f"Bearer {CRM_TOKEN}"}, timeout=30) as client:
        for start in range(0, len(bulk), 100):
            inputs = [{"id": i, "properties": {"interested": "true"}} for i in bulk[start:start + 100]]
            client.post(f"{url}/batch/update", json={"inputs": inputs}).raise_for_status()
    services.crm.webhooks.wait_idle(15)
    return {"bulk_import": len(bulk), "genuine": mark_interested_by_hand(services, count=genuine)} if genuine else \
        {"bulk_import": len(bulk)}


def mark_interested_by_hand(services: DemoServices, *, count: int = 3, emails: list[str] | None = None) -> list[str]:
    """Mark contacts that are not interested yet as interested, one API call each (a person's edits).

    ``emails`` picks those contacts; otherwise the first ``count`` with an address that is not on the control
    list (``CONTROL_CONTACT``). Returns the addresses marked (lower case).
    """
    import httpx

    url = f"{services.crm.url}/crm/v3/objects/contacts"
    wanted = {e.lower() for e in emails} if emails is not None else None
    with httpx.Client(headers={"Authorization": f"Bearer {CRM_TOKEN}"}, timeout=30) as client:
        listing, after = [], None
        while True:
            page = client.get(url, params={"limit": 100, "properties": "interested,email,hs_email_verified",
                                           **({"after": after} if after else {})}).json()
            listing += page["results"]
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after or (wanted is None and len(listing) >= 100):
                break
        chosen = [(r["id"], r["properties"]["email"].lower()) for r in listing
                  if r["properties"].get("interested") != "true" and r["properties"].get("email")
                  and r["properties"].get("hs_email_verified") != "false"
                  and (r["properties"]["email"].lower() in wanted if wanted is not None
                       else r["properties"]["email"].lower() != CONTROL_CONTACT[2])]
        chosen = chosen if wanted is not None else chosen[:count]
        for cid, _email in chosen:
            client.patch(f"{url}/{cid}", json={"properties": {"interested": "true"}}).raise_for_status()
    services.crm.webhooks.wait_idle(15)
    return [email for _cid, email in chosen]


def lp_contacts_to_mark(warehouse_url: str, count: int = 3) -> list[str]:
    """The CRM emails of ``count`` LP contacts a person would mark interested: not interested yet, address not
    known to be unverified, not held, one CRM record and an address no other contact shares (identity
    will not merge them away), not on the control list; lowest CRM ids first (deterministic)."""
    from crmhub.identity.holds import open_hold_sql
    from crmhub.warehouse import connect

    with connect(warehouse_url) as conn:
        return [r[0] for r in conn.execute(
            f"""SELECT lower(c.email) FROM core.contact c
                  JOIN core.entity e ON e.crmhub_id = c.entity_id AND e.entity_type = 'lp'
                  JOIN core.external_id x ON x.crmhub_id = c.crmhub_id AND x.system = 'crm' AND x.object = 'contact'
                 WHERE c.deleted_at IS NULL AND c.interested IS NOT TRUE AND c.email_verified IS NOT FALSE
                   AND c.email IS NOT NULL AND lower(c.email) <> %s AND NOT {open_hold_sql('c')}
                   AND (SELECT count(*) FROM core.external_id y WHERE y.crmhub_id = c.crmhub_id) = 1
                   AND (SELECT count(*) FROM core.contact o WHERE lower(o.email) = lower(c.email)) = 1
                 ORDER BY x.external_id::bigint LIMIT %s""", (CONTROL_CONTACT[2], count))]


def control_send_and_promote(services: DemoServices, warehouse_url: str, bootstrap: Path, *,
                             by: str = "sam.ortiz") -> list[dict]:
    """The IR owner's control step: run every automation (new ones are in control mode, so only the
    control list is mailed), then promote each one that sent to the control list, recorded as ``by``.

    Returns ``[{automation, control_sends, promoted_by}]`` from ``ops.outreach_promotions``.
    """
    from crmhub.config import load_integration_map
    from crmhub.outreach import SmtpSettings
    from crmhub.outreach.control import promote
    from crmhub.outreach.rules import load_automations
    from crmhub.outreach.tasks import UnleashAccess, run_automations
    from crmhub.warehouse import connect

    smtp = SmtpSettings(host="127.0.0.1", port=services.mail.port, from_addr="ir@firm.example")
    results = run_automations(warehouse_url, UnleashAccess(bootstrap=bootstrap), smtp)
    automations = load_automations(load_integration_map())
    with connect(warehouse_url) as conn:
        for r in results:
            if r.get("mode") == "control" and r.get("sent"):
                promote(conn, automations[r["automation"]], by, note="crmhub demo: control sends checked")
        return [{"automation": a, "control_sends": n, "promoted_by": who} for a, n, who in conn.execute(
            "SELECT automation, control_sends, promoted_by FROM ops.outreach_promotions ORDER BY automation")]


def invoice_change_story(services: DemoServices, warehouse_url: str) -> dict | None:
    """Finance marks one invoice of a company the CRM already shows an invoice status for: the billing database
    changes (``updated_at`` = now), the billing connector's CDC read loads it, ``company_invoice_status`` pushes
    it, and the push is timed end to end (source change -> CRM acknowledgement) as the SLA machinery reads it.

    Returns ``{invoice, company, status, crm_value, lag_min, sla}`` or None when nothing was pushed before.
    """
    import httpx
    import psycopg

    from crmhub.cdc.tasks import cdc_sync
    from crmhub.ingest.tasks import SourceAccess
    from crmhub.reverse_etl import run_sync
    from crmhub.warehouse import connect

    with connect(warehouse_url) as conn:  # the company's latest invoice linked by tax id (the sync's rule)
        pushed = conn.execute(
            """SELECT s.destination_id, s.payload ->> 'invoice_status', x.external_id
                 FROM ops.reverse_etl_state s
                 JOIN core.entity e ON e.crmhub_id = s.crmhub_id
                 JOIN core.tax_key company ON company.tax_id = e.tax_id
                 JOIN core.tax_key billed ON billed.tax_key = company.tax_key
                 JOIN core.commitment i ON i.billing_tax_id = billed.tax_id AND i.deleted_at IS NULL
                 JOIN core.external_id x ON x.crmhub_id = i.crmhub_id AND x.system = 'billing' AND x.object = 'invoice'
                WHERE s.sync_name = 'company_invoice_status' AND s.status = 'synced'
                ORDER BY s.destination_id::bigint, i.source_updated_at DESC NULLS LAST LIMIT 1""").fetchone()
    if pushed is None:
        return None
    company, current, invoice_id = pushed
    status = "overdue" if current == "paid" else "paid"
    with psycopg.connect(services.billing_url) as conn:
        invoice = conn.execute(
            "UPDATE billing.invoices SET invoice_status = %s, updated_at = now() WHERE invoice_id = %s "
            "RETURNING invoice_id", (status, invoice_id)).fetchone()[0]
    cdc_sync(warehouse_url, "billing_invoices", SourceAccess(url=services.billing_url))
    run = run_sync("company_invoice_status", warehouse_url, services.crm.url, CRM_TOKEN)
    with connect(warehouse_url) as conn:
        lag = conn.execute("SELECT detail -> 'field_lag_min' ->> 'invoice_status' FROM ops.sync_runs "
                           "WHERE detail ->> 'reverse_etl_run_id' = %s", (str(run.run_id),)).fetchone()[0]
    with httpx.Client(headers={"Authorization": f"Bearer {CRM_TOKEN}"}, timeout=30) as client:
        crm_value = client.get(f"{services.crm.url}/crm/v3/objects/companies/{company}",
                               params={"properties": "invoice_status"}).json()["properties"].get("invoice_status")
    return {"invoice": invoice, "company": company, "status": status, "crm_value": crm_value,
            "lag_min": None if lag is None else float(lag), "sla": "billing_to_crm"}
