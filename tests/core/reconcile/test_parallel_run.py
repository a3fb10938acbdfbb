"""Parallel run: legacy export vs the new stack, planted differences and the rollback trigger."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import psycopg
import pytest

from crmhub.cli import main
from crmhub.demo_data import generate
from crmhub.ingest.loader import ingest_file
from crmhub.reconcile.parallel import ParallelRunError, run_parallel, write_legacy_export
from crmhub.reverse_etl.definitions import load_syncs

START, END = "2026-07-01", "2026-11-01"


@pytest.fixture
def loaded(db, fundadmin, crm_csv, billing_csv, tmp_path):
    ds = generate(tmp_path / "demo")
    ingest_file(db, fundadmin, ds.files["fund_admin"])
    ingest_file(db, crm_csv, ds.files["crm_contacts"])
    ingest_file(db, billing_csv, ds.files["billing"])
    return db


def _diffs(result: dict, dataset: str) -> set[tuple]:
    return {(d["kind"], d["field"], d["left_ref"] or d["right_ref"], d["left_value"], d["right_value"])
            for d in result["datasets"][dataset]["differences"] if d["kind"] != "group"}


def test_identical_export_passes(loaded, imap, tmp_path):
    export = write_legacy_export(loaded, tmp_path / "legacy", START, END, imap, plant=False)
    assert export["planted"] == {}
    result = run_parallel(loaded, export["folder"], START, END, imap, report_dir=tmp_path / "r")
    assert result["delta_pct"] == 0.0 and not result["rollback_recommended"] and result["incident_id"] is None
    for name, data in result["datasets"].items():
        assert data["differences"] == [], name
        assert data["legacy_records"] == data["new_records"] > 0, name
    with psycopg.connect(loaded) as conn:
        calls = conn.execute("SELECT count(*) FROM staging.billing_invoices WHERE issued_on BETWEEN %s AND %s",
                             (START, END)).fetchone()[0]
    assert result["datasets"]["cash_calls"]["new_records"] == calls


def test_planted_differences_flagged_and_rollback_triggered(loaded, imap, tmp_path, capsys):
    export = write_legacy_export(loaded, tmp_path / "legacy", START, END, imap)
    planted = export["planted"]
    result = run_parallel(loaded, export["folder"], START, END, imap, report_dir=tmp_path / "r")
    inv = _diffs(result, "investors")
    missing = [d for d in inv if d[0] == "missing_left"]
    assert len(missing) == 1 and len(inv) == 2
    with psycopg.connect(loaded) as conn:
        email_of = dict(conn.execute("SELECT crmhub_id::text, lower(email) FROM core.contact"))
    assert email_of[missing[0][2]] == planted["investor_missing_in_legacy"]
    changed = planted["investor_amount_changed"]
    assert ("mismatch", "committed", next(r for r in csv.DictReader(open_file(export, "investors.csv"))
                                          if r["email"] == changed["email"])["investor_id"],
            changed["legacy"], changed["new"]) in inv
    moved = planted["pipeline_moved"]
    assert {d[2] for d in _diffs(result, "pipeline")} == {moved["from"], moved["to"]}
    call = planted["cash_call_amount_changed"]
    assert _diffs(result, "cash_calls") == {
        ("mismatch", "amount", call["call_id"], call["legacy"], call["new"]),
        ("missing_right", None, planted["cash_call_only_in_legacy"], None, None),
    }
    assert result["delta_pct"] > result["rollback_threshold_pct"] == 2.0
    assert result["rollback_recommended"] is True
    with psycopg.connect(loaded) as conn:
        incidents = conn.execute("SELECT incident_id, connector, trigger, owner, severity FROM ops.incidents").fetchall()
        stored = conn.execute("SELECT rollback_recommended, incident_id FROM ops.parallel_runs").fetchall()
        comparison = conn.execute("SELECT \"values\"->'comparison' FROM ops.incidents").fetchone()[0]
        frozen = dict(conn.execute("SELECT connector, frozen_by FROM ops.connector_state WHERE frozen").fetchall())
    assert incidents == [(result["incident_id"], "crm", "rollback", "sam.ortiz", "critical")]
    # the recommendation is an action: the syncs writing to the CRM are frozen, the comparison is attached
    to_crm = {s.name: s.connector for s in load_syncs(imap).values() if s.destination_kind == "crm"}
    assert result["frozen_syncs"] == to_crm and to_crm["contact_traits"] == "crm_contacts"
    assert frozen == {c: "crmhub:parallel-run" for c in to_crm.values()}
    assert comparison["investors"]["differences"] == len(result["datasets"]["investors"]["differences"]) > 0 and comparison["cash_calls"]["delta_pct"] > 0
    assert changed["email"] not in json.dumps(comparison)             # no record values in the incident
    assert stored == [(True, result["incident_id"])]
    # from the shell: exit 3 says "rollback recommended"; the same open incident is counted, not duplicated
    assert main(["reconcile", "parallel", export["folder"], "--start", START, "--end", END, "--url", loaded,
                 "--report-dir", str(tmp_path / "r")]) == 3
    assert "rollback_recommended=true" in capsys.readouterr().out
    with psycopg.connect(loaded) as conn:
        assert conn.execute("SELECT count(*), max(occurrences) FROM ops.incidents").fetchone() == (1, 2)


def test_small_difference_below_rollback_threshold(loaded, imap, tmp_path):
    export = write_legacy_export(loaded, tmp_path / "legacy", START, END, imap, plant=False)
    path = Path(export["folder"]) / "cash_calls.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][3] = f"{float(rows[1][3]) + 10:.2f}"  # 10 units more on one call: tiny delta
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    result = run_parallel(loaded, export["folder"], START, END, imap, report_dir=tmp_path / "r")
    assert _diffs(result, "cash_calls") == {("mismatch", "amount", rows[1][0], rows[1][3],
                                             f"{float(rows[1][3]) - 10:.2f}")}
    assert 0 < result["delta_pct"] < 2.0 and not result["rollback_recommended"] and result["incident_id"] is None


def test_missing_export_file_is_named(db, imap, tmp_path):
    (tmp_path / "legacy").mkdir()
    with pytest.raises(ParallelRunError, match="missing investors.csv"):
        run_parallel(db, tmp_path / "legacy", START, END, imap)


def open_file(export: dict, name: str):
    return (Path(export["folder"]) / name).open(encoding="utf-8")
