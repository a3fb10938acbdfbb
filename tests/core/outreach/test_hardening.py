"""Outreach hardening (issue #16 item 5): one mail per transition, a send budget over a time window,
header injection, no batch left in limbo, and the health gate + approver on every send path."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from outreach_support import add_events, promote_versions, seed_contacts
from outreach_support import promoted_engine as _engine

from crmhub.outreach import OutreachEngine, outbox
from crmhub.outreach.rules import Budget, Cap
from crmhub.outreach.smtp import OutgoingMessage, send_batch
from crmhub.outreach.state import pause_state

NAME = "reinstate_interest"
FLAG = "outreach.reinstate_interest"


def _auto(automations, **changes):
    changes.setdefault("cap", Cap(1000, 100))
    changes.setdefault("budget", Budget(100_000, 86_400))
    return {NAME: dataclasses.replace(automations[NAME], **changes)}


def _outbox_rows(db):
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT contact_id::text, status, error FROM ops.outbox ORDER BY outbox_id").fetchall()


# -- the same transition is mailed at most once ------------------------------------------------------------

def test_same_transition_written_by_two_loads_is_mailed_once(db, automations, imap, make_gate, smtp_sink,
                                                             smtp_settings):
    ids = seed_contacts(db, 5)
    engine = _engine(db, _auto(automations), imap, make_gate({FLAG: 100}), smtp_settings)
    add_events(db, ids, load_id="load-a")          # load A: interested false -> true
    assert engine.run(NAME).sent == 5
    add_events(db, ids, load_id="load-b")          # load B read the old state too and wrote the same change
    second = engine.run(NAME)
    assert second.sent == 0 and second.reasons["skipped: duplicate_transition"] == 5
    assert len(smtp_sink.messages) == 5

    add_events(db, ids[:1], old="true", new="false", load_id="load-c")   # a real new episode: lost interest ...
    add_events(db, ids[:1], load_id="load-d")                            # ... and came back
    assert engine.run(NAME).sent == 1 and len(smtp_sink.messages) == 6


def test_one_transition_many_rows_in_one_run_and_in_the_database(db, automations, imap, make_gate, smtp_sink,
                                                                 smtp_settings):
    ids = seed_contacts(db, 3)
    for load in ("l1", "l2", "l3"):
        add_events(db, ids, load_id=load)
    result = _engine(db, _auto(automations), imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    assert result.sent == 3 and len(smtp_sink.messages) == 3
    with psycopg.connect(db) as conn:              # the database itself refuses a second row for the transition
        row = conn.execute("SELECT * FROM ops.outbox LIMIT 1").fetchone()
        cols = [c.name for c in conn.execute("SELECT * FROM ops.outbox LIMIT 0").description]
        data = dict(zip(cols, row, strict=True))
        other = conn.execute("SELECT max(change_id) + 1 FROM core.change_log").fetchone()[0]
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                """INSERT INTO ops.outbox (idempotency_key, message_id, automation, contact_id, change_id, owner, flag,
                       recipient, subject, body_text, body_html, transition_key)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                (f"{NAME}:{data['contact_id']}:{other}", "<x@y>", NAME, data["contact_id"], other, data["owner"],
                 FLAG, data["recipient"], "s", "t", "h", data["transition_key"]))


# -- send budget over a time window ------------------------------------------------------------------------

def test_budget_catches_a_bulk_change_split_into_small_loads(db, automations, imap, make_gate, smtp_sink,
                                                             smtp_settings):
    pages = []
    ids = seed_contacts(db, 100)
    # every load is small (10 < bulk_threshold 25) and every run is within its cap (50)
    autos = _auto(automations, cap=Cap(50, 100), budget=Budget(max_sends=25, window_s=86_400))
    engine = _engine(db, autos, imap, make_gate({FLAG: 100}), smtp_settings,
                     on_page=lambda owner, auto, reason, detail: pages.append((reason, detail)))
    outcomes = []
    for i in range(5):
        add_events(db, ids[i * 10:(i + 1) * 10], load_id=f"small-load-{i}")
        outcomes.append(engine.run(NAME))
    assert sum(r.sent for r in outcomes) == 25 == len(smtp_sink.messages)
    assert outcomes[2].outcome == "capped" and outcomes[3].outcome == "paused"
    with psycopg.connect(db) as conn:
        assert pause_state(conn, NAME).paused
        kinds = [r[0] for r in conn.execute("SELECT kind FROM ops.outreach_alerts ORDER BY alert_id")]
    assert kinds == ["budget_exceeded"]
    assert pages and "budget" in pages[0][0] and pages[0][1]["budget"] == 25


