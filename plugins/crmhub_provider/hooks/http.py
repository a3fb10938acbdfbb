"""Hooks for crmhub's HTTP systems on the HTTP provider's ``HttpHook``: the CRM (HubSpot v3 API), the alert webhook,
Unleash (outreach feature flags)."""

from __future__ import annotations

from functools import cached_property

from airflow.providers.http.hooks.http import HttpHook

from crmhub.hubspot.connection import tls_verify


def _answers_200(hook: HttpHook, endpoint: str, **run_kwargs) -> tuple[bool, str]:
    """``test_connection`` of a GET hook: one request to ``endpoint``; ok on HTTP 200. Reports, never raises
    (it feeds the UI's "Test" button)."""
    try:
        resp = hook.run(endpoint, extra_options={"check_response": False}, **run_kwargs)
    except Exception as exc:
        return False, str(exc)
    return resp.status_code == 200, f"HTTP {resp.status_code}"


class CrmHubCrmHook(HttpHook):
    """The CRM's API (HubSpot CRM v3 wire format), on the HTTP provider's hook.

    Base URL as :class:`~airflow.providers.http.hooks.http.HttpHook` builds it (``schema``/``host``/``port``, or a
    full URL in ``host``), bearer token from ``password``. ``extra`` is read as the HTTP provider reads it:
    ``timeout`` (seconds) and ``verify`` (False, or a CA bundle path) apply to :meth:`test_connection` and are
    exposed as :attr:`timeout` / :attr:`verify` for the core's clients.

    :param crm_conn_id: Airflow connection id of the CRM (default ``crmhub_crm``), type ``http``.
    """

    conn_name_attr = "crm_conn_id"
    default_conn_name = "crmhub_crm"
    conn_type = "http"
    hook_name = "crmhub CRM (HubSpot v3)"

    def __init__(self, crm_conn_id: str = default_conn_name, **kwargs) -> None:
        super().__init__(method="GET", http_conn_id=crm_conn_id, **kwargs)
        self.crm_conn_id = crm_conn_id

    @cached_property
    def _conn(self):
        return self.get_connection(self.crm_conn_id)

    def api_base_url(self) -> str:
        """``https://host[:port]`` of the API (no trailing slash)."""
        self._set_base_url(self._conn)
        return self.base_url.rstrip("/")

    def token(self) -> str | None:
        return self._conn.password or None

    @property
    def timeout(self) -> float | None:
        value = (self._conn.extra_dejson or {}).get("timeout")
        return float(value) if value is not None else None

    @property
    def verify(self) -> bool | str:
        extra = self._conn.extra_dejson or {}
        return tls_verify(extra.get("verify", extra.get("verify_ssl", True)))  # "false" typed by hand is False

    def test_connection(self) -> tuple[bool, str]:
        return _answers_200(self, "/crm/v3/objects/contacts", data={"limit": 1},
                            headers={"Authorization": f"Bearer {self.token()}"} if self.token() else None)


class CrmHubAlertWebhookHook(HttpHook):
    """A Slack-compatible alert webhook, on the HTTP provider's hook: :meth:`post` makes one JSON POST.

    Connection (type ``http``): ``schema``/``host``/``port`` or a full URL in ``host``; ``extra.endpoint`` is the
    path; ``timeout``, ``verify``, ``proxies``, ``cert`` pass through as the HTTP provider reads them; any other
    extra key is a request header (the provider's rule), e.g. an ``Authorization`` token.

    :param webhook_conn_id: Airflow connection id (default ``crmhub_alert_webhook``).
    """

    conn_name_attr = "webhook_conn_id"
    default_conn_name = "crmhub_alert_webhook"
    conn_type = "http"
    hook_name = "crmhub alert webhook"

    def __init__(self, webhook_conn_id: str = default_conn_name, **kwargs) -> None:
        super().__init__(method="POST", http_conn_id=webhook_conn_id, **kwargs)
        self.webhook_conn_id = webhook_conn_id

    def get_conn(self, headers: dict | None = None, extra_options: dict | None = None):
        session = super().get_conn(headers=headers, extra_options=extra_options)
        session.headers.pop("endpoint", None)  # our key in extra, not a header
        return session

    def post(self, payload: dict) -> int:
        """POST ``payload``; returns the HTTP status (raises on 4xx/5xx, as ``HttpHook.run`` does)."""
        endpoint = (self.get_connection(self.webhook_conn_id).extra_dejson or {}).get("endpoint", "")
        return self.run(endpoint, json=payload).status_code

    def test_connection(self) -> tuple[bool, str]:
        try:
            self.get_conn()
        except Exception as exc:
            return False, str(exc)
        return True, f"webhook at {self.base_url} configured (nothing sent)"


class CrmHubUnleashHook(HttpHook):
    """The Unleash server that gates outreach, on the HTTP provider's hook.

    Base URL as :class:`~airflow.providers.http.hooks.http.HttpHook` builds it (``schema``/``host``/``port``);
    the backend token in ``password``; ``extra.environment`` (default ``development``). When the connection
    does not exist, :meth:`access` returns the offline bootstrap (``$CRMHUB_UNLEASH_BOOTSTRAP``, or none):
    flags fail closed, so no connection means no mail.

    :param unleash_conn_id: Airflow connection id of Unleash (default ``crmhub_unleash``), type ``http``.
    """

    conn_name_attr = "unleash_conn_id"
    default_conn_name = "crmhub_unleash"
    conn_type = "http"
    hook_name = "crmhub Unleash (feature flags)"

    def __init__(self, unleash_conn_id: str = default_conn_name, **kwargs) -> None:
        super().__init__(method="GET", http_conn_id=unleash_conn_id, **kwargs)
        self.unleash_conn_id = unleash_conn_id

    def access(self):
        """:class:`crmhub.outreach.tasks.UnleashAccess` for the core's flag gate."""
        import os
        from pathlib import Path

        from crmhub.outreach.tasks import UnleashAccess

        try:
            conn = self.get_connection(self.unleash_conn_id)
        except Exception:  # not configured: offline bootstrap (fails closed for unknown flags)
            bootstrap = os.environ.get("CRMHUB_UNLEASH_BOOTSTRAP")
            return UnleashAccess(bootstrap=Path(bootstrap) if bootstrap else None)
        self._set_base_url(conn)
        return UnleashAccess(url=self.base_url.rstrip("/") + "/api", token=conn.password or None,
                             environment=(conn.extra_dejson or {}).get("environment", "development"))

    def test_connection(self) -> tuple[bool, str]:
        return _answers_200(self, "/health")
