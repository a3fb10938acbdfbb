"""``crmhub outreach`` sub-commands, run in-process against a real warehouse and SMTP sink."""

from __future__ import annotations

import csv
import json

import psycopg
from outreach_support import add_events, record_healthy_sync, seed_contacts

from crmhub.cli import main

FLAG = "outreach.reinstate_interest"


def _bootstrap(tmp_path, rollout):
    path = tmp_path / "flags.json"
    path.write_text(json.dumps({"version": 2, "features": [{
        "name": FLAG, "type": "release", "enabled": True, "project": "default", "stale": False, "variants": [],
        "strategies": [{"name": "flexibleRollout", "constraints": [], "variants": [],
                        "parameters": {"rollout": str(rollout), "stickiness": "userId", "groupId": FLAG}}]}]}))
    return str(path)


def test_dry_run_prints_masked_recipients_and_sends_nothing(db, tmp_path, capsys, smtp_sink, promote_all):
    promote_all(db)
    ids = seed_contacts(db, 3)
    add_events(db, ids)
    assert main(["outreach", "run", "--dry-run", "--url", db, "--bootstrap", _bootstrap(tmp_path, 100)]) == 0
    out = capsys.readouterr().out
    assert "reinstate_interest: dry_run" in out
    lines = [line for line in out.splitlines() if "would send to" in line]
    assert len(lines) == 0  # cap: 2 % of an audience of 3 is 0 -> nothing even in a dry run
    assert "deferred: cap_exceeded" in out
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM ops.outbox").fetchone()[0] == 0


def test_run_pause_resume_status_teardown(db, tmp_path, capsys, smtp_sink, promote_all):
    ids = seed_contacts(db, 300)            # cap = min(50, 2 % of 300 = 6)
    promote_all(db)
    record_healthy_sync(db)
    add_events(db, ids[:4])
    flags = _bootstrap(tmp_path, 100)
    assert main(["outreach", "run", "--dry-run", "--url", db, "--bootstrap", flags]) == 0
    out = capsys.readouterr().out
    would = [line for line in out.splitlines() if "would send to" in line]
    assert len(would) == 4 and all("@l***.example" in line and "investor" not in line for line in would)

    assert main(["outreach", "pause", "reinstate_interest", "--by", "sam.ortiz", "--url", db]) == 0
    common = ["--url", db, "--bootstrap", flags, "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_sink.port),
              "--smtp-from", "ir@firm.example"]
    assert main(["outreach", "run", *common]) == 0
    assert "reinstate_interest: paused" in capsys.readouterr().out and smtp_sink.messages == []
    assert main(["outreach", "status", "--url", db]) == 0
    assert "PAUSED by sam.ortiz" in capsys.readouterr().out
    assert main(["outreach", "resume", "--all", "--by", "sam.ortiz", "--url", db]) == 0
    assert main(["outreach", "run", *common]) == 0
    out = capsys.readouterr().out
    assert "reinstate_interest: sent" in out and out.count("sent to i***") == 4 and len(smtp_sink.messages) == 4

    csv_path = tmp_path / "teardown.csv"
    assert main(["outreach", "teardown", "--automation", "reinstate_interest", "--since", "2000-01-01T00:00Z",
                 "--csv", str(csv_path), "--url", db]) == 0
    out = capsys.readouterr().out
    assert "4 message(s)" in out and "@lp.example" not in out
    rows = list(csv.DictReader(csv_path.open()))
    assert len(rows) == 4 and all(r["recipient"].startswith("i***") for r in rows)
    assert main(["outreach", "teardown", "--automation", "reinstate_interest", "--since", "2000-01-01T00:00Z",
                 "--unmask", "--url", db]) == 0
    assert capsys.readouterr().out.count("@lp.example") == 4


def test_unknown_automation_and_missing_smtp_are_clear_errors(db, capsys):
    assert main(["outreach", "pause", "nope", "--by", "x", "--url", db]) == 1
    assert "unknown automation 'nope'" in capsys.readouterr().err
    assert main(["outreach", "run", "--url", db]) == 1
    assert "--smtp-host" in capsys.readouterr().err


def test_suppress_and_bulk_load_commands(db, capsys):
    assert main(["outreach", "suppress", "Jane.Doe@Fund.example", "--reason", "opt-out", "--url", db]) == 0
    assert main(["outreach", "bulk-load", "import-7", "--reason", "migration", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "j***e@f***.example" in out and "Jane.Doe" not in out
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT email FROM ops.suppression_list").fetchone()[0] == "jane.doe@fund.example"
        assert conn.execute("SELECT reason FROM ops.bulk_loads WHERE load_id = 'import-7'").fetchone()[0] == "migration"
