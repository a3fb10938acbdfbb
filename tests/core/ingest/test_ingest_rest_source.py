"""The HubSpot-v3 REST source against a small local server speaking the wire format (stdlib http.server)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from crmhub.ingest.loader import ingest
from crmhub.ingest.sources.rest_source import RestSource, RestSourceError

TOKEN = "test-token"


def contact(i: int, modified_ms: int, archived: bool = False) -> dict:
    return {
        "id": str(1000 + i),
        "properties": {
            "firstname": f"Ann{i}", "lastname": f"Lee{i}", "email": f"ann{i}@x.com", "phone": "+1 212 555 0100",
            "company": "Acme", "jobtitle": "CFO", "country": "us", "lp_stage": "Interested",
            "interested": "true", "hs_email_verified": "false",
            "lastmodifieddate": f"2025-03-{10 + i:02d}T10:00:00.000Z", "createdate": "2025-01-01T00:00:00Z",
        },
        "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": f"2025-03-{10 + i:02d}T10:00:00.000Z",
        "archived": archived,
        "_ms": modified_ms,
    }


class FakeHubSpot:
    """Serves 5 contacts, 2 per page; fails the first request of page 2 with 429, then 503, then serves."""

    def __init__(self):
        self.records = [contact(i, 1741600000000 + i * 86_400_000, archived=(i == 4)) for i in range(5)]
        self.requests: list[tuple[str, str, dict | None]] = []
        self.failures = {"2": [(429, {"Retry-After": "0"}), (503, {})]}
        self.always_fail = False

    def page(self, rows: list[dict], after: str | None) -> dict:
        start = int(after or 0)
        chunk = rows[start : start + 2]
        body = {"results": [{k: v for k, v in r.items() if k != "_ms"} for r in chunk]}
        if start + 2 < len(rows):
            body["paging"] = {"next": {"after": str(start + 2), "link": "..."}}
        return body

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _guard(self, after: str | None) -> bool:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._send(401, {"message": "bad token"})
                    return False
                if fake.always_fail:
                    self._send(500, {"message": "boom"})
                    return False
                pending = fake.failures.get(after or "")
                if pending:
                    status, headers = pending.pop(0)
                    self._send(status, {"message": "slow down"}, headers)
                    return False
                return True

            def do_GET(self):
                url = urlparse(self.path)
                q = parse_qs(url.query)
                after = q.get("after", [None])[0]
                fake.requests.append(("GET", url.path, {k: v[0] for k, v in q.items()}))
                if url.path != "/crm/v3/objects/contacts":
                    return self._send(404)
                if self._guard(after):
                    self._send(200, fake.page(fake.records, after))

            def do_POST(self):
                url = urlparse(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(("POST", url.path, body))
                if url.path != "/crm/v3/objects/contacts/search":
                    return self._send(404)
                if not self._guard(body.get("after")):
                    return
                flt = body["filterGroups"][0]["filters"][0]
                assert flt["operator"] == "GTE" and flt["propertyName"] == "lastmodifieddate"
                rows = sorted((r for r in fake.records if r["_ms"] >= int(flt["value"])), key=lambda r: r["_ms"])
                self._send(200, fake.page(rows, body.get("after")))

        return Handler


@pytest.fixture
def hubspot():
    fake = FakeHubSpot()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def crm_contacts(imap):
    return imap.connector("crm_contacts")


def test_full_pull_pages_retries_and_auth(hubspot, crm_contacts):
    sleeps: list[float] = []
    src = RestSource.for_connector(crm_contacts, hubspot.url, token=TOKEN, batch_pages=2, sleep=sleeps.append,
                                   backoff=0.01)
    batches = list(src.batches())
    assert [len(b) for b in batches] == [4, 1]
    frame = batches[0].frame
    assert list(frame.columns) == list(crm_contacts.field_names)
    assert frame["id"].tolist() == ["1000", "1001", "1002", "1003"]
    assert frame["archived"].tolist() == ["false"] * 4
    assert batches[1].deleted == [True]
    assert batches[0].locators[2] == "/crm/v3/objects/contacts?after=2#0"
    assert batches[0].cursor == "4" and batches[1].cursor is None
    assert src.retries == 2 and sleeps[0] == 0.0  # 429 honoured Retry-After: 0, then a jittered backoff
    assert 0.005 <= sleeps[1] <= 0.02
    gets = [r for r in hubspot.requests if r[0] == "GET"]
    assert gets[0][2]["limit"] == "100" and "email" in gets[0][2]["properties"].split(",")


def test_updated_since_uses_search(hubspot, crm_contacts):
    hubspot.failures = {}
    src = RestSource.for_connector(crm_contacts, hubspot.url, token=TOKEN, updated_since=1741600000000 + 2 * 86_400_000)
    ids = [i for b in src.batches() for i in b.frame["id"]]
    assert ids == ["1002", "1003", "1004"]
    post = [r for r in hubspot.requests if r[0] == "POST"][0][2]
    assert post["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    assert post["limit"] == 100 and "lastmodifieddate" in post["properties"]


def test_retries_are_bounded_and_4xx_fails_fast(hubspot, crm_contacts):
    hubspot.always_fail = True
    sleeps: list[float] = []
    src = RestSource.for_connector(crm_contacts, hubspot.url, token=TOKEN, max_retries=3, backoff=0.01,
                                   sleep=sleeps.append)
    with pytest.raises(RestSourceError, match="after 3 retries: HTTP 500"):
        list(src.batches())
    assert len(sleeps) == 3 and src.requests == 4
    assert sleeps == sorted(sleeps) and sleeps[0] >= 0.005 and max(sleeps) <= 0.04  # exponential + jitter
    hubspot.always_fail = False
    bad = RestSource.for_connector(crm_contacts, hubspot.url, token="wrong", sleep=sleeps.append)
    with pytest.raises(RestSourceError, match="HTTP 401.*not retried"):
        list(bad.batches())


def test_rest_batches_load_into_core(db, hubspot, crm_contacts, balanced, fetch):
    hubspot.failures = {}
    src = RestSource.for_connector(crm_contacts, hubspot.url, token=TOKEN)
    s = ingest(db, crm_contacts, src)
    balanced(s)
    assert (s.rows_read, s.loaded) == (5, 5)
    assert fetch("SELECT count(*) FROM core.contact WHERE country = 'US' AND interested") == [(5,)]
    assert fetch("SELECT count(*) FROM staging.crm_contacts WHERE deleted") == [(1,)]
    assert fetch("SELECT DISTINCT stage FROM core.commitment") == [("interested",)]
    assert fetch("SELECT locator FROM raw.crm_contacts_records ORDER BY row_no LIMIT 1") == [("/crm/v3/objects/contacts?after=#0",)]
    # the raw landing keeps each result object as received (one JSON object per record), archived flag included
    raw = fetch("SELECT format, record::jsonb, deleted FROM raw.crm_contacts_records ORDER BY row_no")
    assert len(raw) == 5 and {r[0] for r in raw} == {"ndjson"}
    assert all(r[1]["id"] and "properties" in r[1] and r[2] == r[1].get("archived", False) for r in raw)
    assert sum(r[2] for r in raw) == 1
    assert fetch("SELECT count(*), sum(rows) FROM raw.crm_contacts") == [(1, 5)]