def test_budget_with_approval_asks_a_human(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 30)
    autos = _auto(automations, cap=Cap(50, 100, "approval"), budget=Budget(max_sends=10, window_s=3600))
    engine = _engine(db, autos, imap, make_gate({FLAG: 100}), smtp_settings)
    add_events(db, ids[:8])
    assert engine.run(NAME).sent == 8
    add_events(db, ids[8:])
    waiting = engine.run(NAME)
    assert (waiting.outcome, waiting.pending, waiting.sent) == ("needs_approval", 22, 0)
    approved = engine.run(NAME, approved_count=22, approved_by="lena.vogel")
    assert approved.sent == 22 and len(smtp_sink.messages) == 30


# -- headers and batches ---------------------------------------------------------------------------------------

def test_crlf_in_header_fields_is_stripped(smtp_sink, smtp_settings):
    msgs = [OutgoingMessage(outbox_id=1, recipient="lp@lp.example", subject="Hello\r\nBcc: evil@attacker.example",
                            body_text="t", body_html="<p>t</p>", message_id="<1@outreach.crmhub>",
                            idempotency_key="k1", reply_to="owner@firm.example\nX-Injected: yes")]
    assert send_batch(smtp_settings, msgs) == {1: None}
    (got,) = smtp_sink.messages
    assert got["to"] == "lp@lp.example" and smtp_sink.recipients() == ["lp@lp.example"]
    assert "\r" not in got["subject"] and "\n" not in got["subject"] and got["subject"].startswith("Hello")
    assert "\n" not in (got["reply_to"] or "")


def test_one_bad_message_never_leaves_its_batch_in_limbo(db, automations, imap, make_gate, smtp_sink,
                                                         smtp_settings):
    ids = seed_contacts(db, 6)
    with psycopg.connect(db) as conn:   # a source wrote a header injection into an address
        conn.execute("UPDATE core.contact SET email = email || E'\\r\\nBcc: evil@attacker.example' "
                     "WHERE crmhub_id = %s", (ids[2],))
    add_events(db, ids)
    result = _engine(db, _auto(automations, batch_size=10), imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    assert result.sent == 5 and result.failed == 1
    assert "evil@attacker.example" not in smtp_sink.recipients() and len(smtp_sink.messages) == 5
    rows = _outbox_rows(db)
    assert not [r for r in rows if r[1] in ("sending", "pending")]
    (bad,) = [r for r in rows if r[1] == "failed"]
    assert bad[0] == ids[2] and "invalid recipient" in bad[2]


# -- the health gate and the approver on every send path -------------------------------------------------------

def test_a_real_run_without_a_health_gate_is_refused(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 3)
    add_events(db, ids)
    autos = _auto(automations)
    promote_versions(db, autos.values())
    engine = OutreachEngine(db, autos, imap.people, make_gate({FLAG: 100}), smtp_settings)
    with pytest.raises(ValueError, match="health"):
        engine.run(NAME)
    assert engine.run(NAME, dry_run=True).queued == 3 and smtp_sink.messages == []


def test_approval_records_the_approver(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 20)
    add_events(db, ids)
    engine = _engine(db, _auto(automations, cap=Cap(5, 100, "approval")), imap, make_gate({FLAG: 100}),
                     smtp_settings)
    assert engine.run(NAME).outcome == "needs_approval"
    with pytest.raises(ValueError, match="approved_by"):
        engine.run(NAME, approved_count=20)
    result = engine.run(NAME, approved_count=20, approved_by="lena.vogel")
    assert result.sent == 20
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT approved_by, approved_count, health_score FROM ops.outreach_runs"
                           " WHERE run_id = %s", (result.run_id,)).fetchone()
    assert row == ("lena.vogel", 20, 100.0)


def test_outbox_rows_carry_their_transition(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 1)
    add_events(db, ids)
    _engine(db, _auto(automations), imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    with psycopg.connect(db) as conn:
        key = conn.execute("SELECT transition_key FROM ops.outbox").fetchone()[0]
    assert key.startswith(f"{NAME}:{ids[0]}:") and "interested=true" in key
    assert outbox.counts(psycopg.connect(db), NAME) == {"sent": 1}


def test_a_message_that_cannot_be_rendered_is_skipped_alone(db, automations, imap, make_gate, smtp_sink,
                                                            smtp_settings):
    ids = seed_contacts(db, 4)
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE core.contact SET first_name = NULL WHERE crmhub_id = %s", (ids[1],))
    add_events(db, ids)
    autos = _auto(automations, subject_template="Dear {{ contact.first_name.upper() }}")
    result = _engine(db, autos, imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    assert result.sent == 3 and result.reasons["skipped: render_error"] == 1
    assert all(m["subject"].startswith("Dear FIRST") for m in smtp_sink.messages)
