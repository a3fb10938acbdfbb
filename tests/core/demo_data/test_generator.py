import csv
import filecmp
import json

import pytest

from crmhub.cli import main
from crmhub.demo_data import generate
from crmhub.demo_data.generator import COMMITTED_STAGE, HEADERS


def _rows(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("demo"), seed=7, scale=2)


def test_same_seed_gives_identical_files(tmp_path):
    a = generate(tmp_path / "a", seed=11, scale=1)
    b = generate(tmp_path / "b", seed=11, scale=1)
    for key, path in a.files.items():
        assert filecmp.cmp(path, b.files[key], shallow=False), key
    c = generate(tmp_path / "c", seed=12, scale=1)
    assert not filecmp.cmp(a.files["fund_admin"], c.files["fund_admin"], shallow=False)


def test_headers_match_the_integration_map_contract(dataset):
    for key in ("fund_admin", "crm_contacts", "crm_companies", "billing", "cdp"):
        with dataset.files[key].open(encoding="utf-8") as fh:
            assert fh.readline().strip().split(",") == HEADERS[key]
    assert HEADERS["fund_admin"] == ["external_id", "first_name", "last_name", "email", "company", "amount",
                                     "updated_at"]


def test_harbor_capital_is_spelled_several_ways(dataset):
    names = {r["company"] for r in _rows(dataset.files["fund_admin"]) if r["company"].lower().startswith("harbor cap")}
    names |= {r["name"] for r in _rows(dataset.files["crm_companies"]) if r["name"].lower().startswith("harbor cap")}
    assert "Harbor Capital LP" in names
    assert len(names) >= 3


def test_truth_links_same_person_across_systems_by_email(dataset):
    truth = {(r["system"], r["external_id"]): r["true_id"] for r in _rows(dataset.files["truth_contacts"])}
    fa = {r["email"]: truth[("fund_admin", r["external_id"])] for r in _rows(dataset.files["fund_admin"]) if "@" in r["email"]}
    crm = [(r["email"], truth[("crm", r["id"])]) for r in _rows(dataset.files["crm_contacts"])]
    shared = [(email, pid) for email, pid in crm if email in fa]
    assert len(shared) > 50
    assert all(fa[email] == pid for email, pid in shared)


def test_planted_rates_are_recorded_and_present(dataset):
    manifest = json.loads((dataset.root / "manifest.json").read_text())
    fa = _rows(dataset.files["fund_admin"])
    assert manifest["planted"]["fund_admin.email_null"] == sum(1 for r in fa if r["email"] == "")
    assert manifest["planted"]["fund_admin.email_illegal"] == sum(1 for r in fa if " at " in r["email"])
    assert 0 < manifest["planted"]["fund_admin.email_null"] < 0.05 * len(fa)
    shared_tax = {}
    for r in _rows(dataset.files["crm_companies"]):
        if r["tax_id"]:
            shared_tax.setdefault(r["tax_id"], set()).add(r["name"])
    assert any(len(v) > 1 for v in shared_tax.values()), "duplicate companies share a tax id"


def test_bulk_import_sets_interested_on_many_contacts_in_one_minute(dataset):
    bulk = _rows(dataset.files["crm_bulk_import"])
    assert len(bulk) >= 50
    assert {r["interested"] for r in bulk} == {"true"}
    assert len({r["lastmodifieddate"] for r in bulk}) == 1
    contacts = {r["id"]: r for r in _rows(dataset.files["crm_contacts"])}
    assert all(contacts[r["id"]]["interested"] == "false" for r in bulk)


def test_stale_records_exist(dataset):
    stale = [r for r in _rows(dataset.files["crm_contacts"]) if r["lastmodifieddate"] < "2025-10-01"]
    assert stale


def test_mixed_amount_and_date_formats(dataset):
    fa = _rows(dataset.files["fund_admin"])
    amounts = {r["amount"][:1] for r in fa}
    assert "$" in amounts and "U" in amounts
    assert any(r["amount"].endswith(" €") for r in fa)
    assert any(r["updated_at"].isdigit() for r in fa) and any("/" in r["updated_at"] for r in fa)


