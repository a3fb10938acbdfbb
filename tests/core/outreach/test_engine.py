"""The outreach engine end to end on a real warehouse, a real SMTP sink and an offline (bootstrap) flag gate."""

from __future__ import annotations

import dataclasses
import threading

import psycopg
import pytest
from outreach_support import add_events, seed_contacts
from outreach_support import promoted_engine as _engine

from crmhub.outreach import outbox
from crmhub.outreach.rules import Cap
from crmhub.outreach.state import flag_bulk_load, pause, pause_state, resume, suppress

NAME = "reinstate_interest"
FLAG = "outreach.reinstate_interest"


def _auto(automations, **changes):
    return {NAME: dataclasses.replace(automations[NAME], **changes)}


def _decisions(db):
    with psycopg.connect(db) as conn:
        return dict(conn.execute(
            "SELECT reason, count(*) FROM ops.outreach_decisions WHERE NOT dry_run GROUP BY reason").fetchall())


def test_flag_on_in_bootstrap_sends_once_and_retry_sends_no_duplicates(db, automations, imap, make_gate,
                                                                        smtp_sink, smtp_settings):
    ids = seed_contacts(db, 30)
    add_events(db, ids)
    autos = _auto(automations, cap=Cap(1000, 100))
    engine = _engine(db, autos, imap, make_gate({FLAG: 100}), smtp_settings)
    result = engine.run(NAME)
    assert result.outcome == "sent" and result.sent == 30
    assert len(smtp_sink.messages) == 30
    assert len({m["message_id"] for m in smtp_sink.messages}) == 30
    first = smtp_sink.messages[0]
    assert first["multipart"] == "multipart/alternative"
    assert first["reply_to"] == "sam.ortiz@firm.example"
    assert first["subject"].startswith("Thank you for your interest, First")

    again = engine.run(NAME)            # retried run: every event already decided
    assert again.sent == 0 and again.events == 0
    assert len(smtp_sink.messages) == 30

    with psycopg.connect(db) as conn:   # lost decisions: the outbox transition key still prevents a duplicate
        conn.execute("DELETE FROM ops.outreach_decisions")
    replay = engine.run(NAME)
    assert replay.events == 30 and replay.queued == 0 and replay.sent == 0
    assert replay.reasons["skipped: duplicate_transition"] == 30
    assert len(smtp_sink.messages) == 30


def test_unknown_flag_or_off_flag_sends_nothing(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 10)
    add_events(db, ids)
    autos = _auto(automations, cap=Cap(1000, 100))
    unknown = _engine(db, autos, imap, make_gate({"some.other_flag": 100}), smtp_settings).run(NAME)
    assert unknown.sent == 0 and unknown.reasons["skipped: flag_off: unknown_flag"] == 10
    add_events(db, ids)
    off = _engine(db, autos, imap, make_gate({FLAG: None}), smtp_settings).run(NAME)
    assert off.sent == 0 and off.reasons["skipped: flag_off: strategy_off"] == 10
    add_events(db, ids)
    empty = _engine(db, autos, imap, make_gate({}), smtp_settings).run(NAME)
    assert empty.sent == 0 and empty.reasons["skipped: flag_off: no_flag_data"] == 10
    assert smtp_sink.messages == []
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT flag, enabled, decision FROM ops.outreach_decisions LIMIT 1").fetchone()
    assert row == (FLAG, False, "skipped")


