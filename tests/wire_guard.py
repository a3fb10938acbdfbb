"""Validate every request crmhub's own HubSpot clients send against HubSpot's request models (issue 18.4).

:class:`WireGuard` wraps ``httpx.Client.send`` while a test runs and records each request whose
``User-Agent`` names a crmhub client (``crmhub-reverse-etl/…``, ``crmhub-rest-source/…``) and whose
path is a CRM v3 objects route or a v4 associations batch read. Each JSON body is checked against the JSON Schema in
``tests/wire/hubspot_crm_v3_requests.schema.json`` (written from HubSpot's public API reference, cited
there), and every ``idProperty`` against the object's unique properties. The root conftest fails the
test on any violation; a test that plants one on purpose takes the ``hubspot_wire`` fixture and sets
``expect_violations``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema

SCHEMA_PATH = Path(__file__).parent / "wire" / "hubspot_crm_v3_requests.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
UNIQUE: dict[str, list[str]] = {k: v for k, v in SCHEMA["x-unique-properties"].items() if k != "description"}
CRMHUB_AGENT = re.compile(r"^crmhub-")
ROUTE = re.compile(r"^/crm/v3/objects/(?P<object>[a-z_0-9-]+)(?:/(?:batch/(?P<action>[a-z]+)|(?P<search>search)))?/?$")
ASSOCIATION_READ = re.compile(r"^/crm/v4/associations/(?P<from_object>[a-z_0-9-]+)/(?P<to_object>[a-z_0-9-]+)/batch/read/?$")


def _validator(name: str) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": SCHEMA["$defs"]})


VALIDATORS = {name: _validator(name) for name in ("update", "upsert", "create", "read", "archive", "search",
                                                   "association_read")}


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    problems: list[str] = field(default_factory=list)


def check(method: str, path: str, body: Any, query: dict[str, str] | None = None) -> list[str]:
    """Every way ``body`` departs from HubSpot's request model for ``method path`` (empty: valid)."""
    if ASSOCIATION_READ.match(path):
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message}"
                for e in VALIDATORS["association_read"].iter_errors(body)]
    m = ROUTE.match(path)
    if m is None:
        return []
    obj, action = m["object"], ("search" if m["search"] else m["action"])
    if method == "GET":
        limit = (query or {}).get("limit")
        return [f"limit={limit} above 100"] if limit and int(limit) > 100 else []
    if action not in VALIDATORS:
        return []
    problems = [f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message}"
                for e in VALIDATORS[action].iter_errors(body)]
    unique = UNIQUE.get(obj, ["hs_object_id"])
    ids = {body.get("idProperty")} if isinstance(body, dict) else set()
    for item in (body.get("inputs") or []) if isinstance(body, dict) else []:
        if isinstance(item, dict):
            ids.add(item.get("idProperty"))
    problems += [f"idProperty {p!r} is not a unique property of {obj} (unique: {', '.join(unique)})"
                 for p in sorted(i for i in ids if i) if p not in unique]
    return problems


class WireGuard:
    """Records and checks crmhub's HubSpot requests while installed (see the module docstring)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.expect_violations = False
        self._lock = threading.Lock()

    @property
    def violations(self) -> list[Recorded]:
        return [r for r in self.requests if r.problems]

    def observe(self, request: httpx.Request) -> None:
        if not CRMHUB_AGENT.match(request.headers.get("user-agent", "")):
            return
        path = request.url.path
        if not path.startswith(("/crm/v3/objects/", "/crm/v4/associations/")):
            return
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            body = request.content.decode("utf-8", "replace")
        rec = Recorded(request.method, path, body, check(request.method, path, body, dict(request.url.params)))
        with self._lock:
            self.requests.append(rec)

    def install(self, monkeypatch) -> WireGuard:
        original = httpx.Client.send
        guard = self

        def send(client: httpx.Client, request: httpx.Request, *args: Any, **kwargs: Any) -> httpx.Response:
            guard.observe(request)
            return original(client, request, *args, **kwargs)

        monkeypatch.setattr(httpx.Client, "send", send)
        return self

    def report(self, limit: int = 5) -> str:
        lines = [f"{len(self.violations)} of {len(self.requests)} crmhub requests break HubSpot's request model "
                 f"({SCHEMA_PATH.name}):"]
        for r in self.violations[:limit]:
            lines.append(f"  {r.method} {r.path}: " + "; ".join(r.problems[:3]))
        return "\n".join(lines)
