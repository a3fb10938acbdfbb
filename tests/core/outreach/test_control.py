"""Control mode (issue #18 item 5): a new or changed automation mails only the control list, records what
each control LP received, and reaches its flag rollout only after a human confirms the control sends."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from outreach_support import add_events, record_healthy_sync, seed_contacts

from crmhub.cli import main
from crmhub.outreach import OutreachEngine, mask_email
from crmhub.outreach.control import ControlError, control_emails, control_report, mode, promote
from crmhub.outreach.rules import Budget, Cap
from crmhub.outreach.tasks import promote_after_control

NAME = "reinstate_interest"
FLAG = "outreach.reinstate_interest"
FRIENDLY = "friendly.lp@lp.example"


def _world(db, n=5):
    ids = seed_contacts(db, n + 1)
    with psycopg.connect(db) as conn:   # one of them is the friendly LP on the map's control list
        conn.execute("UPDATE core.contact SET email = %s WHERE crmhub_id = %s", (FRIENDLY.upper(), ids[0]))
    return ids


def _engine(db, auto, imap, gate, smtp_settings):
    return OutreachEngine(db, {NAME: auto}, imap.people, gate, smtp_settings, health_check=lambda: 100.0,
                          control_list=control_emails(imap))


def test_control_mode_mails_only_the_control_list_until_a_human_promotes(db, automations, imap, make_gate,
                                                                        smtp_sink, smtp_settings):
    ids = _world(db)
    auto = dataclasses.replace(automations[NAME], cap=Cap(1000, 100), budget=Budget(1000))
    engine = _engine(db, auto, imap, make_gate({FLAG: 100}), smtp_settings)
    with psycopg.connect(db) as conn:
        assert mode(conn, auto) == "control"
        with pytest.raises(ControlError, match="sent nothing to the control list"):
            promote(conn, auto, "sam.ortiz")                 # nothing to confirm yet
    add_events(db, ids)
    first = engine.run(NAME)
    assert first.mode == "control" and first.sent == 1 and first.reasons["skipped: control_mode"] == 5
    assert smtp_sink.recipients() == [FRIENDLY.upper()]
    with psycopg.connect(db) as conn:
        (got,) = control_report(conn, auto)
        assert (got.status, got.contact_id, got.recipient) == ("sent", ids[0], mask_email(FRIENDLY.upper()))
        assert conn.execute("SELECT mode FROM ops.outbox").fetchone()[0] == "control"
        with pytest.raises(ControlError, match="--by"):
            promote(conn, auto, " ")
        assert promote(conn, auto, "sam.ortiz", note="checked the friendly LP's inbox") == 1
        assert mode(conn, auto) == "rollout"
        assert conn.execute("SELECT promoted_by, control_sends FROM ops.outreach_promotions").fetchone() == (
            "sam.ortiz", 1)

    add_events(db, ids[1:], load_id="after-promotion")         # the flag rollout now decides
    rollout = engine.run(NAME)
    assert rollout.mode == "rollout" and rollout.sent == 5 and len(smtp_sink.messages) == 6

    changed = dataclasses.replace(auto, subject_template="A new subject, {{ contact.first_name }}")
    with psycopg.connect(db) as conn:                          # a changed automation starts over in control mode
        assert mode(conn, changed) == "control"
    add_events(db, [ids[0]], old="true", new="false")
    add_events(db, ids)
    again = _engine(db, changed, imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    assert again.mode == "control" and again.sent == 1 and smtp_sink.messages[-1]["subject"].startswith("A new")


def test_cli_control_report_and_promote(db, imap, tmp_path, capsys, smtp_sink):
    import json

    ids = _world(db)
    record_healthy_sync(db)
    flags = tmp_path / "flags.json"
    flags.write_text(json.dumps({"version": 2, "features": []}))      # no flag data at all: control mode ignores it
    assert main(["outreach", "promote", NAME, "--by", "sam.ortiz", "--url", db]) == 1
    assert "sent nothing to the control list" in capsys.readouterr().err
    add_events(db, ids[:3])
    assert main(["outreach", "run", "--url", db, "--bootstrap", str(flags), "--smtp-host", "127.0.0.1",
                 "--smtp-port", str(smtp_sink.port), "--smtp-from", "ir@firm.example"]) == 0
    assert "(control mode)" in capsys.readouterr().out and smtp_sink.recipients() == [FRIENDLY.upper()]
    assert main(["outreach", "control-report", NAME, "--url", db]) == 0
    out = capsys.readouterr().out
    assert "control mode; 1 control message(s)" in out and f"{mask_email(FRIENDLY)}: sent" in out
    assert "i***l@f***.example: nothing yet" in out and FRIENDLY not in out
    assert main(["outreach", "status", "--control-list", "--url", db]) == 0
    assert "control mode" in (out := capsys.readouterr().out) and "sent 1 (control list only)" in out
    assert main(["outreach", "promote", NAME, "--by", "sam.ortiz", "--url", db]) == 0
    assert "promoted to its flag rollout by sam.ortiz (1 control message(s) confirmed)" in capsys.readouterr().out
    assert main(["outreach", "status", "--url", db]) == 0
    assert "rollout mode" in capsys.readouterr().out


def test_airflow_approval_payload_promotes_with_the_responder(db, automations, imap, make_gate, smtp_sink,
                                                              smtp_settings):
    ids = _world(db, n=1)
    add_events(db, ids)
    auto = automations[NAME]
    result = _engine(db, auto, imap, make_gate({}), smtp_settings).run(NAME)
    assert result.mode == "control" and result.sent == 1
    approval = {"chosen_options": ["Approve"], "params_input": {}, "responded_by_user": {"id": "7", "name": "lena.vogel"}}
    done = promote_after_control(db, [result.summary()], approval)
    assert done == [{"automation": NAME, "promoted_by": "lena.vogel", "control_sends": 1}]
    with pytest.raises(ValueError, match="who"):
        promote_after_control(db, [result.summary()], {"chosen_options": ["Approve"], "responded_by_user": None})
    with psycopg.connect(db) as conn:
        assert mode(conn, auto) == "rollout"


def test_reconciliation_for_the_control_list_alone(db, imap, fundadmin, tmp_path, capsys):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from reconcile_support import FA_HEADER, fund_admin_rows, today, write_csv

    from crmhub.ingest.loader import ingest_file
    from crmhub.outreach.control import control_record_ids
    from crmhub.reconcile.engine import reconcile_records

    ingest_file(db, fundadmin, write_csv(tmp_path, "v1.csv", FA_HEADER, fund_admin_rows(40)))
    drift = {3: "1035000.00", 30: "1305000.00"}               # two amounts that never reached core
    ingest_file(db, fundadmin, write_csv(tmp_path, "v2.csv", FA_HEADER,
                                         fund_admin_rows(40, amounts=drift, ts="2026-10-02T10:00:00Z")), to_core=False)
    with psycopg.connect(db) as conn:
        keys = control_record_ids(conn, ["ANN3@lp3.com", "ann4@lp4.com"])   # one drifted LP, one clean
        conn.execute("UPDATE core.contact SET email = 'friendly.lp@lp.example' WHERE lower(email) = 'ann3@lp3.com'")
    assert len(keys) == 4                                       # two contacts and their commitments
    (r,) = reconcile_records(db, today(), keys, imap, rules=["fund_admin_commitments"])
    assert (r["left_records"], r["right_records"], r["delta_pct"]) == (2, 2, 50.0)     # 1 of 2 differs
    assert [d["kind"] for d in r["differences"]] == ["group", "mismatch"]
    assert all("left_value" not in d for d in r["differences"])
    assert main(["reconcile", "run", "--control-list", "--rule", "fund_admin_commitments", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "control list only (2 record(s))" in out   # the map's list: the friendly LP and its commitment
    assert "left 1  right 1  differences 2  BREACH" in out
    with psycopg.connect(db) as conn:   # nothing stored, no incident: the daily run stays the record
        assert conn.execute("SELECT count(*) FROM ops.reconciliation_runs").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM ops.incidents").fetchone()[0] == 0
