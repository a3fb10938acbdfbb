"""One code path: an action in the console and the same action in the CLI leave identical rows.

Each action is done twice on twin objects, once through the console (``op`` token) and once through
``crmhub ...`` with ``--by`` the same user; the rows are compared without their ids, keys and timestamps.
"""

from __future__ import annotations

import psycopg
import pytest
from console_support import reset
from psycopg.rows import dict_row

from crmhub.cli import main as cli
from crmhub.ingest.state import freeze

pytestmark = [pytest.mark.airflow, pytest.mark.integration]
TIMES = {"opened_at", "last_seen_at", "acknowledged_at", "resolved_at", "recovered_at", "notified_at", "at",
         "uploaded_at", "decided_at", "created_at", "updated_at", "merged_at", "frozen_at", "released_at"}


def _rows(url: str, sql: str, *params) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchall()


def _same(a: dict, b: dict, *, ignore: set[str], ids: tuple = ()) -> None:
    def norm(row: dict, own_id) -> dict:
        out = {}
        for k, v in row.items():
            if k in ignore or k in TIMES:
                continue
            out[k] = v.replace(str(own_id), "<id>") if isinstance(v, str) and own_id is not None else v
        return out

    left, right = ids or (None, None)
    assert norm(a, left) == norm(b, right)


def test_console_and_cli_leave_identical_rows(api_server, imap, tmp_path):
    url = api_server.warehouse_url
    ids = reset(url, imap)
    a, b, _ = ids["incidents"]
    proof = tmp_path / "recon-after-fix.csv"
    proof.write_bytes(b"rule,delta_pct\nfund_admin_commitments,0.01\n")
    with api_server.client("oper") as c:
        assert c.post(f"/crmhub/incidents/{a}/ack").status_code == 200
        assert c.post(f"/crmhub/incidents/{a}/resolve",
                      files={"proof_file": (proof.name, proof.read_bytes(), "text/csv")}).status_code == 200
    assert cli(["incidents", "ack", str(b), "--by", "oper", "--url", url]) == 0
    assert cli(["incidents", "resolve", str(b), "--proof-file", str(proof), "--by", "oper", "--url", url]) == 0
    inc = {r["incident_id"]: r for r in _rows(url, "SELECT * FROM ops.incidents WHERE incident_id IN (%s, %s)", a, b)}
    _same(inc[a], inc[b], ignore={"incident_id", "connector", "trigger", "values", "owner", "runbook_url",
                                  "severity", "proof", "occurrences", "proof_hint"})
    art = {r["incident_id"]: r for r in _rows(url, "SELECT * FROM ops.proof_artifacts")}
    _same(art[a], art[b], ignore={"artifact_id", "incident_id"})
    assert inc[a]["proof"].startswith("warehouse:ops.proof_artifacts/") and inc[b]["proof"].startswith(
        "warehouse:ops.proof_artifacts/")

    first, second = ids["reviews"]
    with api_server.client("oper") as c:
        assert c.post(f"/crmhub/review/{first}/approve").status_code == 200
    assert cli(["review", "approve", str(second), "--by", "oper", "--url", url]) == 0
    decided = {r["cluster_id"]: r for r in _rows(url, "SELECT * FROM ops.review_clusters")}
    keys = {"cluster_id", "proposal_key", "member_ids", "members", "links", "score_min", "score_max", "source_systems"}
    _same(decided[first], decided[second], ignore=keys)
    for table, column in (("ops.match_decisions", "reason"), ("core.merge_history", "reason")):
        rows = _rows(url, f"SELECT * FROM {table}")
        mine = [next(r for r in rows if r[column].endswith((f" {item}", f" {item}: approved"))) for item in (first, second)]
        _same(mine[0], mine[1], ignore={"review_id", "pair_low", "pair_high", "merge_id", "survivor_id", "merged_id"},
              ids=(first, second))

    with psycopg.connect(url) as conn:
        freeze(conn, "cdp_events", "schema drift: 1 added, 1 missing, 1 retyped field", by="crmhub-ingest")
        conn.commit()
    with api_server.client("oper") as c:
        assert c.post(f"/crmhub/connectors/{ids['frozen']}/release").status_code == 200
    assert cli(["connector", "unfreeze", "cdp_events", "--by", "oper", "--url", url]) == 0
    ev = {r["connector"]: r for r in _rows(url, "SELECT * FROM ops.connector_events WHERE event = 'unfreeze'")}
    _same(ev[ids["frozen"]], ev["cdp_events"], ignore={"id", "connector"})
    st = {r["connector"]: r for r in _rows(url, "SELECT * FROM ops.connector_state")}
    _same(st[ids["frozen"]], st["cdp_events"], ignore={"connector"})

    with api_server.client("oper") as c:
        assert c.post("/crmhub/outreach/reinstate_interest/pause").status_code == 200
    console_row = _rows(url, "SELECT * FROM ops.outreach_state WHERE automation = 'reinstate_interest'")[0]
    assert cli(["outreach", "resume", "reinstate_interest", "--by", "oper", "--url", url]) == 0
    assert cli(["outreach", "pause", "reinstate_interest", "--by", "oper", "--url", url]) == 0
    cli_row = _rows(url, "SELECT * FROM ops.outreach_state WHERE automation = 'reinstate_interest'")[0]
    _same(console_row, cli_row, ignore=set())
