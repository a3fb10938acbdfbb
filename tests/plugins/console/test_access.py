"""The console's endpoints through a real api-server: Airflow's login decides who may read and who may act."""

from __future__ import annotations

import re

import httpx
import psycopg
import pytest
from crmhub_console.features import has_freeze_all

pytestmark = [pytest.mark.airflow, pytest.mark.integration]

READS = ["/crmhub/", "/crmhub/health", "/crmhub/incidents", "/crmhub/review", "/crmhub/connectors", "/crmhub/outreach",
         "/crmhub/reconciliation", "/crmhub/api/health", "/crmhub/api/incidents", "/crmhub/api/review",
         "/crmhub/api/connectors", "/crmhub/api/outreach", "/crmhub/api/reconciliation", "/crmhub/static/console.js",
         "/crmhub/static/console.css", "/crmhub/static/icon.svg"]
EXTRA_READS = ["/crmhub/api/freeze"] if has_freeze_all() else []
READS += EXTRA_READS


def actions(ids: dict) -> list[str]:
    inc, rev = ids["incidents"], ids["reviews"]
    return [f"/crmhub/incidents/{inc[0]}/ack", f"/crmhub/incidents/{inc[0]}/resolve", f"/crmhub/review/{rev[0]}/approve",
            f"/crmhub/review/{rev[0]}/split", f"/crmhub/review/{rev[0]}/reject", f"/crmhub/connectors/{ids['frozen']}/release",
            "/crmhub/outreach/reinstate_interest/pause", "/crmhub/outreach/reinstate_interest/resume",
            "/crmhub/outreach/all/pause", "/crmhub/outreach/all/resume"] + (
                ["/crmhub/freeze/all", "/crmhub/thaw/all"] if has_freeze_all() else [])


def test_every_route_is_listed(api_server):
    """The lists above cover every route the app has (a new unprotected route would fail here first)."""
    from crmhub_console.app import create_app

    paths = {r.path for r in create_app().routes}
    covered = {re.sub(r"/\d+/", "/{id}/", p) for p in READS + actions(api_server.ids)}
    assert len(paths) >= 14
    for path in paths:
        pattern = "^/crmhub" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        assert any(re.match(pattern, p) for p in covered | {"/crmhub/incidents/proof/1",
                                                             "/crmhub/reconciliation/1/diffs.csv"}), path


def test_no_token_no_access(api_server):
    extra = ["/crmhub/incidents/proof/1", "/crmhub/reconciliation/1/diffs.csv"]
    with api_server.client() as anon:
        for path in READS + extra:
            r = anon.get(path)
            assert r.status_code in (401, 303), (path, r.status_code)
            if r.status_code == 303:
                assert "/auth/login" in r.headers["location"], path
        for path in actions(api_server.ids):
            r = anon.post(path, data={"proof_url": "https://x.example"})
            assert r.status_code == 401, (path, r.status_code)
        bad = httpx.get(f"{api_server.base}/crmhub/api/health", headers={"Authorization": "Bearer forged"})
        assert bad.status_code in (401, 403)


@pytest.mark.parametrize("user", ["viewer", "plain"])
def test_reader_roles_read_but_never_act(api_server, user):
    with api_server.client(user) as c:
        for path in READS:
            r = c.get(path, follow_redirects=True)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            assert r.headers["content-security-policy"].endswith("frame-ancestors 'self'")
        for path in actions(api_server.ids):
            r = c.post(path, data={"proof_url": "https://x.example"})
            assert r.status_code == 403, (path, r.status_code)
    with psycopg.connect(api_server.warehouse_url) as conn:
        for sql in ("SELECT count(*) FROM ops.incidents WHERE acknowledged_by = %(u)s OR resolved_by = %(u)s",
                    "SELECT count(*) FROM ops.match_decisions WHERE reviewer = %(u)s",
                    "SELECT count(*) FROM ops.connector_events WHERE actor = %(u)s",
                    "SELECT count(*) FROM ops.outreach_state WHERE paused_by = %(u)s"):
            assert conn.execute(sql, {"u": user}).fetchone()[0] == 0, sql


def test_json_pages_carry_the_data(api_server):
    with api_server.client("viewer") as c:
        health = c.get("/crmhub/api/health").json()
        assert {r["connector"] for r in health["connectors"]} >= {"crm_contacts", "crm_companies"}
        row = next(r for r in health["connectors"] if r["connector"] == "crm_companies")
        assert row["status"] == "blocked" and row["blocks_sensors"] and len(row["trend"]) >= 7
        assert {"error_penalty", "latency_penalty", "lag_penalty", "freshness_min"} <= set(row)
        connectors = c.get("/crmhub/api/connectors").json()
        assert api_server.ids["frozen"] in connectors["frozen"]
        contacts = next(r for r in connectors["connectors"] if r["connector"] == "crm_contacts")
        samples = contacts["quarantine"][0]["samples"]
        assert samples and not any(s == "jane.doe@@example.com" for s in samples)
        assert c.get("/crmhub/api/outreach").json()["automations"][0]["automation"] == "reinstate_interest"
        recon = c.get("/crmhub/api/reconciliation").json()
        run = recon["runs"][0]
        assert run["breached"] and len(run["trend"]) == 30
        csv = c.get(f"/crmhub/reconciliation/{run['run_id']}/diffs.csv").text
        assert "\"=1+1\"" not in csv and "2500000.00" not in csv
        page = c.get("/crmhub/connectors").text
        assert "jane.doe@@example.com" not in page


def test_user_strings_are_escaped(api_server):
    """Text that came from sources or people is shown as text, never as markup."""
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    incident = api_server.ids["incidents"][2]
    with psycopg.connect(api_server.warehouse_url) as conn:
        old = conn.execute("SELECT proof_hint FROM ops.incidents WHERE incident_id = %s", (incident,)).fetchone()[0]
        conn.execute("UPDATE ops.incidents SET proof_hint = %s WHERE incident_id = %s", (evil, incident))
        conn.commit()
    try:
        with api_server.client("oper") as c:
            page = c.get("/crmhub/incidents").text
            gone = c.get("/crmhub/incidents?msg=" + evil).text
    finally:
        with psycopg.connect(api_server.warehouse_url) as conn:
            conn.execute("UPDATE ops.incidents SET proof_hint = %s WHERE incident_id = %s", (old, incident))
            conn.commit()
    for html in (page, gone):
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
