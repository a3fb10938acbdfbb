"""The world's planted events hit what they claim to: the amount edit is on a deal past the accept stage."""

from __future__ import annotations

import httpx
import pytest

from crmhub.simulate.world import World


def _deals(client: httpx.Client) -> dict[str, dict]:
    out, after = {}, None
    while True:
        page = client.get("/crm/v3/objects/deals", params={"limit": 100, "properties": "dealstage,amount",
                                                           **({"after": after} if after else {})}).json()
        out.update({d["id"]: d["properties"] for d in page["results"]})
        after = (page.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return out


@pytest.fixture
def crm(sandbox, sandbox_token):
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {sandbox_token}"}) as client:
        yield client


def _world(sandbox, sandbox_token, tmp_path, seed: int) -> World:
    return World(crm_url=sandbox.url, crm_token=sandbox_token, billing_url="postgresql://unused", data_dir=tmp_path,
                 seed=seed)


def test_the_amount_edit_lands_on_a_deal_at_the_accept_stage_found_on_any_page(crm, sandbox, sandbox_token, tmp_path):
    # 120 prospects on the first page, the two accepted deals behind them (the second page)
    for i in range(120):
        crm.post("/crm/v3/objects/deals", json={"properties": {"dealname": f"p{i}", "dealstage": "prospect",
                                                                "amount": "1000.00"}}).raise_for_status()
    for i in range(2):
        crm.post("/crm/v3/objects/deals", json={"properties": {"dealname": f"a{i}", "dealstage": "accepted",
                                                                "amount": "5000000.00"}}).raise_for_status()
    before = _deals(crm)
    for seed in range(4):
        world = _world(sandbox, sandbox_token, tmp_path, seed)
        try:
            world.amount_after_accept("accepted")
        finally:
            world.close()
    after = _deals(crm)
    changed = {k for k in before if before[k]["amount"] != after[k]["amount"]}
    assert changed, "no deal amount was edited"
    assert {after[k]["dealstage"] for k in changed} == {"accepted"}


def test_without_a_deal_at_the_accept_stage_the_event_says_so(crm, sandbox, sandbox_token, tmp_path):
    crm.post("/crm/v3/objects/deals", json={"properties": {"dealname": "p", "dealstage": "prospect",
                                                            "amount": "1000.00"}}).raise_for_status()
    world = _world(sandbox, sandbox_token, tmp_path, 1)
    with pytest.raises(RuntimeError, match="accept stage 'accepted'"):
        world.amount_after_accept("accepted")
    world.close()
    assert _deals(crm)[next(iter(_deals(crm)))]["amount"] == "1000.00"
