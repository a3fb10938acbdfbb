"""Load-path behaviour: idempotency, crash safety, drift freeze/unfreeze, metrics and breaches, folders, CLI."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from crmhub.cli import main
from crmhub.exceptions import ConnectorFrozenError
from crmhub.ingest.loader import ingest, ingest_file, ingest_folder
from crmhub.ingest.sources.base import SourceBatch
from crmhub.ingest.sources.csv_source import CsvSource

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def rows(n: int, start: int = 0, **over) -> str:
    out = []
    for i in range(start, start + n):
        row = {"external_id": f"LP-{i}", "first_name": "Ann", "last_name": f"Lee{i}", "email": f"ann{i}@x.com",
               "company": f"Fund {i % 3}", "amount": str(1000 + i), "updated_at": "2025-03-14T10:00:00Z"}
        row.update(over)
        out.append(",".join(row.values()))
    return "\n".join(out) + "\n"


def counts(fetch) -> tuple:
    return tuple(
        fetch(f"SELECT count(*) FROM {t}")[0][0]
        for t in ("raw.fundadmin_lp_contacts_records", "staging.fundadmin_lp_contacts", "core.contact", "core.commitment",
                  "core.entity", "core.external_id", "ops.quarantine")
    )


def test_rerun_same_file_and_same_load_id_changes_nothing(db, fundadmin, write, balanced, fetch):
    path = write("a.csv", HEADER + "\n" + rows(10))
    first = ingest_file(db, fundadmin, path, load_id="run-1")
    balanced(first)
    before = counts(fetch)
    again = ingest_file(db, fundadmin, path)  # same checksum, new load id
    assert again.skipped and again.load_id == "run-1"
    other = write("b.csv", HEADER + "\n" + rows(3, start=50))
    same_id = ingest_file(db, fundadmin, other, load_id="run-1")  # same load id
    assert same_id.skipped
    assert counts(fetch) == before
    assert fetch("SELECT count(*) FROM ops.loads")[0][0] == 1


class ExplodingSource:
    """A real CSV source that dies after handing over its first batch (simulates a crash mid-load)."""

    def __init__(self, inner: CsvSource):
        self.inner = inner
        self.name = inner.name
        self.origin = inner.origin

    @property
    def checksum(self):
        return self.inner.checksum

    def batches(self):
        for i, batch in enumerate(self.inner.batches()):
            if i == 1:
                raise RuntimeError("disk on fire")
            yield batch


def test_crash_mid_load_leaves_nothing(db, fundadmin, write, fetch):
    path = write("crash.csv", HEADER + "\n" + rows(30))
    source = ExplodingSource(CsvSource.for_connector(fundadmin, path, chunk_rows=10))
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest(db, fundadmin, source, load_id="crash-1")
    assert fetch("SELECT status, rows_read, loaded FROM ops.loads WHERE load_id = 'crash-1'") == [("failed", 10, 0)]
    assert fetch("SELECT to_regclass('raw.fundadmin_lp_contacts')") == [(None,)]
    assert fetch("SELECT count(*) FROM core.contact")[0][0] == 0
    assert fetch("SELECT count(*) FROM ops.quarantine")[0][0] == 0
    # the same file loads cleanly afterwards (the failed attempt does not count as processed)
    retry = ingest_file(db, fundadmin, path, chunk_rows=10)
    assert (retry.rows_read, retry.loaded) == (30, 30)


def test_drift_parks_freezes_and_unfreeze_releases(db, fundadmin, write, balanced, fetch, capsys):
    drifted = write("drift.csv", HEADER + ",tier\n" + rows(4).replace("\n", ",gold\n"))
    parked = ingest_file(db, fundadmin, drifted)
    balanced(parked)
    assert parked.status == "parked" and parked.rejected == parked.rows_read == 4
    diff = fetch("SELECT diff FROM ops.parked_events")[0][0]
    assert diff == {"added": ["tier"], "missing": [], "retyped": []}
    assert fetch("SELECT frozen FROM ops.connector_state WHERE connector = 'fundadmin_lp_contacts'") == [(True,)]
    assert fetch("SELECT to_regclass('raw.fundadmin_lp_contacts')") == [(None,)]
    good = write("good.csv", HEADER + "\n" + rows(2))
    with pytest.raises(ConnectorFrozenError, match="unfreeze"):
        ingest_file(db, fundadmin, good)
    assert main(["connector", "status", "--url", db]) == 0
    assert "FROZEN" in capsys.readouterr().out
    assert main(["connector", "unfreeze", "fundadmin_lp_contacts", "--by", "priya.shah", "--url", db]) == 0
    assert main(["connector", "unfreeze", "fundadmin_lp_contacts", "--by", "priya.shah", "--url", db]) == 1
    events = fetch("SELECT event, actor FROM ops.connector_events ORDER BY id")
    assert events == [("freeze", "crmhub.drift"), ("unfreeze", "priya.shah")]
    assert fetch("SELECT released_at IS NOT NULL FROM ops.parked_events") == [(True,)]
    assert ingest_file(db, fundadmin, good).loaded == 2


def test_missing_column_is_drift(db, fundadmin, write, fetch):
    body = "external_id,first_name,last_name,email,company,updated_at\nLP-1,A,B,a@b.co,C,2025-01-01\n"
    s = ingest_file(db, fundadmin, write("missing.csv", body))
    assert s.status == "parked"
    assert fetch("SELECT diff->'missing' FROM ops.parked_events") == [(["amount"],)]


def test_retyped_column_parks(db, fundadmin, write, balanced, fetch):
    body = HEADER + "\n" + rows(25, amount="n/a")
    s = ingest_file(db, fundadmin, write("retyped.csv", body))
    balanced(s)
    assert s.status == "parked"
    retyped = fetch("SELECT diff->'retyped' FROM ops.parked_events")[0][0]
    assert retyped == [{"field": "amount", "declared": "money", "illegal": 25, "non_null": 25}]
    # a few bad amounts (below the 50 % / 20-value bar) are quarantined, not drift
    main(["connector", "unfreeze", "fundadmin_lp_contacts", "--by", "dana.kim", "--url", db])
    few = ingest_file(db, fundadmin, write("few.csv", HEADER + "\n" + rows(25, start=100) + rows(2, start=200, amount="n/a")))
    balanced(few)
    assert (few.status, few.quarantined, few.reasons) == ("loaded", 2, {"type:money": 2})


def test_metrics_and_one_open_breach_per_field(db, fundadmin, write, balanced, fetch, caplog):
    body = HEADER + "\n" + rows(90) + rows(10, start=90, email="")
    with caplog.at_level("WARNING"):
        s = ingest_file(db, fundadmin, write("m1.csv", body))
    balanced(s)
    assert s.loaded == 100  # null emails load with lower confidence (flag_low_confidence)
    assert fetch("SELECT min(confidence) FROM core.contact") == [(80,)]
    assert fetch("SELECT rows, nulls, illegal FROM ops.contract_metrics WHERE field = 'email'") == [(100, 10, 0)]
    assert fetch("SELECT field FROM ops.contract_breaches WHERE closed_at IS NULL") == [("email",)]
    assert any("contract breach fundadmin_lp_contacts.email" in r.getMessage() for r in caplog.records)
    ingest_file(db, fundadmin, write("m2.csv", HEADER + "\n" + rows(10, start=500, email="")))
    assert fetch("SELECT count(*) FROM ops.contract_breaches") == [(1,)]  # no storm
    # enough clean rows bring the window under 2 %: the breach closes
    ingest_file(db, fundadmin, write("m3.csv", HEADER + "\n" + rows(1000, start=1000)))
    assert fetch("SELECT closed_at IS NOT NULL FROM ops.contract_breaches") == [(True,)]


def test_contracts_report_cli(db, fundadmin, write, capsys):
    ingest_file(db, fundadmin, write("r.csv", HEADER + "\n" + rows(50) + rows(5, start=50, amount="-7")))
    assert main(["contracts", "report", "--connector", "fundadmin_lp_contacts", "--url", db, "--json"]) == 0
    report = {r["field"]: r for r in json.loads(capsys.readouterr().out)}
    assert report["amount"]["pass"] is False and report["amount"]["illegal_pct"] == pytest.approx(100 * 5 / 55, 0.01)
    assert report["amount"]["owner"] == "dana.kim"
    assert report["external_id"]["pass"] is True and report["external_id"]["rows"] == 55
    assert main(["contracts", "report", "--url", db]) == 0
    table = capsys.readouterr().out
    assert "FAIL" in table and "pass" in table and "priya.shah" in table


def test_folder_source_is_idempotent(db, fundadmin, tmp_path, fetch):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "day1.csv").write_text(HEADER + "\n" + rows(3))
    (drop / "day2.csv").write_text(HEADER + "\n" + rows(2, start=10))
    (drop / "bad.csv").write_bytes(b"")
    first = ingest_folder(db, fundadmin, drop)
    assert sorted((s.origin, s.status) for s in first) == [
        ("bad.csv", "rejected"), ("day1.csv", "loaded"), ("day2.csv", "loaded")
    ]
    assert ingest_folder(db, fundadmin, drop) == []  # nothing new
    (drop / "day2.csv").write_text(HEADER + "\n" + rows(2, start=10) + rows(1, start=20))  # same name, new content
    third = ingest_folder(db, fundadmin, drop)
    assert [(s.origin, s.rows_read, s.loaded) for s in third] == [("day2.csv", 3, 3)]
    assert fetch("SELECT count(*) FROM core.contact") == [(6,)]


def test_ingest_file_cli_prints_json_summary(db, write, capsys):
    path = write("cli.csv", HEADER + "\n" + rows(3) + "LP-9,X,,x@y.z,Co,5,2025-01-01\nLP-10,too,few\n")
    code = main(["ingest-file", "--source", "fundadmin_lp_contacts", str(path), "--url", db])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("rows_read", "loaded", "quarantined", "rejected")} == {
        "rows_read": 5, "loaded": 3, "quarantined": 2, "rejected": 0
    }
    assert out["reasons"]["column_count"] == 1 and out["reasons"]["null"] >= 1
    bad = write("semi.csv", HEADER.replace(",", ";") + "\n")
    assert main(["ingest-file", "--source", "fundadmin_lp_contacts", str(bad), "--url", db]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["rejected"] == out["rows_read"] == 0 and "wrong delimiter" in out["error"]


def test_ingest_file_cli_subprocess(db, write):
    import subprocess
    import sys

    path = write("sub.csv", HEADER + "\n" + rows(2))
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "..", "..", "include"))
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from crmhub.cli import main; sys.exit(main())",
         "ingest-file", "--source", "fundadmin_lp_contacts", str(path), "--url", db],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["loaded"] == 2


def test_profile_cli(write, capsys):
    path = write("p.csv", HEADER + "\n" + rows(3) + rows(1, start=1, updated_at="03/14/2025", amount='"$1,200.50"'))
    assert main(["profile", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    cols = {c["column"]: c for c in result["columns"]}
    assert result["duplicate_keys"] == 1 and result["examples"] == {"LP-1": 2}
    assert cols["updated_at"]["formats"] == {"iso_datetime": 3, "slash_date (US m/d/Y?)": 1}
    assert cols["email"]["formats"] == {"email": 4} and cols["email"]["null_rate"] == 0
    assert cols["company"]["distinct"] == 3
    assert main(["profile", str(path), "--key", "email"]) == 0
    assert "duplicate keys (email): 1" in capsys.readouterr().out


def test_source_batch_deleted_defaults_and_validates():
    frame = pd.DataFrame({"a": ["1", "2"]})
    batch = SourceBatch(frame=frame, locators=["x:1", "x:2"], origin="x", header=["a"])
    assert batch.deleted == [False, False]
    with pytest.raises(ValueError, match="locators"):
        SourceBatch(frame=frame, locators=["x:1"], origin="x", header=["a"])


def test_fast_parser_hands_over_to_csv_module_after_batches_were_landed(db, fundadmin, write, balanced, fetch, caplog):
    # small pyarrow blocks so batches are landed before the reader reaches the bad record
    body = HEADER + "\n" + rows(20_000) + "LP-X,too,few\n" + rows(10, start=30_000)
    source = CsvSource.for_connector(fundadmin, write("big.csv", body), chunk_rows=2_000, block_bytes=64 << 10)
    with caplog.at_level("INFO"):
        s = ingest(db, fundadmin, source)
    balanced(s)
    assert (s.rows_read, s.loaded, s.quarantined) == (20_011, 20_010, 1)
    assert any("re-reading big.csv with the csv module" in r.getMessage() for r in caplog.records)
    assert fetch("SELECT locator, rule FROM ops.quarantine") == [("big.csv:20002", "column_count")]
    assert fetch("SELECT count(*) FROM raw.fundadmin_lp_contacts_records") == [(20_011,)]  # first attempt rolled back


def test_parked_file_counts_every_row_even_when_the_fast_parser_gives_up(db, fundadmin, write, balanced):
    body = HEADER + ",tier\n" + rows(5_000).replace("\n", ",x\n") + "LP-X,short\n" + rows(5, start=9_000).replace("\n", ",x\n")
    source = CsvSource.for_connector(fundadmin, write("drift_big.csv", body), chunk_rows=500, block_bytes=16 << 10)
    s = ingest(db, fundadmin, source)
    balanced(s)
    assert (s.status, s.rows_read, s.rejected) == ("parked", 5_006, 5_006)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_raw_landing_is_the_files_bytes_in_batches(db, fundadmin, write, balanced, fetch, fast, ending):
    """Concatenated in order, the raw batches are the file after its header line, byte for byte; the
    records view splits them back into the staged rows (same row numbers and locators)."""
    body = (HEADER + "\n" + rows(23, amount='"$1,234.50"')).replace("\n", ending).rstrip("\r\n")  # no final line end
    path = write(f"verbatim_{fast}.csv", body)
    s = ingest(db, fundadmin, CsvSource.for_connector(fundadmin, path, chunk_rows=5, fast=fast))
    balanced(s)
    assert (s.rows_read, s.loaded) == (23, 23)
    data = fetch("SELECT string_agg(data, ''::bytea ORDER BY batch_no), count(*), sum(rows) FROM raw.fundadmin_lp_contacts")
    assert data == [(path.read_bytes().split(b"\n", 1)[1], 5, 23)]
    assert fetch(
        "SELECT count(*) FROM raw.fundadmin_lp_contacts_records r JOIN staging.fundadmin_lp_contacts s "
        "USING (load_id, row_no, locator) WHERE split_part(r.record, ',', 1) = s.external_id"
    ) == [(23,)]
    assert fetch("SELECT locator, record FROM raw.fundadmin_lp_contacts_records WHERE row_no = 22") == [
        (f"verbatim_{fast}.csv:24", rows(1, start=22, amount='"$1,234.50"').rstrip("\n"))
    ]
