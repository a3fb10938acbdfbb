"""Where the console's data comes from: the warehouse URL and the integration map, resolved once per process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import psycopg

from crmhub.config import load_integration_map
from crmhub.warehouse import connect


@lru_cache(maxsize=1)
def warehouse_url() -> str:
    """``$CRMHUB_WAREHOUSE_URL`` (set by ``crmhub airflow``), else the ``crmhub_warehouse`` Airflow connection."""
    url = os.environ.get("CRMHUB_WAREHOUSE_URL")
    if url:
        return url
    from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

    return CrmHubWarehouseHook().warehouse_url()


@lru_cache(maxsize=1)
def integration_map():
    """The validated integration map (``$CRMHUB_INTEGRATION_MAP`` or ``config/integration_map.yaml``)."""
    return load_integration_map()


@contextmanager
def warehouse() -> Iterator[psycopg.Connection]:
    """One connection per request; commits on success (actions), rolls back on error."""
    with connect(warehouse_url()) as conn:
        yield conn
