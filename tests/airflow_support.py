"""Environment for an ``airflow`` subprocess in the tests: its own home and SQLite metadata database, the
repository's plugins and core on the path, and the warehouse as the ``crmhub_warehouse`` connection."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]


def warehouse_conn_json(url: str) -> str:
    """``AIRFLOW_CONN_CRMHUB_WAREHOUSE`` for a trust-auth test database URL."""
    parsed = urlparse(url)
    return json.dumps({"conn_type": "postgres", "host": parsed.hostname, "port": parsed.port,
                       "login": parsed.username or "postgres", "schema": parsed.path.lstrip("/")})


def airflow_subprocess_env(home: Path, dags_folder: Path, warehouse_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")]),
        "AIRFLOW_CONN_CRMHUB_WAREHOUSE": warehouse_conn_json(warehouse_url),
        **extra,
    })
    return env
