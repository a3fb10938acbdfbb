"""HubSpot v3 wire format of the sandbox: paging, reads, search, batch writes, schema errors, associations."""

from __future__ import annotations

import httpx


def contacts(n: int, start: int = 0, **extra: str) -> list[dict]:
    """``n`` seed contacts with distinct emails."""
    return [{"properties": {"email": f"lp{i}@fund{i % 7}.example", "firstname": f"First{i}", "lastname": f"Last{i}",
                            **extra}} for i in range(start, start + n)]


def _seed(client: httpx.Client, body: dict) -> dict:
    r = client.post("/_sandbox/seed", json=body)
    assert r.status_code == 200, r.text
    return r.json()["loaded"]


def test_paging_covers_every_record_exactly_once(client: httpx.Client) -> None:
    _seed(client, {"contacts": contacts(25) + [{"properties": {"email": "gone@x.example"}, "archived": True}]})
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        params = {"limit": 10, "properties": "email,firstname"}
        if after:
            params["after"] = after
        r = client.get("/crm/v3/objects/contacts", params=params)
        assert r.status_code == 200
        body = r.json()
        pages += 1
        for rec in body["results"]:
            assert set(rec) >= {"id", "properties", "createdAt", "updatedAt", "archived"}
            assert rec["archived"] is False
            assert rec["properties"]["email"].startswith("lp")
            seen.append(rec["id"])
        nxt = body.get("paging", {}).get("next")
        if not nxt:
            break
        assert nxt["link"].startswith("http://127.0.0.1:") and f"after={nxt['after']}" in nxt["link"]
        after = nxt["after"]
    assert pages == 3
    assert len(seen) == 25 and len(set(seen)) == 25
    archived = client.get("/crm/v3/objects/contacts", params={"archived": "true"}).json()["results"]
    assert [r["properties"]["email"] for r in archived] == ["gone@x.example"]


def test_paging_survives_inserts_between_pages(client: httpx.Client) -> None:
    _seed(client, {"contacts": contacts(15)})
    first = client.get("/crm/v3/objects/contacts", params={"limit": 10}).json()
    client.post("/crm/v3/objects/contacts", json={"properties": {"email": "new@x.example"}})
    second = client.get("/crm/v3/objects/contacts", params={"limit": 10, "after": first["paging"]["next"]["after"]})
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in second.json()["results"]]
    assert len(ids) == 16 and len(set(ids)) == 16


