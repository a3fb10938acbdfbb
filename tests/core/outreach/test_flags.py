"""The flag gate in offline mode (bootstrap file) and with no server: fail closed, per-instance cache."""

from __future__ import annotations

import json

from crmhub.outreach import FlagGate, flag_context
from crmhub.outreach.flags import DEFAULT_BOOTSTRAP


def test_repo_bootstrap_is_valid_and_off_by_default(tmp_path):
    payload = json.loads(DEFAULT_BOOTSTRAP.read_text())
    assert {f["name"] for f in payload["features"]} == {"outreach.reinstate_interest"}
    with FlagGate.offline(cache_directory=tmp_path) as gate:
        assert gate.known_flags() == {"outreach.reinstate_interest"}
        decision = gate.decide("outreach.reinstate_interest", flag_context("sam.ortiz", "c1", "lp", "Fund IV"))
        assert (decision.enabled, decision.reason) == (False, "strategy_off")


def test_bootstrap_rollout_is_sticky_per_owner(make_gate):
    gate = make_gate({"f.on": 100, "f.half": 50})
    assert gate.is_enabled("f.on", flag_context("anyone", "c1"))
    owners = [f"owner{i}" for i in range(2000)]
    first = {o for o in owners if gate.is_enabled("f.half", flag_context(o, "c1"))}
    again = {o for o in owners if gate.is_enabled("f.half", flag_context(o, "another-contact"))}
    assert first == again and 900 <= len(first) <= 1100
    assert gate.decide("f.unknown", flag_context("x", "c")).reason == "unknown_flag"


def test_missing_bootstrap_or_unreachable_server_fails_closed(tmp_path):
    with FlagGate.offline(tmp_path / "missing.json", cache_directory=tmp_path / "a") as gate:
        assert gate.decide("outreach.reinstate_interest", flag_context("o", "c")).reason == "no_flag_data"
    with FlagGate.online("http://127.0.0.1:9/api", "*:development.x", request_timeout=1,
                         cache_directory=tmp_path / "b") as gate:
        assert gate.decide("outreach.reinstate_interest", flag_context("o", "c")).reason == "no_flag_data"


def test_each_gate_has_its_own_cache(make_gate, tmp_path):
    on = make_gate({"f": 100})
    assert on.is_enabled("f", flag_context("o", "c"))
    # a later gate with no data does not inherit the previous gate's toggles from a shared disk cache
    with FlagGate.offline(tmp_path / "missing.json") as fresh:
        assert not fresh.is_enabled("f", flag_context("o", "c"))
        assert fresh.cache_dir != on.cache_dir
