"""Airflow glue tests: the warehouse connection comes from AIRFLOW_CONN_CRMHUB_WAREHOUSE (no Airflow metadata DB)."""

from __future__ import annotations

import pytest
from airflow_support import warehouse_conn_json


@pytest.fixture
def warehouse_conn(db, monkeypatch):
    """AIRFLOW_CONN_CRMHUB_WAREHOUSE pointing at this test's fresh warehouse; yields its URL."""
    monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_WAREHOUSE", warehouse_conn_json(db))
    return db
