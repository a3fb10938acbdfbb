"""Daily reconciliation: equal systems, planted drift, incidents, reports, deterministic reruns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from reconcile_support import FA_HEADER, fund_admin_rows, shift_history, today, write_csv

from crmhub.cli import main
from crmhub.demo_data import generate
from crmhub.ingest.loader import ingest_file
from crmhub.reconcile import run_reconciliation

RULES = ["fund_admin_commitments", "crm_pipeline_stages"]


def _rule(result: dict, name: str) -> dict:
    return next(r for r in result["rules"] if r["rule"] == name)


def test_equal_systems_give_zero_delta(db, imap, fundadmin, crm_csv, tmp_path):
    ds = generate(tmp_path / "demo")
    ingest_file(db, fundadmin, ds.files["fund_admin"])
    ingest_file(db, crm_csv, ds.files["crm_contacts"])
    result = run_reconciliation(db, today(), imap, rules=RULES, report_dir=tmp_path / "reports")
    for name in RULES:
        r = _rule(result, name)
        assert r["delta_pct"] == 0.0, r
        assert r["diff_count"] == 0 and not r["breached"]
        assert r["left_records"] == r["right_records"] > 100
    fa = _rule(result, "fund_admin_commitments")
    with psycopg.connect(db) as conn:
        staged = conn.execute("SELECT count(*) FROM staging.fundadmin_lp_contacts").fetchone()[0]
        core_sum = conn.execute("SELECT sum(amount) FROM core.commitment WHERE amount IS NOT NULL").fetchone()[0]
        incidents = conn.execute("SELECT count(*) FROM ops.incidents").fetchone()[0]
    assert fa["left_records"] == staged
    assert fa["left_total"] == fa["right_total"] == float(core_sum)
    assert result["breached"] == [] and result["notifications"] == [] and incidents == 0


def _drift(db, fundadmin, tmp_path, n=250, changed=(3, 50, 77, 120, 160, 201, 249)):
    """n commitments loaded to core; then a newer fund-admin file whose changed amounts never reached core."""
    ingest_file(db, fundadmin, write_csv(tmp_path, "v1.csv", FA_HEADER, fund_admin_rows(
        n, company="<script>alert(1)</script> LP", company_row=3)))
    new = {i: f"{1_000_000 + i * 10_000 + 5_000}.00" for i in changed}
    summary = ingest_file(db, fundadmin, write_csv(tmp_path, "v2.csv", FA_HEADER, fund_admin_rows(
        n, amounts=new, ts="2026-10-02T10:00:00Z", company="<script>alert(1)</script> LP",
        company_row=3)), to_core=False)
    assert summary.status == "loaded"
    return {f"FA-{i:06d}": (new[i], f"{1_000_000 + i * 10_000}.00") for i in changed}


def test_planted_drift_found_with_exact_records(db, imap, fundadmin, tmp_path):
    planted = _drift(db, fundadmin, tmp_path)
    result = run_reconciliation(db, today(), imap, rules=["fund_admin_commitments"], report_dir=tmp_path / "r")
    r = _rule(result, "fund_admin_commitments")
    equal = next(m for m in r["measures"] if m["kind"] == "equal")
    assert equal["delta_pct"] == pytest.approx(2.8)          # 7 of 250 records differ
    assert r["delta_pct"] == pytest.approx(2.8) and r["breached"]
    total = next(m for m in r["measures"] if m["kind"] == "sum")
    assert total["right_total"] - total["left_total"] == pytest.approx(-7 * 5_000)  # core lacks the new amounts
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            """SELECT d.left_ref, d.left_value, d.right_value, d.crmhub_id FROM ops.reconciliation_diffs d
                WHERE d.rule = 'fund_admin_commitments' AND d.kind = 'mismatch' ORDER BY d.left_ref""").fetchall()
        ids = dict(conn.execute(
            "SELECT external_id, crmhub_id::text FROM core.external_id WHERE object = 'lp_contact.commitment'"))
    assert {ref: (left, right) for ref, left, right, _ in rows} == planted
    assert all(ids[ref] == key for ref, _, _, key in rows)


def test_breach_opens_one_incident_and_rerun_keeps_it(db, imap, fundadmin, tmp_path):
    _drift(db, fundadmin, tmp_path)
    first = run_reconciliation(db, today(), imap, rules=["fund_admin_commitments"], report_dir=tmp_path / "r")
    second = run_reconciliation(db, today(), imap, rules=["fund_admin_commitments"], report_dir=tmp_path / "r")
    with psycopg.connect(db) as conn:
        incidents = conn.execute(
            """SELECT incident_id, connector, trigger, owner, occurrences, proof_hint FROM ops.incidents""").fetchall()
        runs = conn.execute("SELECT count(*), max(diff_count) FROM ops.reconciliation_runs").fetchone()
        diffs = conn.execute("SELECT count(*) FROM ops.reconciliation_diffs").fetchone()[0]
    assert len(incidents) == 1
    incident_id, connector, trigger, owner, occurrences, proof = incidents[0]
    assert (connector, trigger, owner, occurrences) == ("fundadmin_lp_contacts", "reconciliation", "priya.shah", 2)
    assert proof == first["report"]["html"]
    assert _rule(first, "fund_admin_commitments")["incident_id"] == incident_id
    assert runs == (1, _rule(second, "fund_admin_commitments")["diff_count"]) and diffs == runs[1]
    payload = second["notifications"][0]
    assert payload["crmhub"]["incident_id"] == incident_id
    assert payload["crmhub"]["values"]["report"] == second["report"]["html"]
    assert payload["crmhub"]["owner"]["email"] == "priya.shah@firm.example"
    html = Path(second["report"]["html"]).read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html and "<script>" not in html
    csv_text = Path(second["report"]["csv"]).read_text(encoding="utf-8")
    assert "FA-000003,FA-000003,1035000.00,1030000.00" in csv_text.replace(",,", ",")


def test_rerun_of_past_date_is_identical_after_newer_loads(db, imap, fundadmin, tmp_path):
    ingest_file(db, fundadmin, write_csv(tmp_path, "v1.csv", FA_HEADER, fund_admin_rows(40)))
    shift_history(db, 3)
    past = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
    before = run_reconciliation(db, past, imap, rules=RULES, report_dir=tmp_path / "r")
    assert _rule(before, "fund_admin_commitments")["delta_pct"] == 0.0
    # newer data: changed amounts and new LPs, partly to core, partly only staged
    ingest_file(db, fundadmin, write_csv(tmp_path, "v2.csv", FA_HEADER, fund_admin_rows(
        50, amounts={1: "5.00", 2: "7.00"}, ts="2026-11-20T10:00:00Z")))
    ingest_file(db, fundadmin, write_csv(tmp_path, "v3.csv", FA_HEADER, fund_admin_rows(
        55, amounts={3: "9.00"}, ts="2026-11-21T10:00:00Z")), to_core=False)
    after = run_reconciliation(db, past, imap, rules=RULES, report_dir=tmp_path / "r")
    assert after == before
    now = run_reconciliation(db, today(), imap, rules=RULES, report_dir=tmp_path / "r")
    fa_now = _rule(now, "fund_admin_commitments")
    assert fa_now["left_records"] == 55 and fa_now["right_records"] == 50 and fa_now["breached"]


def test_report_cli_prints_totals_trend_and_writes_artifacts(db, imap, fundadmin, tmp_path, capsys):
    _drift(db, fundadmin, tmp_path)
    day = date.fromisoformat(today())
    for back in (2, 1):  # two earlier days for the trend
        run_reconciliation(db, day - timedelta(days=back), imap, rules=["fund_admin_commitments"],
                           report_dir=tmp_path / "r")
    assert main(["reconcile", "run", "--date", today(), "--url", db, "--report-dir", str(tmp_path / "r")]) == 0
    capsys.readouterr()
    assert main(["reconcile", "report", "--date", today(), "--url", db, "--report-dir", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "fund_admin_commitments: fundadmin_lp_contacts vs core.commitment  [BREACH]" in out
    assert "delta 2.8000 %" in out
    assert "trend 3d:" in out and "mismatch" in out and "FA-000003" in out
    html_path = out.strip().splitlines()[-2].split("report: ", 1)[1]
    assert html_path.endswith(f"reconciliation_{today()}.html")
    assert "FA-000249" in Path(html_path).read_text(encoding="utf-8")
