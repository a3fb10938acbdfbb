"""Airflow glue tests for health: alert receivers (the warehouse_conn fixture is in tests/plugins/conftest.py)."""

from __future__ import annotations

import pytest
from health_receivers import channels, smtp_conn_id, smtp_sink, webhook_server  # noqa: F401  (fixtures for the notifier tests)

pytest.importorskip("airflow")
