"""Persistence (PostgreSQL schema crm_sandbox, JSON file), seed files and the CLI process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest
from process_support import free_port, wait_http_ok

from crm_sandbox import SandboxServer, load_seed_file, merge_seeds
from crmhub.exceptions import RejectedFileError

WORKTREE = Path(__file__).resolve().parents[3]
# crmhub/cli has no __main__.py (yet); run the same entry point as the `crmhub` console script.


def _write_some(url: str) -> dict[str, str]:
    with httpx.Client(base_url=url) as c:
        company = c.post("/crm/v3/objects/companies", json={"properties": {"name": "Persist Co",
                                                                           "crmhub_id": "ent-9"}}).json()["id"]
        created = c.post("/crm/v3/objects/contacts/batch/create",
                         json={"inputs": [{"properties": {"email": f"p{i}@x.example"}} for i in range(3)]},
                         headers={"Idempotency-Key": "k-1"})
        assert created.status_code == 201
        contact = created.json()["results"][0]["id"]
        c.put(f"/crm/v4/objects/contacts/{contact}/associations/default/companies/{company}")
        c.post("/crm/v3/properties/companies", json={"name": "fund_vintage", "type": "number"})
        c.patch(f"/crm/v3/objects/companies/{company}", json={"properties": {"fund_vintage": "2019"}})
        c.post("/crm/v3/objects/contacts/batch/archive", json={"inputs": [{"id": created.json()["results"][2]["id"]}]})
        return {"company": company, "contact": contact, "body": json.dumps(created.json())}


def _check_survived(url: str, before: dict[str, str]) -> None:
    with httpx.Client(base_url=url) as c:
        counts = c.get("/_sandbox/counts").json()
        assert counts["contacts"] == {"total": 3, "active": 2, "archived": 1}
        assert counts["companies"]["total"] == 1 and counts["associations"] == 1
        got = c.get(f"/crm/v3/objects/contacts/{before['contact']}", params={"associations": "companies"}).json()
        assert got["associations"]["companies"]["results"][0]["id"] == before["company"]
        comp = c.get(f"/crm/v3/objects/companies/{before['company']}",
                     params={"properties": "fund_vintage,crmhub_id"}).json()
        assert comp["properties"] == {"fund_vintage": "2019", "crmhub_id": "ent-9", "hs_object_id": before["company"]}
        # the idempotency key survives the restart: the replay does not create three more contacts
        replay = c.post("/crm/v3/objects/contacts/batch/create",
                        json={"inputs": [{"properties": {"email": f"p{i}@x.example"}} for i in range(3)]},
                        headers={"Idempotency-Key": "k-1"})
        assert replay.headers.get("Idempotent-Replayed") == "true"
        assert replay.json() == json.loads(before["body"])
        # the unique index is rebuilt, and ids are never reused
        assert c.post("/crm/v3/objects/contacts", json={"properties": {"email": "p0@x.example"}}).status_code == 409
        new_id = c.post("/crm/v3/objects/contacts", json={"properties": {"email": "fresh@x.example"}}).json()["id"]
        assert int(new_id) > int(before["contact"]) + 2


def test_postgres_state_survives_restart(make_database) -> None:
    url = make_database()
    with SandboxServer(state_url=url) as server:
        before = _write_some(server.url)
    with psycopg.connect(url) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'crm_sandbox'")}
        assert tables == {"records", "associations", "idempotency_keys", "properties", "counters"}
        assert conn.execute("SELECT count(*) FROM crm_sandbox.records").fetchone()[0] == 4
    with SandboxServer(state_url=url) as server:
        assert httpx.get(f"{server.url}/_sandbox/health").json()["state"] == "postgres:crm_sandbox"
        _check_survived(server.url, before)
        httpx.post(f"{server.url}/_sandbox/reset")
    with SandboxServer(state_url=url) as server:
        assert httpx.get(f"{server.url}/_sandbox/counts").json()["contacts"]["total"] == 0


def test_json_file_state_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "state" / "crm.json"
    with SandboxServer(state=str(path)) as server:
        before = _write_some(server.url)
    assert path.exists()
    with SandboxServer(state=str(path)) as server:
        _check_survived(server.url, before)


def test_seed_files_json_and_csv(tmp_path: Path) -> None:
    (tmp_path / "crm.json").write_text(json.dumps({
        "companies": [{"id": "5100", "properties": {"name": "Alpine LP", "domain": "alpine.example",
                                                     "entity_type": "lp"}}],
        "contacts": [{"properties": {"email": "j@alpine.example", "lastmodifieddate": "2024-03-01T00:00:00Z"}}]}))
    (tmp_path / "contacts.csv").write_text(
        "id,email,firstname,associatedcompanyid,lp_stage,legacy_score\n"
        "2001,ana@alpine.example,Ana,5100,interested,7\n"
        ",noid@alpine.example,Noid,,SOFT CIRCLE?,\n", encoding="utf-8")
    (tmp_path / "export_b.csv").write_text("name,domain\nBeta GP,beta.example\n", encoding="utf-8")
    seed = merge_seeds([load_seed_file(tmp_path / "crm.json"), load_seed_file(tmp_path / "contacts.csv"),
                        load_seed_file(f"companies={tmp_path / 'export_b.csv'}")])
    with SandboxServer(seed=seed) as server, httpx.Client(base_url=server.url) as c:
        counts = c.get("/_sandbox/counts").json()
        assert counts["contacts"]["total"] == 3 and counts["companies"]["total"] == 2
        assert counts["associations"] == 1
        ana = c.get("/crm/v3/objects/contacts/2001",
                    params={"properties": "firstname,lp_stage,legacy_score,associatedcompanyid",
                            "associations": "companies"}).json()
        assert ana["properties"]["legacy_score"] == "7"  # unknown CSV column became a property
        assert ana["associations"]["companies"]["results"][0]["id"] == "5100"
        # dirty values from a CRM export are kept as they are (the pipeline must catch them)
        dirty = c.get("/crm/v3/objects/contacts/noid@alpine.example",
                      params={"idProperty": "email", "properties": "lp_stage"}).json()
        assert dirty["properties"]["lp_stage"] == "SOFT CIRCLE?"
        # seed timestamps are kept, so search by lastmodifieddate sees history
        old = c.post("/crm/v3/objects/contacts/search", json={"filterGroups": [{"filters": [
            {"propertyName": "lastmodifieddate", "operator": "LT", "value": "2024-06-01T00:00:00Z"}]}]}).json()
        assert [r["properties"]["email"] for r in old["results"]] == ["j@alpine.example"]
    with pytest.raises(RejectedFileError):
        load_seed_file(tmp_path / "nothing.csv")
    (tmp_path / "mystery.csv").write_text("a\n1\n")
    with pytest.raises(RejectedFileError, match="contacts=PATH"):
        load_seed_file(tmp_path / "mystery.csv")


def test_cli_starts_server_process(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text("email,firstname\ncli@x.example,Cli\n")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(WORKTREE / "include")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from crmhub.cli import main; sys.exit(main(sys.argv[1:]))", "crm-sandbox", "--port", str(port), "--token", "tok",
         "--rate-limit", "100/10s", "--seed-file", str(tmp_path / "contacts.csv")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http_ok(f"{base}/_sandbox/health", proc, timeout_s=20, what="crm-sandbox CLI", interval_s=0.1,
                     output=lambda: proc.stderr.read() if proc.stderr else "")
        r = httpx.get(f"{base}/crm/v3/objects/contacts", headers={"Authorization": "Bearer tok"})
        assert r.status_code == 200 and r.json()["results"][0]["properties"]["email"] == "cli@x.example"
        assert r.headers["X-HubSpot-RateLimit-Max"] == "100"
        assert httpx.get(f"{base}/crm/v3/objects/contacts").status_code == 401
        assert httpx.get(f"{base}/_sandbox/faults", headers={"Authorization": "Bearer tok"}).json()["rate_limit"] == \
            {"requests": 100, "per_seconds": 10.0}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "crm-sandbox: serving" in out and "loaded" in out


def test_cli_rejects_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    from crmhub.cli import main

    assert main(["crm-sandbox", "--port", "1", "--rate-limit", "lots"]) == 2
    assert "--rate-limit" in capsys.readouterr().err
    assert main(["crm-sandbox", "--port", "1", "--webhook-url", "http://127.0.0.1:1/x"]) == 2
