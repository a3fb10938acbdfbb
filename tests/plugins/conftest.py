"""Airflow glue tests: the warehouse connection comes from AIRFLOW_CONN_CRMHUB_WAREHOUSE (no Airflow metadata DB)."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest


def conn_json(url: str) -> str:
    parsed = urlparse(url)
    return json.dumps({"conn_type": "postgres", "host": parsed.hostname, "port": parsed.port or 5432,
                       "login": parsed.username or "postgres", "schema": parsed.path.lstrip("/")})


@pytest.fixture
def warehouse_conn(db, monkeypatch):
    """AIRFLOW_CONN_CRMHUB_WAREHOUSE pointing at this test's fresh warehouse; yields its URL."""
    monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_WAREHOUSE", conn_json(db))
    return db
