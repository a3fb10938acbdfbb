"""Fixtures for the outreach core tests: real PostgreSQL, real SMTP sink, offline Unleash bootstrap."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from crmhub.outreach import FlagGate, SmtpSettings, load_automations

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/ for outreach_support

from outreach_support import SmtpSink, promote_versions  # noqa: E402

FLAG = "outreach.reinstate_interest"


def bootstrap_payload(flags: dict[str, int | None]) -> dict:
    """``{flag: rollout % or None for off}`` -> an /api/client/features document."""
    features = []
    for name, rollout in flags.items():
        features.append({
            "name": name, "type": "release", "enabled": rollout is not None, "project": "default", "stale": False,
            "strategies": [{"name": "flexibleRollout", "constraints": [], "variants": [],
                            "parameters": {"rollout": str(rollout or 0), "stickiness": "userId", "groupId": name}}],
            "variants": [], "impressionData": False,
        })
    return {"version": 2, "features": features}


@pytest.fixture
def make_gate(tmp_path):
    gates = []

    def factory(flags: dict[str, int | None]) -> FlagGate:
        path = tmp_path / f"bootstrap_{len(gates)}.json"
        path.write_text(json.dumps(bootstrap_payload(flags)))
        gate = FlagGate.offline(path, cache_directory=tmp_path / f"cache_{len(gates)}")
        gates.append(gate)
        return gate

    yield factory
    for gate in gates:
        gate.close()


@pytest.fixture(scope="session")
def automations(imap):
    return load_automations(imap)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_settings(smtp_sink):
    return SmtpSettings(host="127.0.0.1", port=smtp_sink.port, from_addr="investor.relations@firm.example")


@pytest.fixture
def promote_all(imap):
    """Promote every automation of the map out of control mode."""
    return lambda url: promote_versions(url, load_automations(imap).values())
