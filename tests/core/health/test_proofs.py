"""Proof files stored in the warehouse close an incident; the CLI and the console share the call."""

from __future__ import annotations

import psycopg
import pytest

from crmhub.cli import main as cli
from crmhub.health import incidents, proofs


@pytest.fixture
def incident(db, imap) -> tuple[str, int]:
    with psycopg.connect(db) as conn:
        inc = incidents.open_incident(conn, "crm_contacts", "lag", {"sync_lag_min": 45}, imap=imap)
        conn.commit()
    return db, inc.incident_id


def test_resolve_with_file_stores_bytes_and_points_the_incident_at_them(incident):
    url, incident_id = incident
    with psycopg.connect(url) as conn:
        row = proofs.resolve_with_file(conn, incident_id, "/tmp/x/../lag chart.png", b"\x89PNG...", by="dana.kim")
        conn.commit()
        artifact = proofs.get_proof(conn, proofs.artifact_id_of(row["proof"]))
    assert row["resolved_by"] == "dana.kim"
    assert (artifact["filename"], artifact["content"], artifact["content_type"], artifact["uploaded_by"]) == (
        "lag chart.png", b"\x89PNG...", "image/png", "dana.kim")
    assert len(artifact["sha256"]) == 64


@pytest.mark.parametrize("name,content,by,error", [
    ("proof.txt", b"", "dana.kim", "empty"),
    ("", b"x", "dana.kim", "needs a name"),
    ("proof.txt", b"x", " ", "--by"),
])
def test_a_proof_file_that_proves_nothing_is_refused(incident, name, content, by, error):
    url, incident_id = incident
    with psycopg.connect(url) as conn:
        with pytest.raises(incidents.IncidentError, match=error):
            proofs.resolve_with_file(conn, incident_id, name, content, by=by)
        conn.rollback()
        assert incidents.get_incident(conn, incident_id)["resolved_at"] is None
        assert conn.execute("SELECT count(*) FROM ops.proof_artifacts").fetchone()[0] == 0


def test_unknown_incident_is_named(db):
    with psycopg.connect(db) as conn, pytest.raises(incidents.IncidentError, match="no incident 999"):
        proofs.store_proof(conn, 999, "p.txt", b"x", by="dana.kim")


def test_cli_resolves_with_a_proof_file(incident, tmp_path):
    url, incident_id = incident
    proof = tmp_path / "recon.csv"
    proof.write_text("rule,delta\nx,0\n")
    assert cli(["incidents", "resolve", str(incident_id), "--proof-file", str(proof), "--by", "dana.kim",
                "--url", url]) == 0
    with psycopg.connect(url) as conn:
        ref = incidents.get_incident(conn, incident_id)["proof"]
        assert proofs.get_proof(conn, proofs.artifact_id_of(ref))["content"] == proof.read_bytes()


def test_artifact_id_of_reads_only_warehouse_refs():
    assert proofs.artifact_id_of(proofs.proof_ref(12)) == 12
    assert proofs.artifact_id_of("https://git.example/pr/1") is None
    assert proofs.artifact_id_of("warehouse:ops.proof_artifacts/1; DROP") is None
