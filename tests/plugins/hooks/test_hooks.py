"""crmhub's hooks read their connection like the providers' hooks do: extras (SSL, timeouts) pass through."""

from __future__ import annotations

import email
import json
import ssl
from pathlib import Path

import certifi
import httpx
import psycopg
import pytest

pytest.importorskip("airflow")
from airflow.sdk import Connection  # noqa: E402

from crmhub_provider.hooks.crmhub import (  # noqa: E402
    CrmHubWarehouseHook,
    connection_url,
    source_access,
    unleash_access,
)
from crmhub_provider.hooks.http import CrmHubAlertWebhookHook, CrmHubCrmHook, CrmHubUnleashHook  # noqa: E402
from crmhub_provider.hooks.smtp import CrmHubSmtpHook  # noqa: E402

pytestmark = pytest.mark.airflow


def _conn(**kw) -> Connection:
    return Connection(conn_id="x", **kw)


def _one_ca_file(tmp_path):
    """A CA bundle holding one CA certificate (the first of certifi's), so it is told apart from the default."""
    text = Path(certifi.where()).read_text()
    end = "-----END CERTIFICATE-----"
    first = text[text.index("-----BEGIN CERTIFICATE-----"):text.index(end) + len(end)]
    path = tmp_path / "ca.pem"
    path.write_text(first + "\n")
    return path


def _ssl_context(client: httpx.Client) -> ssl.SSLContext:
    return client._transport._pool._ssl_context


def _ca_subjects(client: httpx.Client) -> list:
    return [c["subject"] for c in _ssl_context(client).get_ca_certs()]


def _pem_subjects(path) -> list:
    ctx = ssl.create_default_context(cafile=str(path))
    return [c["subject"] for c in ctx.get_ca_certs()]


def _crm_connection_with_ca(monkeypatch, tmp_path):
    """``crmhub_crm`` with the extra ``{"timeout": 3, "verify": <a one-CA bundle>}``; returns the bundle's path."""
    ca = _one_ca_file(tmp_path)
    monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_CRM", json.dumps({
        "conn_type": "http", "host": "https://crm.example/", "password": "tok",
        "extra": {"timeout": 3, "verify": str(ca)}}))
    return ca


def _a_crm_sync() -> str:
    from crmhub.reverse_etl.definitions import load_syncs

    return next(s.name for s in load_syncs().values() if s.destination_kind == "crm")


class TestConnectionUrl:
    def test_libpq_extras_become_url_parameters(self):
        conn = _conn(conn_type="postgres", host="db.internal", port=5432, login="app", password="p@ss w",
                     schema="crmhub", extra=json.dumps({"sslmode": "verify-full", "sslrootcert": "/etc/ca.pem",
                                                        "connect_timeout": 7, "cursor": "dictcursor"}))
        url = connection_url(conn)
        assert url.startswith("postgresql://app:p%40ss%20w@db.internal:5432/crmhub?")
        assert "sslmode=verify-full" in url and "sslrootcert=/etc/ca.pem" in url and "connect_timeout=7" in url
        assert "cursor" not in url  # PostgresHook's own option, not libpq's

    def test_socket_host_keeps_extras(self):
        url = connection_url(_conn(conn_type="postgres", host="/tmp/pg", schema="db",
                                   extra=json.dumps({"application_name": "crmhub"})))
        assert url == "postgresql:///db?host=/tmp/pg&application_name=crmhub"

    def test_connect_timeout_reaches_psycopg(self, db, monkeypatch):
        info = psycopg.conninfo.conninfo_to_dict(db)
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_WAREHOUSE", json.dumps({
            "conn_type": "postgres", "host": info.get("host", "127.0.0.1"), "port": int(info.get("port", 5432)),
            "login": info.get("user", "postgres"), "schema": info["dbname"],
            "extra": {"connect_timeout": 3, "application_name": "crmhub-hook-test"}}))
        hook = CrmHubWarehouseHook()
        assert hook.test_connection() == (True, "Connection successfully tested")
        with psycopg.connect(hook.warehouse_url()) as conn:
            assert conn.info.get_parameters()["application_name"] == "crmhub-hook-test"
            assert conn.info.dsn.count("connect_timeout=3") == 1

    def test_unreachable_warehouse_fails_the_test_button_without_raising(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_WAREHOUSE", json.dumps({
            "conn_type": "postgres", "host": "127.0.0.1", "port": 1, "schema": "x", "extra": {"connect_timeout": 2}}))
        ok, message = CrmHubWarehouseHook().test_connection()
        assert not ok and message


