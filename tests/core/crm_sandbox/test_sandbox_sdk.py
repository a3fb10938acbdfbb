"""HubSpot's official Python SDK (``hubspot-api-client``) against the sandbox (issue 18.4).

The SDK builds its requests from HubSpot's published models and deserialises the answers into them
(its models refuse a missing required member, e.g. a StandardError without ``links``), so a sandbox
that passes these tests speaks what real clients expect: batch create/upsert/update/read/archive,
search, list paging, deals and v4 associations.
"""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.companies import BatchInputSimplePublicObjectBatchInputUpsert as CompanyUpsertBatch
from hubspot.crm.companies import SimplePublicObjectBatchInputUpsert as CompanyUpsert
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
)
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException
from hubspot.crm.deals import AssociationSpec, PublicAssociationsForObject, PublicObjectId
from hubspot.crm.deals import BatchInputSimplePublicObjectBatchInputForCreate as DealCreateBatch
from hubspot.crm.deals import SimplePublicObjectBatchInputForCreate as DealCreate

TOKEN = "test-token"


@pytest.fixture
def api(sandbox) -> HubSpot:
    return HubSpot(access_token=TOKEN, host=sandbox.url)


def _create_contacts(api: HubSpot, n: int) -> list[str]:
    inputs = [SimplePublicObjectBatchInputForCreate(properties={"email": f"sdk{i}@lp.example", "firstname": f"N{i}"},
                                                    associations=[]) for i in range(n)]
    res = api.crm.contacts.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs))
    assert res.status == "COMPLETE" and len(res.results) == n
    return [r.id for r in res.results]


def test_batch_create_upsert_update_read_archive(api: HubSpot) -> None:
    ids = _create_contacts(api, 3)
    upsert = api.crm.contacts.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        SimplePublicObjectBatchInputUpsert(id="sdk0@lp.example", id_property="email",
                                           properties={"lp_segment": "anchor"}),
        SimplePublicObjectBatchInputUpsert(id="new@lp.example", id_property="email", properties={"firstname": "New"}),
    ]))
    assert sorted(r.new for r in upsert.results) == [False, True]
    updated = api.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[
        SimplePublicObjectBatchInput(id=ids[1], properties={"lp_segment": "core", "firstname": ""})]))
    assert updated.results[0].properties["lp_segment"] == "core"
    read = api.crm.contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=i) for i in ids], properties=["lp_segment", "firstname"],
        properties_with_history=[]))
    by_id = {r.id: r.properties for r in read.results}
    assert by_id[ids[0]]["lp_segment"] == "anchor" and by_id[ids[1]]["firstname"] is None
    api.crm.contacts.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=ids[2])]))
    after = api.crm.contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=ids[2]), SimplePublicObjectId(id=ids[0])], properties=["email"],
        properties_with_history=[]))
    # a 207: the SDK's model needs every StandardError member (links included) to deserialise it
    assert [r.id for r in after.results] == [ids[0]] and after.errors[0].category == "OBJECT_NOT_FOUND"
    assert after.errors[0].links == {}


def test_search_and_list_paging(api: HubSpot) -> None:
    _create_contacts(api, 25)
    search = PublicObjectSearchRequest(filter_groups=[FilterGroup(filters=[
        Filter(property_name="email", operator="CONTAINS_TOKEN", value="*@lp.example")])],
        sorts=["email"], properties=["email"], limit=10, after="0")
    seen: list[str] = []
    while True:
        page = api.crm.contacts.search_api.do_search(public_object_search_request=search)
        seen += [r.properties["email"] for r in page.results]
        if page.paging is None:
            break
        search.after = page.paging.next.after
    assert len(seen) == 25 and page.total == 25
    everything = api.crm.contacts.get_all(properties=["email"])      # the SDK pages through GET lists itself
    assert len(everything) == 25


def test_upsert_by_company_domain_is_refused_like_hubspot(api: HubSpot) -> None:
    from hubspot.crm.companies.exceptions import ApiException

    with pytest.raises(ApiException) as refused:
        api.crm.companies.batch_api.upsert(CompanyUpsertBatch(inputs=[
            CompanyUpsert(id="alpha.example", id_property="domain", properties={"name": "Alpha"})]))
    assert refused.value.status == 400
    ok = api.crm.companies.batch_api.upsert(CompanyUpsertBatch(inputs=[
        CompanyUpsert(id="crm-1", id_property="crmhub_id", properties={"name": "Alpha"})]))
    assert ok.results[0].new is True


def test_deals_with_associations_to_companies_and_contacts(api: HubSpot) -> None:
    contact = _create_contacts(api, 1)[0]
    company = api.crm.companies.basic_api.create({"properties": {"name": "Alpha Pension"}}).id
    deal = api.crm.deals.batch_api.create(DealCreateBatch(inputs=[DealCreate(
        properties={"dealname": "Fund IV - Alpha", "dealstage": "soft_circle", "pipeline": "default",
                    "amount": "25000000"},
        associations=[
            PublicAssociationsForObject(to=PublicObjectId(id=company), types=[
                AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=341)]),
            PublicAssociationsForObject(to=PublicObjectId(id=contact), types=[
                AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=3)])])])).results[0]
    assert deal.properties["dealstage"] == "soft_circle"
    fetched = api.crm.deals.basic_api.get_by_id(deal.id, properties=["amount"], associations=["companies", "contacts"])
    assert fetched.properties["amount"] == "25000000"
    assert [a.id for a in fetched.associations["companies"].results] == [company]
    assert [a.id for a in fetched.associations["contacts"].results] == [contact]
    page = api.crm.associations.v4.basic_api.get_page("contacts", contact, "deals")
    assert [str(r.to_object_id) for r in page.results] == [deal.id]

    # v4 batch read (what crmhub's CDC asks after loading deals): one deal with, one without associations
    from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest as FetchBatch
    from hubspot.crm.associations.v4 import PublicFetchAssociationsBatchRequest as Fetch

    bare = api.crm.deals.basic_api.create({"properties": {"dealname": "Fund IV - Beta", "dealstage": "prospect",
                                                          "pipeline": "default"}}).id
    read = api.crm.associations.v4.batch_api.get_page(
        "deals", "companies", batch_input_public_fetch_associations_batch_request=FetchBatch(
            inputs=[Fetch(id=deal.id), Fetch(id=bare)]))
    assert [(r._from.id, [str(t.to_object_id) for t in r.to]) for r in read.results] == [(deal.id, [company])]
    assert read.results[0].to[0].association_types[0].type_id == 341
    assert [e.sub_category for e in read.errors] == ["crm.associations.NO_ASSOCIATIONS_FOUND"]


def test_sdk_sees_refusals_of_non_string_values_as_per_record_errors(api: HubSpot) -> None:
    ids = _create_contacts(api, 1)
    try:
        res = api.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[
            SimplePublicObjectBatchInput(id=ids[0], properties={"no_such_property": "x"})]))
    except ContactsApiException as exc:  # the SDK treats a 207 as success; 4xx raises
        pytest.fail(f"unexpected {exc.status}")
    assert res.errors[0].errors[0].code == "PROPERTY_DOESNT_EXIST"
