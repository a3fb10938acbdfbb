"""Outreach against a real Unleash server, a real warehouse and a real SMTP sink.

10 % of *users*: the flag's userId is the contact's relationship owner, so a 10 % rollout selects 10 % of
owners (and every contact of a selected owner). To make the percentage measurable the 10,000 trigger
events belong to 10,000 contacts with 10,000 distinct owners.
"""

from __future__ import annotations

import dataclasses
import time

import psycopg
import pytest
from outreach_support import add_events, promote_versions, seed_contacts

from crmhub.config import load_integration_map
from crmhub.outreach import FlagGate, OutreachEngine, SmtpSettings, flag_context, load_automations
from crmhub.outreach.rules import Budget, Cap

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NAME = "reinstate_interest"
FLAG = "outreach.reinstate_interest"
N = 10_000


def wait_for(predicate, timeout: float = 15, what: str = "condition") -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture(scope="module")
def world(make_database, unleash_server, unleash_admin):
    from crmhub.warehouse import upgrade

    url = make_database()
    upgrade(url)
    ids = seed_contacts(url, N, owner_prefix="ir.owner.")
    strategy_id = unleash_admin.ensure_rollout(FLAG, 10, enabled=True)
    imap = load_integration_map()
    auto = dataclasses.replace(load_automations(imap)[NAME], cap=Cap(5000, 100), budget=Budget(100_000),
                               batch_size=250)
    promote_versions(url, [auto])      # past control mode (tests/core/outreach/test_control.py covers it)
    return {"url": url, "ids": ids, "strategy_id": strategy_id, "imap": imap, "autos": {NAME: auto}}


@pytest.fixture
def gate(unleash_server, tmp_path):
    gate = FlagGate.online(unleash_server.api_url, unleash_server.backend_token, refresh_interval=1,
                           cache_directory=tmp_path / "unleash-cache")
    yield gate
    gate.close()


def _engine(world, gate, sink=None, **kw):
    smtp = SmtpSettings("127.0.0.1", sink.port, "ir@firm.example") if sink else None
    kw.setdefault("health_check", lambda: 100.0)
    return OutreachEngine(world["url"], world["autos"], world["imap"].people, gate, smtp, **kw)


def _new_interest(url: str, ids: list[str]) -> None:
    """The contacts lose interest and come back: a new transition (the same one again is never re-mailed)."""
    add_events(url, ids, old="true", new="false")
    add_events(url, ids)


def _sent_contacts(url: str, change_ids_from: int = 0) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute(
            "SELECT contact_id::text FROM ops.outbox WHERE status = 'sent' AND change_id > %s", (change_ids_from,))}