def test_cli_writes_to_out(tmp_path, capsys):
    assert main(["demo-data", "--seed", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "fund_admin" / "lp_contacts.csv").exists()
    assert "planted:" in capsys.readouterr().out
    with pytest.raises(ValueError, match="scale must be >= 1"):
        generate(tmp_path, scale=0)


def test_crm_deals_use_the_maps_stages(tmp_path):
    from crmhub.config import load_integration_map

    dataset = generate(tmp_path / "a", seed=7)
    deals = _rows(dataset.files["crm_deals"])
    assert deals and {d["dealstage"] for d in deals} <= set(load_integration_map().stages["fundraising"])
    assert all(d["dealname"] and int(d["amount"]) > 0 for d in deals)


def test_crm_contacts_are_owned_by_the_maps_relationship_owners(dataset, imap, tmp_path):
    """Each organisation's CRM contacts share one contact owner (an IR person's whole book), drawn from the
    map's people with a ``crm_owner_id``; a few contacts have none. The owners change no other file."""
    ids = {p["crm_owner_id"] for p in imap.people.values() if p.get("crm_owner_id")}
    rows = _rows(dataset.files["crm_contacts"])
    owners = [r["hubspot_owner_id"] for r in rows]
    assert set(owners) - {""} == ids and len(ids) >= 4
    counts = sorted(owners.count(i) for i in ids)
    assert counts[0] > 0.5 * len(rows) / len(ids) / 2                  # spread, not one owner holding the book
    assert dataset.manifest["planted"]["crm.no_contact_owner"] == owners.count("") > 0
    by_company: dict[str, set] = {}
    for r in rows:
        if r["hubspot_owner_id"]:
            by_company.setdefault(r["company"], set()).add(r["hubspot_owner_id"])
    assert sum(len(v) == 1 for v in by_company.values()) > 0.9 * len(by_company)
    other = generate(tmp_path / "other", seed=7, scale=2, owner_ids=["1"])
    for key in ("fund_admin", "crm_companies", "crm_deals", "billing", "cdp", "truth_contacts"):
        assert filecmp.cmp(dataset.files[key], other.files[key], shallow=False), key


def test_every_crm_deal_is_associated_with_its_lps_company_and_committed_lps_are_onboarded(dataset, imap):
    """Each CRM deal is associated with its LP's CRM company (a deal -> company association, as HubSpot keeps it);
    a deal at accepted or closed belongs to an onboarded LP: one CRM company with its web domain and its tax id,
    the key billing links the LP's invoices to the company by (so the company can carry its invoice status)."""
    companies = {r["id"]: r for r in _rows(dataset.files["crm_companies"])}
    by_org: dict[str, list[dict]] = {}
    truth = {r["external_id"]: r["true_id"] for r in _rows(dataset.files["truth_entities"]) if r["object"] == "company"}
    for r in companies.values():
        by_org.setdefault(truth[r["id"]], []).append(r)
    links = _rows(dataset.files["crm_deal_associations"])
    deals = {r["id"]: r for r in _rows(dataset.files["crm_deals"])}
    assert {(r["from_object"], r["to_object"]) for r in links} == {("deals", "companies")}
    assert sorted(r["from_id"] for r in links) == sorted(deals)                       # every deal, once
    for link in links:
        company = companies[link["to_id"]]
        assert deals[link["from_id"]]["dealname"].endswith(" - " + company["name"]) and company["entity_type"] == "lp"
    stages = imap.stages["fundraising"]
    assert stages.index(COMMITTED_STAGE) == stages.index(imap.slas["billing_to_crm"]["missing_fields"]["from_stage"])
    committed = [link for link in links if stages.index(deals[link["from_id"]]["dealstage"]) >= stages.index(
        COMMITTED_STAGE)]
    assert len(committed) >= 5
    for link in committed:
        company = companies[link["to_id"]]
        assert company["tax_id"] and company["domain"] and len(by_org[truth[company["id"]]]) == 1
    assert dataset.manifest["planted"]["crm.deal_awaiting_onboarding"] > 0
    assert dataset.manifest["counts"]["crm_deal_associations"] == len(deals)

