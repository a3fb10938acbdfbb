"""A paginated REST source speaking the HubSpot v3 CRM objects wire format.

* Full pull: ``GET {base}{endpoint}?limit=100&after=X&properties=a,b,c`` ->
  ``{"results": [{"id", "properties": {...}, "updatedAt", "archived"}], "paging": {"next": {"after"}}}``.
* Incremental (``updated_since``): ``POST {base}{endpoint}/search`` with a ``GTE`` filter on the
  connector's ``updated_since_property`` (epoch milliseconds) sorted ascending, paged the same way.
* Auth: ``Authorization: Bearer <token>`` (the Airflow hook passes the token from a Connection).
* Resilience: 429 waits ``Retry-After`` seconds (or the backoff when absent); 5xx and connection errors
  retry with exponential backoff + full jitter, bounded by ``max_retries`` and ``max_backoff``; other
  4xx fail at once. A give-up raises :class:`RestSourceError` naming the URL and last status.
* Rows: one column per contracted field - ``id`` from the result id, the delete marker (``archived``)
  from the result flag, everything else from ``properties`` (values stay text). ``deleted`` = archived.
  ``locators`` are ``"<endpoint>?after=<page cursor>#<i>"``; ``cursor`` = the next page's ``after``.
  The raw landing gets each result object as received (compact JSON, one per line: ``ndjson``).
* Drift: the API returns the properties it is asked for, so added/missing columns are not observable
  here; the loader's "retyped" check still applies.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Callable, Iterator

import httpx
import pandas as pd

from crmhub.exceptions import CrmHubError
from crmhub.hubspot import wire
from crmhub.ingest.sources.base import RawChunk, SourceBatch

log = logging.getLogger(__name__)
USER_AGENT = "crmhub-rest-source/1"  # names crmhub's own requests (the test suite validates them by it)


class RestSourceError(CrmHubError):
    """The API could not be read (after bounded retries, or a non-retryable status)."""


def to_epoch_ms(value) -> int:
    """``datetime`` / ISO string / epoch ms -> epoch milliseconds (naive = UTC)."""
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        if value.isdigit():
            return int(value)
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp() * 1000)


class RestSource:
    """Read one HubSpot-v3-style object endpoint.

    Args:
        base_url: e.g. ``http://127.0.0.1:8080``.
        endpoint: e.g. ``/crm/v3/objects/contacts``.
        properties: property names to request (the contracted fields minus id/delete marker).
        token: bearer token (None = no Authorization header).
        columns: output columns (default: ``id`` + properties + delete marker).
        updated_since: datetime / ISO / epoch ms; switches to the search endpoint.
        page_size: ``limit`` per request (HubSpot caps it at 100).
        batch_pages: pages per yielded batch.
        timeout: seconds per request.
        verify: TLS verification of the API: True (system CAs), False, or a CA bundle path (httpx ``verify``).
    """

    def __init__(
        self,
        base_url: str,
        endpoint: str,
        properties: list[str],
        *,
        token: str | None = None,
        columns: list[str] | None = None,
        id_field: str = "id",
        delete_marker: str | None = "archived",
        updated_since=None,
        updated_until=None,
        updated_since_property: str = "lastmodifieddate",
        after: str | None = None,
        page_size: int = 100,
        batch_pages: int = 10,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        timeout: float = 30.0,
        verify: bool | str = True,
        sleep: Callable[[float], None] = time.sleep,
        client: httpx.Client | None = None,
        name: str = "rest",
    ):
        self.base_url = base_url.rstrip("/")
        self.endpoint = endpoint
        self.properties = list(properties)
        self.token = token
        self.id_field = id_field
        self.delete_marker = delete_marker
        self.columns = columns or [id_field, *self.properties, *([delete_marker] if delete_marker else [])]
        self.updated_since = updated_since
        self.updated_until = updated_until  # exclusive upper bound (backfill chunks)
        self.updated_since_property = updated_since_property
        self.after = after
        self.page_size = page_size
        self.batch_pages = batch_pages
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.verify = verify
        self.sleep = sleep
        self._client = client
        self.name = name
        self.origin = endpoint
        self.requests = 0
        self.retries = 0
        self.latency_s = 0.0  # time spent waiting on the API (health: Avg_Latency_s = latency_s / requests)

    @classmethod
    def for_connector(cls, connector, base_url: str, *, token: str | None = None, **kwargs) -> RestSource:
        src = connector.source
        marker = connector.delete_marker
        id_field = next((f.name for f in connector.fields if f.target == "external_id"), connector.primary_key)
        props = [f for f in connector.field_names if f not in (id_field, marker)]
        return cls(
            base_url, src["endpoint"], props, token=token, columns=list(connector.field_names), id_field=id_field,
            delete_marker=marker, updated_since_property=src.get("updated_since_property", "lastmodifieddate"),
            name=connector.name, **kwargs,
        )

    # -- HTTP ------------------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _delay(self, attempt: int) -> float:
        cap = min(self.max_backoff, self.backoff * (2**attempt))
        return random.uniform(cap / 2, cap)  # jitter: never 0, never above the cap

    def _request(self, client: httpx.Client, method: str, url: str, **kwargs) -> dict:
        last = None
        for attempt in range(self.max_retries + 1):
            self.requests += 1
            sent = time.perf_counter()
            try:
                resp = client.request(method, url, headers=self._headers(), timeout=self.timeout, **kwargs)
            except httpx.TransportError as exc:
                self.latency_s += time.perf_counter() - sent
                last = f"{type(exc).__name__}: {exc}"
                wait = self._delay(attempt)
            else:
                self.latency_s += time.perf_counter() - sent
                if resp.status_code < 400:
                    return resp.json()
                last = f"HTTP {resp.status_code}: {resp.text[:200]}"
                if resp.status_code == 429:
                    wait = self._retry_after(resp, attempt)
                elif resp.status_code >= 500:
                    wait = self._delay(attempt)
                else:
                    raise RestSourceError(f"{method} {url} failed: {last} (not retried)")
            if attempt == self.max_retries:
                break
            self.retries += 1
            log.warning("%s %s: %s; retry %s/%s in %.2fs", method, url, last, attempt + 1, self.max_retries, wait)
            self.sleep(wait)
        raise RestSourceError(f"{method} {url} failed after {self.max_retries} retries: {last}")

    def _retry_after(self, resp: httpx.Response, attempt: int) -> float:
        value = resp.headers.get("Retry-After")
        try:
            return min(self.max_backoff, max(0.0, float(value)))
        except (TypeError, ValueError):
            return self._delay(attempt)

    def _pages(self, client: httpx.Client) -> Iterator[tuple[str | None, list[dict], str | None]]:
        after = self.after
        url = self.base_url + self.endpoint
        while True:
            if self.updated_since is None:
                params = {"limit": self.page_size, "properties": ",".join(self.properties)}
                if after:
                    params["after"] = after
                body = self._request(client, "GET", url, params=params)
            else:
                until = None if self.updated_until is None else to_epoch_ms(self.updated_until)
                payload = wire.modified_window_search(self.updated_since_property, to_epoch_ms(self.updated_since),
                                                      until, self.properties, self.page_size, after)
                body = self._request(client, "POST", url + "/search", json=payload)
            nxt = wire.next_after(body)
            yield after, body.get("results") or [], nxt
            if not nxt:
                return
            after = str(nxt)

    # -- batches ---------------------------------------------------------------------------------------

    def _frame(self, results: list[dict]) -> tuple[pd.DataFrame, list[bool]]:
        cols: dict[str, list] = {c: [] for c in self.columns}
        deleted = []
        for item in results:  # per-record JSON unpacking: bounded by the API page size
            props = item.get("properties") or {}
            archived = bool(item.get("archived", False))
            deleted.append(archived)
            for c in self.columns:
                if c == self.id_field:
                    v = item.get("id", props.get(c))
                elif c == self.delete_marker:
                    v = "true" if archived else "false"
                else:
                    v = props.get(c)
                cols[c].append(None if v is None else (str(v).lower() if isinstance(v, bool) else str(v)))
        return pd.DataFrame({c: pd.array(v, dtype="str") for c, v in cols.items()}), deleted

    def open_client(self) -> httpx.Client:
        """A new HTTP client with this source's TLS verification and timeout (closed by the caller)."""
        return httpx.Client(verify=self.verify, timeout=self.timeout)

    def batches(self) -> Iterator[SourceBatch]:
        client = self._client or self.open_client()
        try:
            results: list[dict] = []
            locators: list[str] = []
            pages = 0
            cursor = None
            for after, page, nxt in self._pages(client):
                locators += [f"{self.endpoint}?after={after or ''}#{i}" for i in range(len(page))]
                results += page
                pages += 1
                cursor = nxt
                if pages >= self.batch_pages:
                    yield self._batch(results, locators, cursor)
                    results, locators, pages = [], [], 0
            if results:
                yield self._batch(results, locators, cursor)
        finally:
            if self._client is None:
                client.close()

    def _batch(self, results, locators, cursor) -> SourceBatch:
        frame, deleted = self._frame(results)
        return SourceBatch(frame=frame, locators=locators, origin=self.origin, header=list(self.columns),
                           cursor=cursor, deleted=deleted, raw=_ndjson(results))


def _ndjson(results: list[dict]) -> RawChunk:
    """The results as received (each object re-serialised compactly, one per line) for the raw landing."""
    return RawChunk.of_records(
        [json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for item in results],
        "ndjson",
    )
