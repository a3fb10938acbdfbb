"""Unleash flag gate for outreach: the official Python SDK (``UnleashClient``), failing closed.

Create a :class:`FlagGate` inside the process that evaluates flags (an Airflow task, the CLI) — never at
import or DAG-parse time: the SDK's background poller does not survive forking. Two modes:

* **online** — ``FlagGate.online(url, api_token)``: ``initialize_client()`` fetches the flags
  synchronously once, then the SDK polls every ``refresh_interval`` seconds in a background thread.
* **offline** — ``FlagGate.offline(bootstrap_path)``: flags come from a JSON file shaped like
  ``/api/client/features`` (``config/unleash_bootstrap.json``) via ``FileCache.bootstrap_from_file``
  and ``initialize_client(fetch_toggles=False)``: no network call at all.

Each gate gets its own cache directory (a fresh temporary folder unless one is given), so state never
leaks between gates through the SDK's default on-disk cache under the home directory.

Fail closed: no flag data, an unknown flag, an SDK error, or an unreachable server with nothing cached
all mean *not enabled*. If the server dies **after** a successful fetch, the SDK keeps evaluating the
last-known state (its failed polls leave the state alone) until the gate is closed; the next task
creates a new gate, which then fails closed. See docs/outreach.md.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmhub import settings

log = logging.getLogger(__name__)

DEFAULT_BOOTSTRAP = settings.REPO_ROOT / "config" / "unleash_bootstrap.json"


@dataclass(frozen=True)
class FlagDecision:
    """The answer for one flag and one context, with the reason it was reached."""

    flag: str
    enabled: bool
    variant: str | None
    reason: str  # enabled | strategy_off | unknown_flag | no_flag_data | error: ...


def flag_context(owner: str, contact_id: str, entity_type: str | None = None, fund: str | None = None) -> dict:
    """Unleash context: ``userId`` = the relationship owner; contact id, entity type and fund as properties."""
    props = {"contactId": str(contact_id)}
    if entity_type:
        props["entityType"] = str(entity_type)
    if fund:
        props["fund"] = str(fund)
    return {"userId": str(owner), "properties": props}


class FlagGate:
    """Evaluates outreach flags with one ``UnleashClient`` owned by this gate.

    Use :meth:`online` or :meth:`offline`; call :meth:`close` (or use it as a context manager) at the end.
    """

    def __init__(self, client: Any, *, mode: str, cache_dir: Path, owns_cache_dir: bool):
        self.client = client
        self.mode = mode
        self.cache_dir = cache_dir
        self._owns_cache_dir = owns_cache_dir

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def online(
        cls,
        url: str,
        api_token: str | None,
        *,
        app_name: str = "crmhub-outreach",
        environment: str = "development",
        refresh_interval: int = 15,
        request_timeout: int = 5,
        cache_directory: str | Path | None = None,
        disable_metrics: bool = True,
) -> FlagGate:
        """Connect to an Unleash server (``url`` ends in ``/api``) with a backend API token; fetch once now.

        Never raises because the server is down: the gate then fails closed (``no_flag_data``) until a
        later background poll succeeds.
        """
        from UnleashClient import UnleashClient
        from UnleashClient.utils import InstanceAllowType

        cache_dir, owns = _cache_dir(cache_directory)
        headers = {"Authorization": api_token} if api_token else {}
        client = UnleashClient(
            url=url,
            app_name=app_name,
            environment=environment,
            instance_id=f"crmhub-{uuid.uuid4().hex[:8]}",
            refresh_interval=refresh_interval,
            request_timeout=request_timeout,
            request_retries=0,
            custom_headers=headers,
            cache_directory=str(cache_dir),
            disable_metrics=disable_metrics,
            disable_registration=True,
            multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW,
            verbose_log_level=logging.DEBUG,
        )
        gate = cls(client, mode="online", cache_dir=cache_dir, owns_cache_dir=owns)
        try:
            client.initialize_client()
        except Exception as exc:  # noqa: BLE001 - an invalid URL must not send mail; fail closed
            log.warning("Unleash client could not start (%s); every outreach flag is OFF", exc)
        if not client.feature_definitions():
            log.warning("no flags from Unleash at %s; outreach flags fail closed until a poll succeeds", url)
        return gate

    @classmethod
    def offline(
        cls,
        bootstrap_path: str | Path | None = None,
        *,
        app_name: str = "crmhub-outreach",
        cache_directory: str | Path | None = None,
    ) -> FlagGate:
        """Flags from a bootstrap JSON file (``/api/client/features`` shape); makes no network call."""
        from UnleashClient import UnleashClient
        from UnleashClient.cache import FileCache
        from UnleashClient.utils import InstanceAllowType

        path = Path(bootstrap_path or DEFAULT_BOOTSTRAP)
        cache_dir, owns = _cache_dir(cache_directory)
        cache = FileCache(app_name, directory=str(cache_dir))
        if path.is_file():
            cache.bootstrap_from_file(path)
        else:
            log.warning("bootstrap file %s not found; every outreach flag is OFF", path)
        client = UnleashClient(
            url="http://127.0.0.1:9/unleash-offline",  # never contacted: fetch_toggles=False
            app_name=app_name,
            instance_id=f"crmhub-offline-{uuid.uuid4().hex[:8]}",
            disable_metrics=True,
            disable_registration=True,
            cache=cache,
            refresh_interval=3600,
            multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW,
            verbose_log_level=logging.DEBUG,
        )
        client.initialize_client(fetch_toggles=False)
        return cls(client, mode="offline", cache_dir=cache_dir, owns_cache_dir=owns)

    # -- evaluation ---------------------------------------------------------------------------------
    def known_flags(self) -> set[str]:
        try:
            return set(self.client.feature_definitions())
        except Exception:  # noqa: BLE001
            return set()

    def decide(self, flag: str, context: dict) -> FlagDecision:
        """Evaluate ``flag`` for ``context``; anything but a clear "on" is OFF, with the reason."""
        try:
            known = self.known_flags()
            if not known:
                return FlagDecision(flag, False, None, "no_flag_data")
            if flag not in known:
                return FlagDecision(flag, False, None, "unknown_flag")
            enabled = bool(self.client.is_enabled(flag, context))
            variant = None
            if enabled:
                answer = self.client.get_variant(flag, context) or {}
                name = answer.get("name")
                variant = name if name and name != "disabled" else None
            return FlagDecision(flag, enabled, variant, "enabled" if enabled else "strategy_off")
        except Exception as exc:  # noqa: BLE001 - fail closed on anything unexpected
            log.warning("flag %s could not be evaluated (%s); treated as OFF", flag, exc)
            return FlagDecision(flag, False, None, f"error: {exc}")

    def is_enabled(self, flag: str, context: dict) -> bool:
        return self.decide(flag, context).enabled

    # -- lifecycle ----------------------------------------------------------------------------------
    def close(self) -> None:
        try:
            self.client.destroy()
        finally:
            if self._owns_cache_dir:
                shutil.rmtree(self.cache_dir, ignore_errors=True)

    def __enter__(self) -> FlagGate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cache_dir(given: str | Path | None) -> tuple[Path, bool]:
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        return path, False
    return Path(tempfile.mkdtemp(prefix="crmhub-unleash-")), True
