"""Actions with an ``op`` token: they work, and every row names the authenticated user (no free-text "by")."""

from __future__ import annotations

import re

import psycopg
import pytest
from console_support import review_row
from psycopg.rows import dict_row

pytestmark = [pytest.mark.airflow, pytest.mark.integration]


def _row(url: str, sql: str, *params) -> dict:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchone()


def test_op_acknowledges_and_resolves_with_a_stored_file(api_server):
    incident = api_server.ids["incidents"][0]
    with api_server.client("oper") as c:
        r = c.post(f"/crmhub/incidents/{incident}/ack", data={"by": "someone-else"})
        assert r.status_code == 200, r.text
        row = _row(api_server.warehouse_url, "SELECT * FROM ops.incidents WHERE incident_id = %s", incident)
        assert row["acknowledged_by"] == "oper"
        # a resolve without proof is refused and changes nothing
        r = c.post(f"/crmhub/incidents/{incident}/resolve", data={"proof_url": " "})
        assert r.status_code == 409 and "proof" in r.json()["error"]
        r = c.post(f"/crmhub/incidents/{incident}/resolve",
                   files={"proof_file": ("lag-after-fix.png", b"\x89PNG fake chart", "image/png")})
        assert r.status_code == 200, r.text
        row = _row(api_server.warehouse_url, "SELECT * FROM ops.incidents WHERE incident_id = %s", incident)
        assert row["resolved_by"] == "oper"
        artifact = int(re.fullmatch(r"warehouse:ops\.proof_artifacts/(\d+)", row["proof"]).group(1))
        stored = _row(api_server.warehouse_url, "SELECT * FROM ops.proof_artifacts WHERE artifact_id = %s", artifact)
        assert (bytes(stored["content"]), stored["uploaded_by"], stored["incident_id"]) == (
            b"\x89PNG fake chart", "oper", incident)
        download = c.get(f"/crmhub/incidents/proof/{artifact}")
        assert download.content == b"\x89PNG fake chart"
        assert download.headers["content-disposition"].startswith("attachment")


def test_op_resolves_with_a_link_and_mttr_counts_it(api_server):
    incident = api_server.ids["incidents"][1]
    with api_server.client("oper") as c:
        r = c.post(f"/crmhub/incidents/{incident}/resolve", data={"proof_url": "https://git.example/pr/42"})
        assert r.status_code == 200, r.text
        data = c.get("/crmhub/api/incidents").json()
    row = _row(api_server.warehouse_url, "SELECT * FROM ops.incidents WHERE incident_id = %s", incident)
    assert (row["proof"], row["resolved_by"]) == ("https://git.example/pr/42", "oper")
    assert data["mttr"]["resolved"] >= 1


def test_op_releases_pauses_and_decides(api_server):
    url, ids = api_server.warehouse_url, api_server.ids
    with api_server.client("oper") as c:
        assert c.post(f"/crmhub/connectors/{ids['frozen']}/release").status_code == 200
        event = _row(url, "SELECT * FROM ops.connector_events WHERE connector = %s ORDER BY id DESC LIMIT 1",
                     ids["frozen"])
        assert (event["event"], event["actor"]) == ("unfreeze", "oper")
        assert c.post(f"/crmhub/connectors/{ids['frozen']}/release").status_code == 409  # not frozen any more

        assert c.post("/crmhub/outreach/reinstate_interest/pause").status_code == 200
        state = _row(url, "SELECT * FROM ops.outreach_state WHERE automation = 'reinstate_interest'")
        assert (state["paused"], state["paused_by"]) == (True, "oper")
        assert c.post("/crmhub/outreach/nope/pause").status_code == 409
        assert c.post("/crmhub/outreach/all/pause").status_code == 200
        assert c.get("/crmhub/api/outreach").json()["all_paused"] is True
        assert c.post("/crmhub/outreach/all/resume").status_code == 200
        state = _row(url, "SELECT * FROM ops.outreach_state WHERE automation = 'reinstate_interest'")
        assert (state["paused"], state["paused_by"]) == (False, "oper")

        # its two records share an address in two identities: a rejection stands but waits for a second review
        review = ids["reviews"][1]
        assert c.post(f"/crmhub/review/{review}/reject").status_code == 200
        assert review_row(url, review) == {"status": "pending", "by": None}
        row = _row(url, "SELECT first_decided_by, second_review_reason FROM ops.review_clusters WHERE cluster_id = %s",
                   review)
        assert row["first_decided_by"] == "oper" and row["second_review_reason"].startswith("rejected")
        assert c.post(f"/crmhub/review/{review}/approve").status_code == 409  # not by the same reviewer at once
        assert c.get("/crmhub/api/review").json()["decisions_today"]["by_reviewer"]["oper"] >= 1
        first = ids["reviews"][0]
        assert c.post(f"/crmhub/review/{first}/approve").status_code == 200
        assert review_row(url, first) == {"status": "approved", "by": "oper"}
        assert c.post(f"/crmhub/review/{first}/reject").status_code == 409  # decisions are final


def test_cookie_session_needs_the_csrf_token(api_server):
    """The browser's cookie alone never acts: the page's CSRF token and this origin are required."""
    incident = api_server.ids["incidents"][2]
    token = api_server.token("oper")
    with api_server.client() as c:
        c.cookies.set("_token", token)
        page = c.get("/crmhub/incidents").text
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page).group(1)
        path = f"/crmhub/incidents/{incident}/ack"
        assert c.post(path).status_code == 403
        assert c.post(path, data={"csrf_token": "0" * 64}).status_code == 403
        assert c.post(path, data={"csrf_token": csrf}, headers={"Origin": "https://evil.example"}).status_code == 403
        assert _row(api_server.warehouse_url, "SELECT acknowledged_by FROM ops.incidents WHERE incident_id = %s",
                    incident)["acknowledged_by"] is None
        r = c.post(path, data={"csrf_token": csrf}, headers={"Origin": api_server.base})
        assert r.status_code == 303 and "acknowledged" in r.headers["location"]
        # a viewer's valid CSRF token does not make the viewer an actor
        c.cookies.set("_token", api_server.token("viewer"))
        viewer_csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', c.get("/crmhub/incidents").text)
        assert viewer_csrf is None  # no action forms for a reader
    assert _row(api_server.warehouse_url, "SELECT acknowledged_by FROM ops.incidents WHERE incident_id = %s",
                incident)["acknowledged_by"] == "oper"
