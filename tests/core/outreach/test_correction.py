"""Tear-down with a correction step (issue #18 item 6): a correction goes to exactly the recipients of a
misfire, once each, through the same outbox, health gate, cap and approval."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from outreach_support import add_events, promoted_engine, record_healthy_sync, seed_contacts

from crmhub.cli import main
from crmhub.exceptions import CrmHubError
from crmhub.outreach.rules import Budget, Cap
from crmhub.outreach.state import suppress
from crmhub.outreach.teardown import queue_correction

NAME = "reinstate_interest"
FLAG = "outreach.reinstate_interest"


def _engine(db, auto, imap, gate, smtp_settings):
    return promoted_engine(db, {NAME: auto}, imap, gate, smtp_settings)


def _window():
    now = datetime.now(UTC)
    return now - timedelta(hours=1), now + timedelta(minutes=1)


def test_correction_reaches_exactly_the_misfire_recipients_once(db, automations, imap, make_gate, smtp_sink,
                                                                smtp_settings):
    ids = seed_contacts(db, 8)
    auto = dataclasses.replace(automations[NAME], cap=Cap(1000, 100), budget=Budget(1000))
    engine = _engine(db, auto, imap, make_gate({FLAG: 100}), smtp_settings)
    add_events(db, ids[:5])                                     # the misfire: 5 investors mailed
    assert engine.run(NAME).sent == 5
    misfired = set(smtp_sink.recipients())
    with psycopg.connect(db) as conn:
        suppress(conn, smtp_sink.recipients()[4], "opt-out after the misfire")
        since, until = _window()
        fix = queue_correction(conn, auto, since, until, by="sam.ortiz", reason="wrong template")
    assert fix.recipients == 5
    add_events(db, ids[5:])                                     # later ordinary events are not part of it
    smtp_sink.handler.clear()
    sent = engine.run(NAME, correction_id=fix.correction_id)
    assert (sent.mode, sent.sent, sent.reasons["suppressed: suppression_list"]) == ("correction", 4, 1)
    assert set(smtp_sink.recipients()) < misfired and len(smtp_sink.messages) == 4
    assert all(m["subject"].startswith("Please disregard our previous email") for m in smtp_sink.messages)
    again = engine.run(NAME, correction_id=fix.correction_id)   # never twice
    assert again.sent == 0 and again.reasons["skipped: duplicate_transition"] == 4
    with psycopg.connect(db) as conn:
        body = conn.execute("SELECT body_text FROM ops.outbox WHERE mode = 'correction' LIMIT 1").fetchone()[0]
        assert 'titled "Thank you for your interest' in body
        assert conn.execute("SELECT requested_by, recipients FROM ops.outreach_corrections").fetchone() == (
            "sam.ortiz", 5)


def test_correction_obeys_the_cap_and_approval(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 12)
    auto = dataclasses.replace(automations[NAME], cap=Cap(1000, 100), budget=Budget(1000))
    add_events(db, ids)
    assert _engine(db, auto, imap, make_gate({FLAG: 100}), smtp_settings).run(NAME).sent == 12
    with psycopg.connect(db) as conn:
        fix = queue_correction(conn, auto, *_window(), by="sam.ortiz")
    capped = dataclasses.replace(auto, cap=Cap(5, 100, "approval"))
    engine = _engine(db, capped, imap, make_gate({FLAG: 100}), smtp_settings)
    waiting = engine.run(NAME, correction_id=fix.correction_id)
    assert (waiting.outcome, waiting.pending, waiting.sent) == ("needs_approval", 12, 0)
    done = engine.run(NAME, correction_id=fix.correction_id, approved_count=12, approved_by="lena.vogel")
    assert done.sent == 12 and len(smtp_sink.messages) == 24


def test_correction_needs_a_template_a_requester_and_a_misfire(db, automations):
    auto = automations[NAME]
    with psycopg.connect(db) as conn:
        with pytest.raises(CrmHubError, match="sent nothing"):
            queue_correction(conn, auto, *_window(), by="sam.ortiz")
        with pytest.raises(CrmHubError, match="--by"):
            queue_correction(conn, auto, *_window(), by="")
        with pytest.raises(CrmHubError, match="no correction template"):
            queue_correction(conn, dataclasses.replace(auto, correction=None), *_window(), by="sam.ortiz")


def test_cli_teardown_correct_then_run_correction(db, promote_all, tmp_path, capsys, smtp_sink):
    import json

    ids = seed_contacts(db, 300)
    add_events(db, ids[:3])
    promote_all(db)
    record_healthy_sync(db)
    flags = tmp_path / "flags.json"
    flags.write_text(json.dumps({"version": 2, "features": [{
        "name": FLAG, "type": "release", "enabled": True, "project": "default", "stale": False, "variants": [],
        "strategies": [{"name": "flexibleRollout", "constraints": [], "variants": [],
                        "parameters": {"rollout": "100", "stickiness": "userId", "groupId": FLAG}}]}]}))
    common = ["--url", db, "--bootstrap", str(flags), "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_sink.port),
              "--smtp-from", "ir@firm.example"]
    assert main(["outreach", "run", *common]) == 0 and len(smtp_sink.messages) == 3
    capsys.readouterr()
    assert main(["outreach", "teardown", "--automation", NAME, "--since", "2000-01-01T00:00Z", "--correct",
                 "--url", db]) == 1
    assert "--by" in capsys.readouterr().err
    assert main(["outreach", "teardown", "--automation", NAME, "--since", "2000-01-01T00:00Z", "--correct",
                 "--by", "sam.ortiz", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "correction 1 queued for 3 recipient(s) by sam.ortiz" in out
    assert main(["outreach", "run", "--automation", NAME, "--correction", "1", *common]) == 0
    assert "reinstate_interest: sent (correction mode)" in capsys.readouterr().out
    assert len(smtp_sink.messages) == 6