class TestCrmHook:
    def test_base_url_token_timeout_and_verify_from_the_connection(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_CRM", json.dumps({
            "conn_type": "http", "host": "crm.example", "port": 8443, "schema": "https", "password": "tok",
            "extra": {"timeout": 12, "verify": "/etc/crm-ca.pem"}}))
        hook = CrmHubCrmHook()
        assert hook.api_base_url() == "https://crm.example:8443"
        assert hook.token() == "tok" and hook.timeout == 12.0 and hook.verify == "/etc/crm-ca.pem"

    def test_source_access_of_a_rest_connector(self, monkeypatch):
        from crmhub.config import load_integration_map

        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_CRM", json.dumps({
            "conn_type": "http", "host": "https://crm.example/", "password": "tok"}))
        access = source_access(load_integration_map().connector("crm_contacts"))
        assert access.base_url == "https://crm.example" and access.token == "tok"

    def test_timeout_and_ca_bundle_reach_the_ingest_http_client(self, monkeypatch, tmp_path):
        from crmhub.config import load_integration_map
        from crmhub.ingest.sources.rest_changes import RestIdsSource
        from crmhub.ingest.tasks import rest_sources

        ca = _crm_connection_with_ca(monkeypatch, tmp_path)
        imap = load_integration_map()
        access = source_access(imap.connector("crm_contacts"))
        assert access.timeout == 3.0 and access.verify == str(ca)
        sources = rest_sources(imap.connector("crm_contacts"), access, since="2026-01-01T00:00:00Z")
        assert sources  # pages (+ archived records when the connector has a delete marker)
        # CDC's webhook read and backfill chunks build their sources from the same options
        sources.append(RestIdsSource.for_connector(imap.connector("crm_contacts"), access.base_url, ids=["1"],
                                                   **access.rest_options()))
        for source in sources:
            with source.open_client() as client:
                assert client.timeout == httpx.Timeout(3.0)
                assert _ca_subjects(client) == _pem_subjects(ca)  # only our CA, not the system bundle

    def test_verify_false_reaches_the_ingest_http_client(self, monkeypatch):
        from crmhub.config import load_integration_map
        from crmhub.ingest.tasks import rest_sources

        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_CRM", json.dumps({
            "conn_type": "http", "host": "https://crm.example/", "extra": {"verify": False}}))
        connector = load_integration_map().connector("crm_contacts")
        (source,) = rest_sources(connector, source_access(connector))
        with source.open_client() as client:
            assert _ssl_context(client).verify_mode == ssl.CERT_NONE
            assert client.timeout == httpx.Timeout(30.0)  # no timeout in the connection: the source's default

    def test_timeout_and_ca_bundle_reach_the_reverse_etl_client(self, monkeypatch, tmp_path):
        from crmhub.reverse_etl.definitions import get_sync
        from crmhub.reverse_etl.engine import build_crm_client

        ca = _crm_connection_with_ca(monkeypatch, tmp_path)
        hook = CrmHubCrmHook()
        sync = get_sync(_a_crm_sync())
        client = build_crm_client(sync, hook.api_base_url(), hook.token(), timeout=hook.timeout, verify=hook.verify)
        try:
            assert client._http.timeout == httpx.Timeout(3.0)
            assert _ca_subjects(client._http) == _pem_subjects(ca)
        finally:
            client.close()
        client = build_crm_client(sync, "https://crm.example", None)  # no connection extras: the sync's own timeout
        try:
            assert client._http.timeout == httpx.Timeout(sync.timeout_s)
            assert _ssl_context(client._http).verify_mode == ssl.CERT_REQUIRED
        finally:
            client.close()

    def test_test_connection_reports_the_status(self, monkeypatch, webhook_server):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_CRM", json.dumps({
            "conn_type": "http", "host": "127.0.0.1", "port": webhook_server.server_port, "schema": "http"}))
        ok, message = CrmHubCrmHook().test_connection()  # the sink answers GET with 501
        assert not ok and message.startswith("HTTP ")