def test_default_and_requested_properties_and_get_by_id(client: httpx.Client) -> None:
    created = client.post("/crm/v3/objects/contacts", json={"properties": {
        "email": "Ann@Fund.example", "firstname": "Ann", "lp_stage": "interested", "interested": "true"}})
    assert created.status_code == 201
    cid = created.json()["id"]
    default = client.get(f"/crm/v3/objects/contacts/{cid}").json()["properties"]
    assert set(default) == {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
    chosen = client.get(f"/crm/v3/objects/contacts/{cid}", params={"properties": "lp_stage,interested"}).json()
    assert chosen["properties"]["lp_stage"] == "interested" and chosen["properties"]["interested"] == "true"
    by_email = client.get("/crm/v3/objects/contacts/ann@fund.example", params={"idProperty": "email"})
    assert by_email.status_code == 200 and by_email.json()["id"] == cid
    missing = client.get("/crm/v3/objects/contacts/999999")
    assert missing.status_code == 404 and missing.json()["category"] == "OBJECT_NOT_FOUND"
    assert client.get("/crm/v3/objects/tickets").status_code == 400


def test_server_maintains_hs_lastmodifieddate_and_createdate(client: httpx.Client) -> None:
    rec = client.post("/crm/v3/objects/companies", json={"properties": {"name": "Acme", "domain": "acme.example"}})
    body = rec.json()
    created = body["properties"]["createdate"]
    first_mod = body["properties"]["hs_lastmodifieddate"]
    assert "lastmodifieddate" not in body["properties"]  # HubSpot companies carry hs_lastmodifieddate only
    import time

    time.sleep(0.01)
    upd = client.patch(f"/crm/v3/objects/companies/{body['id']}", json={"properties": {"city": "Oslo"}})
    assert upd.status_code == 200
    props = client.get(f"/crm/v3/objects/companies/{body['id']}",
                       params={"properties": "createdate,hs_lastmodifieddate,city"}).json()
    assert props["properties"]["createdate"] == created
    assert props["properties"]["hs_lastmodifieddate"] > first_mod
    assert props["updatedAt"] == props["properties"]["hs_lastmodifieddate"]
    ro = client.patch(f"/crm/v3/objects/companies/{body['id']}", json={"properties": {"hs_lastmodifieddate": "0"}})
    assert ro.status_code == 400 and ro.json()["errors"][0]["code"] == "READ_ONLY_VALUE"
    old_name = client.post("/crm/v3/objects/companies/search", json={"filterGroups": [{"filters": [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}]})
    assert old_name.status_code == 400 and "lastmodifieddate" in old_name.json()["message"]


def test_search_by_lastmodifieddate_and_property(client: httpx.Client) -> None:
    recs = []
    for i in range(30):
        day = f"2024-01-{i + 1:02d}T12:00:00.000Z"
        recs.append({"properties": {"email": f"s{i}@x.example", "lastmodifieddate": day, "createdate": day,
                                    "country": "DE" if i % 3 == 0 else "US"}})
    _seed(client, {"contacts": recs})

    def search(filters: list[dict], **kw: object) -> dict:
        r = client.post("/crm/v3/objects/contacts/search", json={"filterGroups": [{"filters": filters}], **kw})
        assert r.status_code == 200, r.text
        return r.json()

    gte = search([{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "2024-01-21T12:00:00.000Z"}],
                 limit=100)
    assert gte["total"] == 10
    # epoch milliseconds work as well, as in HubSpot
    gt_ms = search([{"propertyName": "lastmodifieddate", "operator": "GT", "value": "1705838400000"}])
    assert gt_ms["total"] == 9
    lt = search([{"propertyName": "lastmodifieddate", "operator": "LT", "value": "2024-01-03T00:00:00Z"}])
    assert lt["total"] == 2
    lte = search([{"propertyName": "lastmodifieddate", "operator": "LTE", "value": "2024-01-03T12:00:00Z"}])
    assert lte["total"] == 3
    eq = search([{"propertyName": "lastmodifieddate", "operator": "EQ", "value": "2024-01-05T12:00:00.000Z"}])
    assert [r["properties"]["email"] for r in eq["results"]] == ["s4@x.example"]
    window = search([{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "2024-01-10T00:00:00Z"},
                     {"propertyName": "country", "operator": "EQ", "value": "de"}])
    assert window["total"] == 7  # i in 9..29 with i % 3 == 0 -> 9,12,...,27
    # sorted paging over a search: every record exactly once, in lastmodifieddate order
    seen, after = [], None
    while True:
        page = search([{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}], limit=7,
                      sorts=[{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}],
                      **({"after": after} if after else {}))
        assert page["total"] == 30
        seen += [r["properties"]["lastmodifieddate"] for r in page["results"]]
        after = page.get("paging", {}).get("next", {}).get("after")
        if not after:
            break
    assert len(seen) == 30 and seen == sorted(seen, reverse=True)
    too_many = client.post("/crm/v3/objects/contacts/search", json={"limit": 201})
    assert too_many.status_code == 400
    unknown = client.post("/crm/v3/objects/contacts/search",
                          json={"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ",
                                                               "value": "1"}]}]})
    assert unknown.status_code == 400


def test_batch_upsert_by_id_property_creates_then_updates(client: httpx.Client) -> None:
    inputs = [{"id": f"u{i}@x.example", "idProperty": "email", "properties": {"firstname": f"F{i}"}}
              for i in range(5)]
    first = client.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": inputs})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "COMPLETE" and all(r["new"] for r in first.json()["results"])
    ids = {r["properties"]["email"]: r["id"] for r in first.json()["results"]}
    inputs[0]["properties"]["firstname"] = "Changed"
    inputs[0]["id"] = "U0@X.example"  # emails match case-insensitively
    second = client.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": inputs})
    assert second.status_code == 200
    assert not any(r["new"] for r in second.json()["results"])
    assert {r["id"] for r in second.json()["results"]} == set(ids.values())
    assert client.get("/_sandbox/counts").json()["contacts"]["total"] == 5
    got = client.get(f"/crm/v3/objects/contacts/{ids['u0@x.example']}").json()
    assert got["properties"]["firstname"] == "Changed"
    # a custom unique property (crmhub_id) works as idProperty on companies too
    comp = [{"id": "ent-1", "idProperty": "crmhub_id", "properties": {"name": "Fund I"}}]
    assert client.post("/crm/v3/objects/companies/batch/upsert", json={"inputs": comp}).json()["results"][0]["new"]
    comp[0]["properties"]["name"] = "Fund I LP"
    again = client.post("/crm/v3/objects/companies/batch/upsert", json={"inputs": comp}).json()["results"][0]
    assert again["new"] is False and again["properties"]["name"] == "Fund I LP"
    bad = client.post("/crm/v3/objects/companies/batch/upsert",
                      json={"inputs": [{"id": "x", "idProperty": "city", "properties": {}}]})
    assert bad.status_code == 400