def _max_change(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT coalesce(max(change_id), 0) FROM core.change_log").fetchone()[0]


def test_ten_percent_rollout_is_sticky_and_sent_over_smtp(world, gate, unleash_server, smtp_sink, tmp_path):
    add_events(world["url"], world["ids"])
    t0 = time.monotonic()
    dry = _engine(world, gate).run(NAME, dry_run=True)
    chosen_dry = {w["contact_id"] for w in dry.would_send}
    # a second, independent client instance (a new task) makes the real run
    second = FlagGate.online(unleash_server.api_url, unleash_server.backend_token, cache_directory=tmp_path / "c2")
    try:
        result = _engine(world, second, smtp_sink).run(NAME)
    finally:
        second.close()
    elapsed = time.monotonic() - t0
    assert result.outcome == "sent"
    assert 850 <= result.sent <= 1150, result.summary()          # 10 % +- 1.5 % of 10,000
    assert len(smtp_sink.messages) == result.sent                 # real SMTP messages
    assert len({m["message_id"] for m in smtp_sink.messages}) == result.sent
    assert set(result.sent_contacts) == chosen_dry                # same users chosen by both clients
    assert result.reasons["skipped: flag_off: strategy_off"] == N - result.sent
    assert elapsed < 60, f"10,000 events took {elapsed:.1f} s"

    # a second wave of triggers for 2,000 of the same contacts: exactly the same owners are enabled
    before = _max_change(world["url"])
    wave = world["ids"][:2000]
    _new_interest(world["url"], wave)
    again = _engine(world, gate, smtp_sink).run(NAME)
    assert _sent_contacts(world["url"], before) == chosen_dry & set(wave)
    assert again.sent == len(chosen_dry & set(wave))
    world["chosen"] = sorted(chosen_dry)


@pytest.mark.parametrize("switch_off", ["rollout_zero", "disable"])
def test_turning_the_flag_off_stops_sends_at_the_next_batch(world, gate, unleash_admin, smtp_sink, switch_off):
    chosen = world["chosen"]
    wait_for(lambda: gate.is_enabled(FLAG, _ctx(world, chosen[0])), what="flag back on in the client")
    _new_interest(world["url"], chosen)                                # ~1,000 events, all for enabled owners
    auto = dataclasses.replace(world["autos"][NAME], batch_size=100)
    waited = {}

    def on_batch(result, batch_no):
        if batch_no == 1:
            if switch_off == "rollout_zero":
                unleash_admin.set_rollout(FLAG, world["strategy_id"], 0)
            else:
                unleash_admin.disable(FLAG)
            waited["s"] = wait_for(lambda: not gate.is_enabled(FLAG, _ctx(world, chosen[0])),
                                   what="server change to reach the SDK")

    engine = OutreachEngine(world["url"], {NAME: auto}, world["imap"].people, gate,
                            SmtpSettings("127.0.0.1", smtp_sink.port, "ir@firm.example"), on_batch=on_batch,
                            health_check=lambda: 100.0)
    promote_versions(world["url"], [auto])
    try:
        result = engine.run(NAME)
    finally:  # restore 10 % / on for the next test
        unleash_admin.set_rollout(FLAG, world["strategy_id"], 10)
        unleash_admin.enable(FLAG)
    assert result.sent == 100 == len(smtp_sink.messages), result.summary()
    assert result.cancelled == len(chosen) - 100
    assert result.reasons["cancelled: flag_off_at_send: strategy_off"] == len(chosen) - 100
    assert waited["s"] < 10


def test_bulk_import_through_real_flags_sends_nothing(world, gate, smtp_sink):
    wait_for(lambda: gate.is_enabled(FLAG, _ctx(world, world["chosen"][0])), what="flag back on")
    add_events(world["url"], world["ids"][:3000], load_id="hubspot-migration-2026")
    result = _engine(world, gate, smtp_sink).run(NAME)
    assert result.sent == 0 and smtp_sink.messages == []
    assert result.reasons["suppressed: bulk_import"] == 3000


def test_server_killed_keeps_last_known_state_new_clients_fail_closed(world, gate, unleash_server, smtp_sink,
                                                                       tmp_path):
    chosen = world["chosen"]
    on_owner = _ctx(world, chosen[0])
    off_owner = next(_ctx(world, c) for c in world["ids"] if c not in set(chosen))
    wait_for(lambda: gate.is_enabled(FLAG, on_owner), what="flag on")
    unleash_server.stop()                               # kill -TERM
    try:
        time.sleep(2.5)                                  # > refresh_interval: background polls now fail
        assert gate.is_enabled(FLAG, on_owner) and not gate.is_enabled(FLAG, off_owner)   # last-known state
        _new_interest(world["url"], chosen[:50])
        kept = _engine(world, gate, smtp_sink).run(NAME)
        assert kept.sent == 50                          # the running task keeps sending on last-known flags

        fresh = FlagGate.online(unleash_server.api_url, unleash_server.backend_token, request_timeout=2,
                                cache_directory=tmp_path / "fresh")
        try:
            assert fresh.decide(FLAG, on_owner).reason == "no_flag_data"
            _new_interest(world["url"], chosen[50:100])
            closed = _engine(world, fresh, smtp_sink).run(NAME)
        finally:
            fresh.close()
        assert closed.sent == 0 and closed.reasons["skipped: flag_off: no_flag_data"] == 50
        assert len(smtp_sink.messages) == 50
    finally:
        unleash_server.start()                          # back for anything after this test


def _ctx(world, contact_id: str) -> dict:
    with psycopg.connect(world["url"]) as conn:
        owner = conn.execute("SELECT owner FROM core.contact WHERE crmhub_id = %s", (contact_id,)).fetchone()[0]
    return flag_context(owner, contact_id, "lp")