class TestSmtpSettings:
    def test_use_ssl_and_ca_file_come_from_the_extras(self, monkeypatch):
        from crmhub_provider.hooks.crmhub import smtp_settings

        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_SMTP", json.dumps({
            "conn_type": "smtp", "host": "mail.firm.example", "port": 465, "login": "app", "password": "pw",
            "extra": {"from_email": "ir@firm.example", "use_ssl": True, "ca_file": "/etc/mail-ca.pem"}}))
        settings = smtp_settings()
        assert settings.use_ssl and not settings.starttls and settings.ca_file == "/etc/mail-ca.pem"
        assert settings.port == 465 and settings.username == "app"

    def test_defaults_stay_plain_and_system_cas(self, monkeypatch):
        from crmhub_provider.hooks.crmhub import smtp_settings

        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_SMTP", json.dumps({"conn_type": "smtp", "host": "relay"}))
        settings = smtp_settings()
        assert not settings.use_ssl and not settings.starttls and settings.ca_file is None


class TestAlertWebhookHook:
    def test_post_sends_json_to_the_endpoint_with_extra_headers(self, monkeypatch, webhook_server):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_ALERT_WEBHOOK", json.dumps({
            "conn_type": "http", "host": "127.0.0.1", "port": webhook_server.server_port, "schema": "http",
            "extra": {"endpoint": "/hooks/x", "timeout": 5, "X-Team": "dataeng"}}))
        assert CrmHubAlertWebhookHook().post({"text": "hello"}) == 200
        (got,) = webhook_server.received
        assert got["path"] == "/hooks/x" and got["json"] == {"text": "hello"}
        assert got["headers"]["X-Team"] == "dataeng" and "endpoint" not in {k.lower() for k in got["headers"]}


class TestSmtpHook:
    def test_plain_relay_by_default_and_recipients_from_extra(self, monkeypatch, smtp_sink):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_SMTP", json.dumps({
            "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_sink.port,
            "extra": {"from_email": "alerts@firm.example", "to": "a@firm.example, b@firm.example", "timeout": 5}}))
        hook = CrmHubSmtpHook()
        assert not hook.use_ssl and not hook.smtp_starttls and hook.timeout == 5
        msg = email.message.EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = hook.from_email, "a@firm.example", "s"
        msg.set_content("body")
        hook.send_message(msg)
        assert hook.recipients(["owner@firm.example"]) == ["a@firm.example", "b@firm.example"]
        assert smtp_sink.messages[0]["from"] == "alerts@firm.example"

    def test_crmhub_keys_win_over_the_providers(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_SMTP", json.dumps({
            "conn_type": "smtp", "host": "mail", "extra": {"use_ssl": True, "disable_ssl": True, "starttls": False}}))
        hook = CrmHubSmtpHook()
        assert hook.use_ssl and not hook.smtp_starttls
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_SMTP", json.dumps({
            "conn_type": "smtp", "host": "mail", "extra": {"disable_ssl": True, "disable_tls": False}}))
        hook = CrmHubSmtpHook()
        assert not hook.use_ssl and hook.smtp_starttls


class TestUnleashHook:
    def test_server_token_and_environment_from_the_connection(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_UNLEASH", json.dumps({
            "conn_type": "http", "host": "flags.internal", "port": 4242, "schema": "https",
            "password": "*:production.secret", "extra": {"environment": "production"}}))
        access = unleash_access()
        assert (access.url, access.token, access.environment, access.bootstrap) == (
            "https://flags.internal:4242/api", "*:production.secret", "production", None)
        assert "secret" not in repr(access)

    def test_no_connection_means_the_offline_bootstrap(self, monkeypatch, tmp_path):
        monkeypatch.delenv("AIRFLOW_CONN_CRMHUB_UNLEASH", raising=False)
        monkeypatch.setenv("CRMHUB_UNLEASH_BOOTSTRAP", str(tmp_path / "flags.json"))
        access = CrmHubUnleashHook().access()
        assert access.url is None and access.bootstrap == tmp_path / "flags.json"

    def test_test_connection_reports_the_status(self, monkeypatch, webhook_server):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_UNLEASH", json.dumps({
            "conn_type": "http", "host": "127.0.0.1", "port": webhook_server.server_port, "schema": "http"}))
        ok, message = CrmHubUnleashHook().test_connection()  # the sink answers GET with 501
        assert not ok and message.startswith("HTTP ")


def test_crm_hook_reads_a_hand_typed_false_verify_as_false(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_CRM", json.dumps({
        "conn_type": "http", "host": "https://crm.example/", "password": "tok", "extra": {"verify": "false"}}))
    assert CrmHubCrmHook().verify is False
