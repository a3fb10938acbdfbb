"""The restore drill runs end to end on a scratch database and proves the restore byte-identical."""

from __future__ import annotations

import psycopg

from crmhub.cli import main
from crmhub.ops.drill import run_drill


def test_drill_restores_core_identically_and_drops_its_scratch_database(db_owner, imap):
    warehouse_url = db_owner  # the drill creates and migrates a scratch database: the admin's work
    seen = []
    result = run_drill(warehouse_url, imap, rows=300, echo=seen.append)
    names = [s.name for s in result.steps]
    assert names == ["create scratch database + migrate", "good load", "snapshot", "bad load",
                     "revert the bad load", "restore the snapshot"]
    assert seen == result.steps and result.passed
    bad = result.steps[3]
    assert "core.contact" in bad.note                      # the bad load really changed core
    assert result.steps[4].identical is True and "0 conflicts" in result.steps[4].note   # revert_load
    assert result.steps[-1].identical is True and all(s.seconds >= 0 for s in result.steps)
    with psycopg.connect(warehouse_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s",
                            (result.database,)).fetchone()[0] == 0


def test_cli_drill_prints_each_step(db_owner, capsys):
    warehouse_url = db_owner  # CREATE DATABASE + migrations: the admin's work
    assert main(["ops", "drill", "--rows", "100", "--url", warehouse_url]) == 0
    out = capsys.readouterr().out
    assert "restore the snapshot" in out and "identical" in out and "drill PASSED" in out