def test_bulk_import_sends_zero_and_opens_one_alert(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    incidents = []
    ids = seed_contacts(db, 40)
    add_events(db, ids[:30], load_id="import-2026-11-29")          # 30 > bulk_threshold 25
    add_events(db, ids[30:35], load_id="flagged-load")              # small, but flagged bulk
    add_events(db, ids[35:], load_id="normal-sync")                 # 5 ordinary changes
    with psycopg.connect(db) as conn:
        flag_bulk_load(conn, "flagged-load", "spreadsheet upload by RevOps", by="marcus.lee")
    engine = _engine(db, _auto(automations, cap=Cap(1000, 100)), imap, make_gate({FLAG: 100}), smtp_settings,
                     on_incident=lambda conn, connector, trigger, values: incidents.append((connector, trigger, values)))
    result = engine.run(NAME)
    assert result.sent == 5
    assert {m["to"].split("@")[0].split(".")[0] for m in smtp_sink.messages} == {f"investor{i}" for i in range(35, 40)}
    assert result.reasons["suppressed: bulk_import"] == 35
    assert sorted(v["load_id"] for _, _, v in incidents) == ["flagged-load", "import-2026-11-29"]
    assert all(c == "crm_contacts" and t == "outreach_bulk_import" for c, t, _ in incidents)
    engine.run(NAME)                                                 # no second incident for the same load
    assert len(incidents) == 2
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM ops.outreach_alerts WHERE kind = 'bulk_import'").fetchone()[0] == 2


def test_holds_suppression_and_audience_never_get_mail(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    good = seed_contacts(db, 3)
    held = seed_contacts(db, 2, confidence=55)
    gp = seed_contacts(db, 2, entity_type="gp")
    unverified = seed_contacts(db, 1, email_verified=False)
    opted_out = seed_contacts(db, 1)
    with psycopg.connect(db) as conn:
        email = conn.execute("SELECT email FROM core.contact WHERE crmhub_id = %s", (opted_out[0],)).fetchone()[0]
        suppress(conn, email.upper(), "opt-out")
        conn.execute("UPDATE core.contact SET email = NULL WHERE crmhub_id = %s", (good[2],))
    add_events(db, good + held + gp + unverified + opted_out)
    add_events(db, [good[0]], old="true", new="false")              # not a trigger
    result = _engine(db, _auto(automations, cap=Cap(1000, 100)), imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    assert result.sent == 2
    r = result.reasons
    assert (r["suppressed: identity_hold"], r["skipped: not_in_audience"], r["suppressed: suppression_list"],
            r["skipped: no_email"], r["skipped: condition_not_met"]) == (2, 3, 1, 1, 1)


def test_open_identity_holds_are_honoured(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 3)
    with psycopg.connect(db) as conn:  # identity resolution's holds: one open, one released after enrichment
        conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason) VALUES ('contact', %s, 45, 'x')",
                     (ids[0],))
        conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason, released_at, released_score) "
                     "VALUES ('contact', %s, 50, 'y', now(), 75)", (ids[1],))
    add_events(db, ids)
    result = _engine(db, _auto(automations, cap=Cap(1000, 100)), imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    assert result.sent == 2 and result.reasons["suppressed: identity_hold"] == 1


def test_cap_sends_only_the_cap_pauses_and_pages(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    pages = []
    ids = seed_contacts(db, 100)
    add_events(db, ids)
    autos = _auto(automations, cap=Cap(max_sends=30, max_percent=20), batch_size=7)   # cap = min(30, 20% of 100)
    engine = _engine(db, autos, imap, make_gate({FLAG: 100}), smtp_settings,
                     on_page=lambda owner, auto, reason, detail: pages.append((owner["id"], auto, detail)))
    result = engine.run(NAME)
    assert (result.cap, result.sent, result.outcome, result.pending) == (20, 20, "capped", 80)
    assert len(smtp_sink.messages) == 20
    assert pages == [("sam.ortiz", NAME, {"eligible": 100, "cap": 20, "audience": 100, "deferred": 80,
                                          "run_id": result.run_id})]
    with psycopg.connect(db) as conn:
        state = pause_state(conn, NAME)
        assert state.paused and state.paused_by == "crmhub:cap"
    assert engine.run(NAME).outcome == "paused"
    assert len(smtp_sink.messages) == 20
    with psycopg.connect(db) as conn:
        resume(conn, NAME, by="sam.ortiz")
    nxt = engine.run(NAME)                       # deferred events come back, still capped per run
    assert nxt.sent == 20 and len(smtp_sink.messages) == 40


def test_cap_with_approval_returns_needs_approval_then_sends_when_approved(db, automations, imap, make_gate,
                                                                          smtp_sink, smtp_settings):
    ids = seed_contacts(db, 50)
    add_events(db, ids)
    engine = _engine(db, _auto(automations, cap=Cap(10, 100, "approval")), imap, make_gate({FLAG: 100}), smtp_settings)
    first = engine.run(NAME)
    assert (first.outcome, first.pending, first.sent) == ("needs_approval", 50, 0)
    assert smtp_sink.messages == []
    approved = engine.run(NAME, approved_count=first.pending, approved_by="sam.ortiz")
    assert approved.sent == 50 and len(smtp_sink.messages) == 50


def test_concurrent_pause_stops_within_one_batch(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 60)
    add_events(db, ids)
    first_batch_done, paused = threading.Event(), threading.Event()

    def pauser():  # another thread, its own connection
        assert first_batch_done.wait(30)
        with psycopg.connect(db) as conn:
            pause(conn, NAME, by="sam.ortiz", reason="wrong template")
        paused.set()

    def on_batch(result, batch_no):
        if batch_no == 1:
            first_batch_done.set()
            assert paused.wait(30)

    thread = threading.Thread(target=pauser)
    thread.start()
    engine = _engine(db, _auto(automations, cap=Cap(1000, 100), batch_size=10), imap, make_gate({FLAG: 100}),
                     smtp_settings, on_batch=on_batch)
    result = engine.run(NAME)
    thread.join()
    assert (result.outcome, result.sent, result.batches) == ("paused", 10, 1)
    assert len(smtp_sink.messages) == 10
    with psycopg.connect(db) as conn:
        assert outbox.counts(conn, NAME) == {"sent": 10, "pending": 50}
        resume(conn, NAME, by="sam.ortiz")
    rest = engine.run(NAME)                      # the queued rest goes out after resume, nothing twice
    assert rest.sent == 50 and len({m["to"] for m in smtp_sink.messages}) == 60 == len(smtp_sink.messages)


def test_global_pause_blocks_every_automation(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 5)
    add_events(db, ids)
    with psycopg.connect(db) as conn:
        pause(conn, "*", by="lena.vogel", reason="incident")
    engine = _engine(db, _auto(automations, cap=Cap(1000, 100)), imap, make_gate({FLAG: 100}), smtp_settings)
    assert engine.run(NAME).outcome == "paused"
    with psycopg.connect(db) as conn:
        resume(conn, "*", by="lena.vogel")
    assert engine.run(NAME).sent == 5


def test_health_gate_blocks_runs(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 5)
    add_events(db, ids)
    engine = _engine(db, _auto(automations, cap=Cap(1000, 100)), imap, make_gate({FLAG: 100}), smtp_settings,
                     health_check=lambda: 64.0)
    result = engine.run(NAME)
    assert result.outcome == "blocked_health" and result.sent == 0 and smtp_sink.messages == []
    engine.health_check = lambda: 88.0
    assert engine.run(NAME).sent == 5


def test_crashed_sender_rows_are_never_resent(db, automations, imap, make_gate, smtp_sink, smtp_settings):
    ids = seed_contacts(db, 12)
    add_events(db, ids)

    def crash_after_first_batch(result, batch_no):
        raise RuntimeError("worker killed")

    crashing = _engine(db, _auto(automations, cap=Cap(1000, 100), batch_size=5), imap, make_gate({FLAG: 100}),
                       smtp_settings, on_batch=crash_after_first_batch)
    with pytest.raises(RuntimeError):
        crashing.run(NAME)
    assert len(smtp_sink.messages) == 5
    with psycopg.connect(db) as conn:
        claimed = outbox.claim_batch(conn, NAME, 3, "dead-worker")   # claimed, then that worker died
        assert conn.execute("SELECT outcome FROM ops.outreach_runs ORDER BY run_id LIMIT 1").fetchone()[0] == "error"
    assert len(claimed) == 3
    retry = _engine(db, _auto(automations, cap=Cap(1000, 100), batch_size=5), imap, make_gate({FLAG: 100}),
                    smtp_settings).run(NAME)
    assert retry.events == 0 and retry.sent == 4     # 12 - 5 sent - 3 stuck in 'sending'
    assert len(smtp_sink.messages) == 9 == len({m["message_id"] for m in smtp_sink.messages})
    with psycopg.connect(db) as conn:
        assert outbox.recover_stuck(conn, older_than_s=0) == 3
        assert outbox.counts(conn, NAME) == {"sent": 9, "unknown": 3}
    assert retry.pending == 0


def test_commitment_amount_increased_mails_the_commitment_contact(db, automations, imap, make_gate, smtp_sink,
                                                                  smtp_settings):
    from crmhub.outreach.rules import Trigger

    ids = seed_contacts(db, 3)
    with psycopg.connect(db) as conn:
        fund = conn.execute("INSERT INTO core.fund (name, owner, source_system) VALUES ('Fund IV', 'sam.ortiz', 'fund_admin')"
                            " RETURNING crmhub_id::text").fetchone()[0]
        commitments = [conn.execute(
            "INSERT INTO core.commitment (contact_id, fund_id, amount, owner, source_system)"
            " VALUES (%s, %s, 1000000, 'sam.ortiz', 'fund_admin') RETURNING crmhub_id::text", (cid, fund)).fetchone()[0]
            for cid in ids]
    add_events(db, commitments[:2], core_table="commitment", field="amount", old="1000000", new="1500000")
    add_events(db, commitments[2:], core_table="commitment", field="amount", old="1000000", new="900000")
    autos = _auto(automations, cap=Cap(1000, 100), flag="outreach.commitment_up",
                  trigger=Trigger("commitment", "amount", {"increased": True}))
    result = _engine(db, autos, imap, make_gate({"outreach.commitment_up": 100}), smtp_settings).run(NAME)
    assert result.sent == 2 and result.reasons["skipped: condition_not_met"] == 1
    assert sorted(result.sent_contacts) == sorted(ids[:2])
    with psycopg.connect(db) as conn:   # the fund reaches the flag context and the template
        ctx = conn.execute("SELECT flag_context FROM ops.outbox LIMIT 1").fetchone()[0]
        body = conn.execute("SELECT body_text FROM ops.outbox LIMIT 1").fetchone()[0]
    assert ctx["properties"] == {"contactId": ctx["properties"]["contactId"], "entityType": "lp", "fund": "Fund IV"}
    assert "interested in Fund IV" in body


def test_each_batch_handed_to_smtp_writes_one_access_log_row(db, automations, imap, make_gate, smtp_sink,
                                                            smtp_settings):
    ids = seed_contacts(db, 12)
    add_events(db, ids)
    autos = _auto(automations, cap=Cap(1000, 100), batch_size=5)
    result = _engine(db, autos, imap, make_gate({FLAG: 100}), smtp_settings).run(NAME)
    assert result.sent == 12 and result.batches == 3
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT who, via, table_name, fields, classes, row_count, reason FROM ops.access_log "
                            "ORDER BY access_id").fetchall()
    assert [r[5] for r in rows] == [5, 5, 2]  # the rendered recipient and name of every message sent
    assert rows[0][:5] == (f"outreach:{NAME}", "task", "contact", ["email", "first_name", "last_name"],
                           ["pii_contact"] * 3)
    assert rows[0][6] == f"outreach send {NAME} (run {result.run_id})"
