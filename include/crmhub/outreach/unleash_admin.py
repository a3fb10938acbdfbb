"""Small client for the Unleash v8 admin API (flags, flexibleRollout strategy, on/off) and token helpers.

Used by the integration tests, the demo and `docs/outreach.md`'s runbook. The token is an admin API
token (``*:*.<secret>``, e.g. created at start-up with ``INIT_ADMIN_API_TOKENS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from crmhub.exceptions import CrmHubError


class UnleashAdminError(CrmHubError):
    """The Unleash admin API refused a request; names the endpoint and the answer."""


@dataclass
class UnleashAdmin:
    """``base_url`` is the server root (``http://127.0.0.1:4242``), without ``/api``."""

    base_url: str
    admin_token: str = field(repr=False)
    project: str = "default"
    environment: str = "development"
    timeout: float = 10.0

    def _url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"

    def _request(self, method: str, path: str, json: dict | None = None, ok: tuple[int, ...] = (200, 201)) -> dict:
        resp = requests.request(method, self._url(path), json=json, timeout=self.timeout,
                                headers={"Authorization": self.admin_token, "Content-Type": "application/json"})
        if resp.status_code not in ok:
            raise UnleashAdminError(f"{method} {path} -> HTTP {resp.status_code}: {resp.text[:300]}")
        try:
            return resp.json()
        except ValueError:
            return {}

    def _feature(self, name: str) -> str:
        return f"/api/admin/projects/{self.project}/features/{name}"

    def create_flag(self, name: str, *, flag_type: str = "release", description: str = "") -> bool:
        """Create the flag; False if it already existed (HTTP 409)."""
        resp = requests.post(self._url(f"/api/admin/projects/{self.project}/features"), timeout=self.timeout,
                             json={"name": name, "type": flag_type, "description": description},
                             headers={"Authorization": self.admin_token})
        if resp.status_code == 409:
            return False
        if resp.status_code not in (200, 201):
            raise UnleashAdminError(f"create flag {name} -> HTTP {resp.status_code}: {resp.text[:300]}")
        return True

    def add_rollout(self, name: str, rollout: int, *, stickiness: str = "userId") -> str:
        """Add a flexibleRollout strategy at ``rollout`` % (sticky on ``stickiness``); returns the strategy id."""
        body = self._rollout_body(name, rollout, stickiness)
        return self._request("POST", f"{self._feature(name)}/environments/{self.environment}/strategies", body)["id"]

    def set_rollout(self, name: str, strategy_id: str, rollout: int, *, stickiness: str = "userId") -> None:
        """Change an existing flexibleRollout strategy's percentage."""
        self._request("PUT", f"{self._feature(name)}/environments/{self.environment}/strategies/{strategy_id}",
                      self._rollout_body(name, rollout, stickiness))

    def strategies(self, name: str) -> list[dict]:
        return self._request("GET", f"{self._feature(name)}/environments/{self.environment}/strategies") or []

    def enable(self, name: str) -> None:
        self._request("POST", f"{self._feature(name)}/environments/{self.environment}/on")

    def disable(self, name: str) -> None:
        self._request("POST", f"{self._feature(name)}/environments/{self.environment}/off")

    def ensure_rollout(self, name: str, rollout: int, *, enabled: bool = True) -> str:
        """Idempotent: flag exists, has exactly one flexibleRollout at ``rollout`` %, and is on/off."""
        self.create_flag(name)
        existing = [s for s in self.strategies(name) if s.get("name") == "flexibleRollout"]
        if existing:
            strategy_id = existing[0]["id"]
            self.set_rollout(name, strategy_id, rollout)
        else:
            strategy_id = self.add_rollout(name, rollout)
        (self.enable if enabled else self.disable)(name)
        return strategy_id

    def client_features(self, backend_token: str) -> dict:
        """What SDKs receive (``/api/client/features``) — the shape of a bootstrap file."""
        resp = requests.get(self._url("/api/client/features"), headers={"Authorization": backend_token},
                            timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()

    @staticmethod
    def _rollout_body(name: str, rollout: int, stickiness: str) -> dict:
        if not 0 <= int(rollout) <= 100:
            raise ValueError(f"rollout must be 0..100, got {rollout}")
        return {"name": "flexibleRollout",
                "parameters": {"rollout": str(int(rollout)), "stickiness": stickiness, "groupId": name}}
