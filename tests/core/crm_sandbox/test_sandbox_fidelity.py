"""The sandbox refuses what HubSpot refuses (issue 18.3), so crmhub's tests catch wire-format mistakes.

References: HubSpot CRM v3 objects API, batch upsert ("idProperty ... refers to a property whose values
are unique for the object"), batch update/create (``properties``: map of name -> string) and the
StandardError model of 207 answers (``status, category, message, context, errors, links``):
https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/batch/upsert-companies
https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/batch/upsert-contacts
"""

from __future__ import annotations

import httpx
import pytest


def _company(client: httpx.Client, name: str, domain: str) -> str:
    res = client.post("/crm/v3/objects/companies", json={"properties": {"name": name, "domain": domain}})
    assert res.status_code == 201, res.text
    return res.json()["id"]


def test_upsert_by_company_domain_is_refused_and_by_crmhub_id_works(client: httpx.Client) -> None:
    _company(client, "Alpha", "alpha.example")
    _company(client, "Alpha Holdings", "alpha.example")          # domains are not unique in HubSpot
    refused = client.post("/crm/v3/objects/companies/batch/upsert", json={"inputs": [
        {"id": "alpha.example", "idProperty": "domain", "properties": {"name": "Alpha"}}]})
    assert refused.status_code == 400 and "domain" in refused.json()["message"]
    ok = client.post("/crm/v3/objects/companies/batch/upsert", json={"inputs": [
        {"id": "c-1", "idProperty": "crmhub_id", "properties": {"name": "Gamma", "icp_fit": "strong"}}]})
    assert ok.status_code == 200 and ok.json()["results"][0]["new"] is True


@pytest.mark.parametrize("value", [None, 42, 1.5, True, ["a"]])
def test_non_string_property_values_are_refused(client: httpx.Client, value) -> None:
    cid = _company(client, "Beta", "beta.example")
    res = client.post("/crm/v3/objects/companies/batch/update", json={"inputs": [
        {"id": cid, "properties": {"city": value}}]})
    assert res.status_code == 207
    error = res.json()["errors"][0]
    assert error["errors"][0]["code"] == "INVALID_VALUE" and error["context"]["propertyName"] == ["city"]


def test_empty_string_clears_a_property(client: httpx.Client) -> None:
    cid = _company(client, "Delta", "delta.example")
    assert client.patch(f"/crm/v3/objects/companies/{cid}", json={"properties": {"city": "Oslo"}}).status_code == 200
    res = client.post("/crm/v3/objects/companies/batch/update", json={"inputs": [{"id": cid, "properties": {"city": ""}}]})
    assert res.status_code == 200
    got = client.get(f"/crm/v3/objects/companies/{cid}", params={"properties": "city"}).json()
    assert got["properties"]["city"] is None


def test_unknown_properties_are_refused(client: httpx.Client) -> None:
    res = client.post("/crm/v3/objects/companies/batch/create", json={"inputs": [
        {"properties": {"name": "Eps", "no_such_property": "x"}}]})
    assert res.status_code == 207
    assert res.json()["errors"][0]["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"


def test_207_error_entries_carry_every_required_standard_error_member(client: httpx.Client) -> None:
    cid = _company(client, "Zeta", "zeta.example")
    update = client.post("/crm/v3/objects/companies/batch/update", json={"inputs": [
        {"id": cid, "properties": {"city": "Rome"}}, {"id": "999999", "properties": {"city": "Rome"}}]})
    read = client.post("/crm/v3/objects/companies/batch/read", json={"inputs": [{"id": cid}, {"id": "999998"}],
                                                                     "properties": ["name"]})
    for res in (update, read):
        assert res.status_code == 207
        for error in res.json()["errors"]:
            assert {"status", "category", "message", "context", "errors", "links"} <= set(error)
            assert isinstance(error["links"], dict)
