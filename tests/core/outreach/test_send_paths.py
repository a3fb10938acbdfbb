"""Every send path (the DAG's task function after approval, the CLI) passes the health gate and records
who approved sends beyond the cap. Real warehouse, real SMTP sink, offline flags."""

from __future__ import annotations

import json

import psycopg
from outreach_support import add_events, record_healthy_sync, seed_contacts

from crmhub.cli import main
from crmhub.outreach.tasks import UnleashAccess, run_automations

NAME = "reinstate_interest"
FLAG = "outreach.reinstate_interest"


def _bootstrap(tmp_path, rollout=100):
    path = tmp_path / "flags.json"
    path.write_text(json.dumps({"version": 2, "features": [{
        "name": FLAG, "type": "release", "enabled": True, "project": "default", "stale": False, "variants": [],
        "strategies": [{"name": "flexibleRollout", "constraints": [], "variants": [],
                        "parameters": {"rollout": str(rollout), "stickiness": "userId", "groupId": FLAG}}]}]}))
    return path


def _runs(db):
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT outcome, approved_by, approved_count FROM ops.outreach_runs"
                            " WHERE NOT dry_run ORDER BY run_id").fetchall()


def test_task_function_after_approval_is_health_gated_and_records_the_approver(db, tmp_path, smtp_sink,
                                                                                smtp_settings, promote_all):
    ids = seed_contacts(db, 300)         # cap = 2 % of 300 = 6
    add_events(db, ids[:10])
    promote_all(db)
    access = UnleashAccess(bootstrap=_bootstrap(tmp_path))
    blocked = run_automations(db, access, smtp_settings, names=[NAME], approved={NAME: 10}, approved_by="lena.vogel")
    assert blocked[0]["outcome"] == "blocked_health" and smtp_sink.messages == []   # no sync ever ran
    record_healthy_sync(db)
    (sent,) = run_automations(db, access, smtp_settings, names=[NAME], approved={NAME: 10}, approved_by="lena.vogel")
    assert sent["outcome"] == "sent" and sent["sent"] == 10 and len(smtp_sink.messages) == 10
    assert _runs(db)[-1] == ("sent", "lena.vogel", 10)


def test_cli_run_is_health_gated_and_approval_needs_a_name(db, tmp_path, capsys, smtp_sink, promote_all):
    ids = seed_contacts(db, 300)
    add_events(db, ids[:10])
    promote_all(db)
    common = ["outreach", "run", "--url", db, "--bootstrap", str(_bootstrap(tmp_path)), "--smtp-host", "127.0.0.1",
              "--smtp-port", str(smtp_sink.port), "--smtp-from", "ir@firm.example"]
    assert main(common) == 0
    assert "reinstate_interest: blocked_health" in capsys.readouterr().out and smtp_sink.messages == []
    record_healthy_sync(db)
    assert main([*common, "--approve", "10"]) == 1
    assert "--by" in capsys.readouterr().err
    assert main([*common, "--approve", "10", "--by", "lena.vogel"]) == 0
    assert len(smtp_sink.messages) == 10
    assert _runs(db)[-1] == ("sent", "lena.vogel", 10)
