"""CSV and drop-folder hardening (issue #16 item 5): duplicate header names, over-long records on both
parsers without reading gigabytes, a failing drop-folder file never blocks newer ones (a repeat offender
opens an incident), and a file still being written is not picked up."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc

import psycopg
import pytest

from crmhub.config import load_integration_map
from crmhub.exceptions import RejectedFileError
from crmhub.health.causes import sync_trigger
from crmhub.ingest.loader import ingest, ingest_folder
from crmhub.ingest.sources.csv_source import CsvSource
from crmhub.ingest.sources.folder_source import FolderSource

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def good(i: int, **over) -> str:
    row = {"external_id": f"LP-{i}", "first_name": "Jane", "last_name": f"Doe{i}", "email": f"jane{i}@x.com",
           "company": "Acme Capital", "amount": "1000", "updated_at": "2025-03-14T10:00:00Z"}
    row.update(over)
    return ",".join(row.values())


def _read(path, **kw) -> int:
    return sum(len(b.frame) for b in CsvSource(path, **kw).batches())


@pytest.mark.parametrize("fast", [True, False])
def test_duplicate_header_names_are_rejected_with_names_and_line(tmp_path, fast):
    path = tmp_path / "dup.csv"
    path.write_text("\n" + HEADER.replace("company", "Email") + ",amount\n" + good(1) + ",5\n")
    with pytest.raises(RejectedFileError, match=r"duplicate column name\(s\) in the header: email, Email, amount") as err:
        _read(path, fast=fast)
    assert err.value.line == 2


@pytest.mark.parametrize("messy", [False, True], ids=["fast parser", "csv module"])
def test_a_record_over_the_byte_limit_is_rejected_with_its_line(tmp_path, messy):
    path = tmp_path / "long.csv"
    lines = [HEADER, good(1), good(2, company="X" * 5000), good(3)]
    if messy:   # a quoted line break elsewhere sends the file to the csv module
        lines[1] = good(1, company='"Acme\nCapital"')
    path.write_text("\n".join(lines) + "\n")
    assert CsvSource(path).scan.simple is (not messy)
    with pytest.raises(RejectedFileError, match="longer than the limit of 1024 bytes") as err:
        _read(path, max_record_bytes=1024)
    assert err.value.line == (3 if not messy else 4)
    assert _read(path, max_record_bytes=10_000) == 3


def test_a_record_spanning_many_lines_stops_at_the_limit(tmp_path):
    path = tmp_path / "runaway.csv"   # a runaway quote: every line is short, the record is not
    path.write_text(HEADER + "\n" + good(1) + "\n" + good(2, company='"never closed') + "\n"
                    + "".join(f"{good(i)}\n" for i in range(3, 400)))
    with pytest.raises(RejectedFileError, match="longer than the limit") as err:
        _read(path, max_record_bytes=4096)
    assert err.value.line == 3


def test_a_gigantic_line_is_rejected_without_holding_it(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write((HEADER + "\n" + good(1) + "\n").encode())
        block = b"A" * (1 << 20)
        for _ in range(48):           # one 48 MiB line without a line end
            fh.write(block)
    tracemalloc.start()
    try:
        with pytest.raises(RejectedFileError) as err:
            _read(path, max_record_bytes=1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.line == 3 and "50331648 bytes" in str(err.value)
    assert peak < 24 << 20, f"peak {peak / 2**20:.1f} MiB"


# -- drop folder ------------------------------------------------------------------------------------------

def _drop(tmp_path, names):
    drop = tmp_path / "drop"
    drop.mkdir()
    old = time.time() - 3600
    for i, name in enumerate(names):
        path = drop / name
        path.write_text(HEADER + "\n" + good(i) + "\n")
        os.utime(path, (old + i, old + i))        # written an hour ago, in this order
    return drop


def test_a_failing_file_is_recorded_and_skipped_and_a_repeat_offender_opens_an_incident(db, fundadmin, tmp_path):
    drop = _drop(tmp_path, ["a_old.csv", "b_broken.csv", "c_new.csv"])
    folder = FolderSource(drop, fundadmin)

    def load(source):   # the real loader; the warehouse "fails" on one file (e.g. a lost connection)
        if source.origin == "b_broken.csv":
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return ingest(db, fundadmin, source)

    first = folder.load_all(db, load)
    assert [(s.origin, s.status) for s in first] == [("a_old.csv", "loaded"), ("c_new.csv", "loaded")]
    for _ in range(2):                              # retried on the next runs, still failing
        assert folder.load_all(db, load) == []
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT origin, error_type, count(*) FROM ops.drop_file_failures GROUP BY 1, 2"
                            ).fetchall() == [("b_broken.csv", "OperationalError", 3)]
        assert conn.execute("SELECT count(*) FROM ops.incidents").fetchone()[0] == 0   # ingest never pages
        sync_trigger(conn, load_integration_map(), "drop_file_failure")             # the health cycle does
        sync_trigger(conn, load_integration_map(), "drop_file_failure")             # once per cause
        incident = conn.execute('SELECT connector, trigger, "values" FROM ops.incidents').fetchall()
    assert len(incident) == 1 and incident[0][:2] == ("fundadmin_lp_contacts", "drop_file_failure")
    assert incident[0][2]["file"] == "b_broken.csv" and incident[0][2]["failures"] == 3
    assert [s.name for s in folder.pending(psycopg.connect(db))] == []     # given up until the bytes change
    (drop / "b_broken.csv").write_text(HEADER + "\n" + good(7) + "\n")
    assert [s.origin for s in ingest_folder(db, fundadmin, drop)] == ["b_broken.csv"]


def test_a_file_still_being_written_is_not_picked_up(fundadmin, tmp_path):
    drop = _drop(tmp_path, ["settled.csv"])
    growing = drop / "growing.csv"
    growing.write_text(HEADER + "\n")
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            with growing.open("a") as fh:
                fh.write(good(i) + "\n")
            i += 1
            time.sleep(0.05)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        folder = FolderSource(drop, fundadmin, settle_s=0.3)
        assert [p.name for p in folder.files()] == ["settled.csv"]
    finally:
        stop.set()
        thread.join()
    assert [p.name for p in FolderSource(drop, fundadmin, settle_s=0.3).files()] == ["settled.csv", "growing.csv"]
    assert [p.name for p in FolderSource(drop, fundadmin, min_age_s=0).files()] == ["settled.csv", "growing.csv"]