def test_more_than_100_inputs_rejected(client: httpx.Client) -> None:
    big = {"inputs": [{"properties": {"firstname": str(i)}} for i in range(101)]}
    for action in ("create", "update", "upsert", "read", "archive"):
        r = client.post(f"/crm/v3/objects/contacts/batch/{action}", json=big)
        assert r.status_code == 400, action
        assert r.json()["category"] == "VALIDATION_ERROR" and "100" in r.json()["message"]
    assert client.get("/_sandbox/counts").json()["contacts"]["total"] == 0
    ok = client.post("/crm/v3/objects/contacts/batch/create", json={"inputs": big["inputs"][:100]})
    assert ok.status_code == 201 and len(ok.json()["results"]) == 100


def test_partial_failure_is_207_per_record(client: httpx.Client) -> None:
    inputs = [
        {"properties": {"email": "good1@x.example"}},
        {"properties": {"email": "bad@x.example", "no_such_field": "1"}},
        {"properties": {"email": "good2@x.example", "lp_stage": "interested"}},
        {"properties": {"email": "bad2@x.example", "lp_stage": "maybe"}},
        {"properties": {"email": "not-an-email"}},
        {"properties": {"email": "good1@x.example"}},  # unique email already taken
    ]
    r = client.post("/crm/v3/objects/contacts/batch/create", json={"inputs": inputs})
    assert r.status_code == 207
    body = r.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 4
    assert sorted(x["properties"]["email"] for x in body["results"]) == ["good1@x.example", "good2@x.example"]
    by_index = {e["context"]["inputIndex"][0]: e for e in body["errors"]}
    assert by_index["1"]["category"] == "VALIDATION_ERROR"
    assert by_index["1"]["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert by_index["1"]["context"]["propertyName"] == ["no_such_field"]
    assert by_index["3"]["errors"][0]["code"] == "INVALID_OPTION"
    assert by_index["4"]["errors"][0]["code"] == "INVALID_EMAIL"
    assert by_index["5"]["category"] == "CONFLICT"
    assert client.get("/_sandbox/counts").json()["contacts"]["total"] == 2
    # batch update: one unknown id and one bad value do not block the good update
    good_id = body["results"][0]["id"]
    upd = client.post("/crm/v3/objects/contacts/batch/update", json={"inputs": [
        {"id": good_id, "properties": {"firstname": "Ok"}},
        {"id": "424242", "properties": {"firstname": "Nobody"}},
        {"id": body["results"][1]["id"], "properties": {"intent_score": "high"}}]})
    assert upd.status_code == 207
    errs = {e["context"]["ids"][0]: e for e in upd.json()["errors"]}
    assert errs["424242"]["category"] == "OBJECT_NOT_FOUND"
    assert errs[body["results"][1]["id"]]["errors"][0]["code"] == "INVALID_FLOAT"
    assert client.get(f"/crm/v3/objects/contacts/{good_id}").json()["properties"]["firstname"] == "Ok"
    single = client.post("/crm/v3/objects/contacts", json={"properties": {"bogus": "1"}})
    assert single.status_code == 400 and single.json()["category"] == "VALIDATION_ERROR"


def test_property_schema_endpoint_and_custom_property(client: httpx.Client) -> None:
    props = client.get("/crm/v3/properties/contacts").json()["results"]
    by_name = {p["name"]: p for p in props}
    assert by_name["email"]["hasUniqueValue"] is True
    assert [o["value"] for o in by_name["lp_stage"]["options"]][:2] == ["prospect", "contacted"]
    assert by_name["lastmodifieddate"]["modificationMetadata"]["readOnlyValue"] is True
    assert client.post("/crm/v3/objects/contacts", json={"properties": {"fav_color": "red"}}).status_code == 400
    created = client.post("/crm/v3/properties/contacts", json={"name": "fav_color", "label": "Favourite colour",
                                                              "type": "enumeration", "fieldType": "select",
                                                              "options": [{"label": "Red", "value": "red"}]})
    assert created.status_code == 201
    assert client.post("/crm/v3/properties/contacts", json={"name": "fav_color"}).status_code == 409
    assert client.get("/crm/v3/properties/contacts/fav_color").json()["type"] == "enumeration"
    assert client.post("/crm/v3/objects/contacts", json={"properties": {"fav_color": "red"}}).status_code == 201


def test_batch_read_and_archive(client: httpx.Client) -> None:
    ids = [r["id"] for r in client.post("/crm/v3/objects/contacts/batch/create",
                                        json={"inputs": contacts(3)}).json()["results"]]
    read = client.post("/crm/v3/objects/contacts/batch/read",
                       json={"properties": ["email"], "inputs": [{"id": ids[0]}, {"id": "77777"}]})
    assert read.status_code == 207
    assert read.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert read.json()["errors"][0]["context"]["ids"] == ["77777"]
    by_email = client.post("/crm/v3/objects/contacts/batch/read",
                           json={"idProperty": "email", "inputs": [{"id": "lp1@fund1.example"}]})
    assert by_email.status_code == 200 and by_email.json()["results"][0]["id"] == ids[1]
    arch = client.post("/crm/v3/objects/contacts/batch/archive", json={"inputs": [{"id": ids[0]}]})
    assert arch.status_code == 204
    assert client.get(f"/crm/v3/objects/contacts/{ids[0]}").status_code == 404
    assert client.get(f"/crm/v3/objects/contacts/{ids[0]}", params={"archived": "true"}).json()["archived"] is True
    listed = [r["id"] for r in client.get("/crm/v3/objects/contacts").json()["results"]]
    assert listed == ids[1:]
    # the email of an archived contact is free again
    again = client.post("/crm/v3/objects/contacts", json={"properties": {"email": "lp0@fund0.example"}})
    assert again.status_code == 201


def test_contact_company_associations_v4(client: httpx.Client) -> None:
    contact = client.post("/crm/v3/objects/contacts", json={"properties": {"email": "a@lp.example"}}).json()["id"]
    c1 = client.post("/crm/v3/objects/companies", json={"properties": {"name": "LP One"}}).json()["id"]
    c2 = client.post("/crm/v3/objects/companies", json={"properties": {"name": "LP Two"}}).json()["id"]
    put = client.put(f"/crm/v4/objects/contacts/{contact}/associations/default/companies/{c1}")
    assert put.status_code == 200
    assert put.json()["results"][0]["associationSpec"]["associationTypeId"] == 279
    batch = client.post("/crm/v4/associations/contacts/companies/batch/associate/default",
                        json={"inputs": [{"from": {"id": contact}, "to": {"id": c2}},
                                         {"from": {"id": contact}, "to": {"id": "9"}}]})
    assert batch.status_code == 207 and batch.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    got = client.get(f"/crm/v3/objects/contacts/{contact}", params={"associations": "companies"}).json()
    assert [a["id"] for a in got["associations"]["companies"]["results"]] == [c1, c2]
    assert got["associations"]["companies"]["results"][0]["type"] == "contact_to_company"
    reverse = client.get(f"/crm/v4/objects/companies/{c1}/associations/contacts").json()["results"]
    assert reverse == [{"toObjectId": int(contact), "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 280, "label": None}]}]
    listed = client.get("/crm/v3/objects/contacts", params={"associations": "companies"}).json()["results"]
    assert len(listed[0]["associations"]["companies"]["results"]) == 2
    assert client.delete(f"/crm/v4/objects/contacts/{contact}/associations/companies/{c1}").status_code == 204
    left = client.get(f"/crm/v4/objects/contacts/{contact}/associations/companies").json()["results"]
    assert [x["toObjectId"] for x in left] == [int(c2)]
    # create with an inline v3 association
    made = client.post("/crm/v3/objects/contacts", json={
        "properties": {"email": "b@lp.example"},
        "associations": [{"to": {"id": c1}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                       "associationTypeId": 279}]}]})
    assert made.status_code == 201
    assert client.get(f"/crm/v4/objects/companies/{c1}/associations/contacts").json()["results"][0]["toObjectId"] \
        == int(made.json()["id"])


def test_bearer_token_required(sandbox, client: httpx.Client) -> None:
    assert httpx.get(f"{sandbox.url}/crm/v3/objects/contacts").status_code == 401
    wrong = httpx.get(f"{sandbox.url}/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["category"] == "INVALID_AUTHENTICATION"
    assert httpx.post(f"{sandbox.url}/_sandbox/reset").status_code == 401
    assert httpx.get(f"{sandbox.url}/_sandbox/health").status_code == 200
    assert client.get("/crm/v3/objects/contacts").status_code == 200


def test_admin_counts_requests_and_export_roundtrip(client: httpx.Client) -> None:
    _seed(client, {"companies": [{"id": "7001", "properties": {"name": "Seed Co", "domain": "seed.example"}}],
                   "contacts": [{"id": "42", "properties": {"email": "x@seed.example", "associatedcompanyid": "7001"}}]})
    counts = client.get("/_sandbox/counts").json()
    assert counts["contacts"]["total"] == 1 and counts["companies"]["total"] == 1 and counts["associations"] == 1
    client.get("/crm/v3/objects/contacts/42")
    client.get("/crm/v3/objects/contacts/43")
    log = client.get("/_sandbox/requests").json()
    assert log["by_status"] == {"200": 1, "404": 1}
    assert log["by_route"] == {"GET /crm/v3/objects/contacts/{id}": 2}
    exported = client.get("/_sandbox/export").json()
    client.post("/_sandbox/reset")
    assert client.get("/_sandbox/counts").json()["contacts"]["total"] == 0
    _seed(client, exported)
    got = client.get("/crm/v3/objects/contacts/42", params={"associations": "companies",
                                                             "properties": "associatedcompanyid"}).json()
    assert got["properties"]["associatedcompanyid"] == "7001"
    assert got["associations"]["companies"]["results"][0]["id"] == "7001"
    # new ids continue after seeded ids
    new = client.post("/crm/v3/objects/companies", json={"properties": {"name": "N"}}).json()["id"]
    assert int(new) > 7001


def test_create_with_a_bad_association_creates_nothing(client: httpx.Client) -> None:
    r = client.post("/crm/v3/objects/contacts/batch/create", json={"inputs": [
        {"properties": {"email": "ok@x.example"}},
        {"properties": {"email": "orphan@x.example"},
         "associations": [{"to": {"id": "5999"}, "types": [{"associationTypeId": 279}]}]}]})
    assert r.status_code == 207
    assert r.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert r.json()["errors"][0]["context"]["inputIndex"] == ["1"]
    assert client.get("/_sandbox/counts").json()["contacts"]["total"] == 1


def test_rejected_seed_leaves_no_trace(client: httpx.Client) -> None:
    bad = {"companies": [{"id": "5500", "properties": {"name": "Half"}}],
           "contacts": [{"id": "1500", "properties": {"email": "h@x.example", "associatedcompanyid": "5999"}}]}
    r = client.post("/_sandbox/seed", json=bad)
    assert r.status_code == 400 and "5999" in r.json()["message"]
    assert client.get("/_sandbox/counts").json()["contacts"]["total"] == 0
    assert client.get("/_sandbox/counts").json()["companies"]["total"] == 0
    # ids were not consumed either
    assert client.post("/crm/v3/objects/companies", json={"properties": {"name": "A"}}).json()["id"] == "5001"


def test_contact_owner_is_a_numeric_hubspot_owner_id(client):
    """Contacts carry HubSpot's ``hubspot_owner_id`` (the contact owner): a numeric owner id is stored, read and
    searched like any property; anything else is refused per record with ``INVALID_OWNER_ID``."""
    prop = client.get("/crm/v3/properties/contacts/hubspot_owner_id")
    assert prop.status_code == 200 and prop.json()["label"] == "Contact owner"
    made = client.post("/crm/v3/objects/contacts", json={"properties": {
        "email": "owned@lp.example", "hubspot_owner_id": "48210023"}})
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    got = client.get(f"/crm/v3/objects/contacts/{cid}", params={"properties": "hubspot_owner_id"}).json()
    assert got["properties"]["hubspot_owner_id"] == "48210023"
    found = client.post("/crm/v3/objects/contacts/search", json={
        "filterGroups": [{"filters": [{"propertyName": "hubspot_owner_id", "operator": "EQ", "value": "48210023"}]}]})
    assert [r["id"] for r in found.json()["results"]] == [cid]
    bad = client.post("/crm/v3/objects/contacts/batch/update", json={"inputs": [
        {"id": cid, "properties": {"hubspot_owner_id": "sam.ortiz"}}]})
    assert bad.status_code == 207 and bad.json()["errors"][0]["errors"][0]["code"] == "INVALID_OWNER_ID"
    cleared = client.patch(f"/crm/v3/objects/contacts/{cid}", json={"properties": {"hubspot_owner_id": ""}})
    assert cleared.status_code == 200 and "hubspot_owner_id" not in {
        k for k, v in cleared.json()["properties"].items() if v}
