"""REST reads for CDC on a HubSpot-v3 API: specific records (webhook targets) and archived records (deletes).

Both reuse ``RestSource``'s retries, rate-limit handling and frame building; only the pages differ.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from crmhub.ingest.sources.rest_source import RestSource, to_epoch_ms

BATCH_READ_MAX = 100  # HubSpot's batch/read input limit


class RestIdsSource(RestSource):
    """The current state of the given record ids (``POST {endpoint}/batch/read``).

    Ids the live read does not return are read again with ``archived=true``: a record deleted in the CRM
    comes back archived and is soft-deleted by the merge. Ids unknown in both are reported in ``missing``.
    """

    def __init__(self, *args, ids: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.ids = [str(i) for i in ids]
        self.missing: list[str] = []

    def _read(self, client: httpx.Client, ids: list[str], archived: bool) -> list[dict]:
        url = f"{self.base_url}{self.endpoint}/batch/read"
        body = self._request(client, "POST", url, params={"archived": str(archived).lower()},
                             json={"inputs": [{"id": i} for i in ids], "properties": self.properties})
        return body.get("results") or []

    def _pages(self, client: httpx.Client) -> Iterator[tuple[str | None, list[dict], str | None]]:
        for start in range(0, len(self.ids), BATCH_READ_MAX):
            chunk = self.ids[start : start + BATCH_READ_MAX]
            live = self._read(client, chunk, archived=False)
            found = {str(r.get("id")) for r in live}
            gone = [i for i in chunk if i not in found]
            archived = self._read(client, gone, archived=True) if gone else []
            found |= {str(r.get("id")) for r in archived}
            self.missing += [i for i in chunk if i not in found]
            yield f"ids[{start}]", live + archived, None


class RestArchivedSource(RestSource):
    """Records archived (deleted) in the CRM since ``updated_since``: ``GET {endpoint}?archived=true`` pages.

    HubSpot's search never returns archived records, so an incremental sync reads deletes this way.
    """

    def _pages(self, client: httpx.Client) -> Iterator[tuple[str | None, list[dict], str | None]]:
        url = self.base_url + self.endpoint
        since = to_epoch_ms(self.updated_since) if self.updated_since is not None else None
        after = None
        while True:
            params = {"limit": self.page_size, "properties": ",".join(self.properties), "archived": "true"}
            if after:
                params["after"] = after
            body = self._request(client, "GET", url, params=params)
            results = [r for r in body.get("results") or [] if since is None or _archived_ms(r) >= since]
            nxt = ((body.get("paging") or {}).get("next") or {}).get("after")
            yield after, results, nxt
            if not nxt:
                return
            after = str(nxt)


def _archived_ms(record: dict) -> int:
    stamp = record.get("archivedAt") or record.get("updatedAt")
    return to_epoch_ms(stamp) if stamp else 0
