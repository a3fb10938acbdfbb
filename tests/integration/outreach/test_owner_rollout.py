"""A staged rollout stages on the demo's CRM contacts: the real Unleash server, the demo data's contact owners
(``hubspot_owner_id``) ingested into ``core.contact.owner``, the flag asked with ``userId`` = that owner.

10 % / 50 % of *owners*: every contact of an owner is in or out together (an IR person's whole book), and 50 %
takes some owners' books and not others'.
"""

from __future__ import annotations

import dataclasses
import time

import psycopg
import pytest

from crmhub.demo_data import generate
from crmhub.ingest.loader import ingest_file
from crmhub.outreach import FlagGate, flag_context

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLAG = "outreach.reinstate_interest"


def _rollout_seen(admin, server, percent: int, timeout: float = 15) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        features = admin.client_features(server.backend_token)["features"]
        flag = next((f for f in features if f["name"] == FLAG), None)
        if flag and flag["enabled"] and any(s["parameters"].get("rollout") == str(percent) for s in flag["strategies"]):
            return
        time.sleep(0.2)
    raise AssertionError(f"Unleash did not serve {FLAG} at {percent} % within {timeout} s")


def _enabled_by_owner(server, contacts: list[tuple[str, str]], cache) -> dict[str, set[bool]]:
    with FlagGate.online(server.api_url, server.backend_token, cache_directory=cache) as gate:
        out: dict[str, set[bool]] = {}
        for cid, owner in contacts:
            out.setdefault(owner, set()).add(gate.is_enabled(FLAG, flag_context(owner, cid, "lp")))
        return out


def test_half_rollout_takes_some_owners_books_whole_and_not_others(db, imap, unleash_server, unleash_admin,
                                                                   tmp_path):
    data = generate(tmp_path / "demo", seed=42, scale=1)
    crm = dataclasses.replace(imap.connector("crm_contacts"),
                              source={"kind": "csv", "path": "x.csv", "delimiter": ",", "encoding": "utf-8"})
    ingest_file(db, crm, data.files["crm_contacts"])
    with psycopg.connect(db) as conn:
        contacts = conn.execute("SELECT crmhub_id::text, owner FROM core.contact WHERE source_system = 'crm'").fetchall()
    relationship_owners = {p for p, person in imap.people.items() if person.get("crm_owner_id")}
    assert {owner for _, owner in contacts} == relationship_owners | {"marcus.lee"}   # marcus.lee: no owner in CRM

    try:
        stages = {}
        for percent in (10, 50):
            unleash_admin.ensure_rollout(FLAG, percent, enabled=True)
            _rollout_seen(unleash_admin, unleash_server, percent)
            stages[percent] = _enabled_by_owner(unleash_server, contacts, tmp_path / f"cache{percent}")
    finally:  # the server is shared: hand it back at 10 %, and served, before the next test's clients ask it
        unleash_admin.ensure_rollout(FLAG, 10, enabled=True)
        _rollout_seen(unleash_admin, unleash_server, 10)

    for percent, by_owner in stages.items():
        assert all(len(answers) == 1 for answers in by_owner.values()), (percent, by_owner)  # whole books
    on = {percent: {o for o, answers in by_owner.items() if answers == {True}} for percent, by_owner in stages.items()}
    assert on[10] <= on[50]                                  # widening never drops an owner
    assert on[50] and set(stages[50]) - on[50]               # 50 %: some owners' books in, others out
    in_half = sum(1 for _, owner in contacts if owner in on[50])
    assert 0 < in_half < len(contacts)
