"""Environment for running Airflow against crmhub's warehouse (no Airflow import: we start its CLI).

Used by ``crmhub demo`` and ``crmhub airflow``. The Airflow metadata database is, in order:
``$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` if set; else a database ``airflow`` on the embedded
PostgreSQL when the warehouse is embedded; else SQLite under ``$AIRFLOW_HOME``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from crmhub import settings


def connection_json(url: str) -> str:
    """An Airflow connection (JSON form, for ``AIRFLOW_CONN_*``) pointing at a libpq URL."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or "localhost"])[0]
    conn = {
        "conn_type": "postgres",
        "host": host,
        "login": parsed.username or "postgres",
        "password": parsed.password or "",
        "schema": parsed.path.lstrip("/") or "crmhub",
    }
    if parsed.port:
        conn["port"] = parsed.port
    return json.dumps(conn)


def sqlalchemy_url(libpq_url: str) -> str:
    """``postgresql://...`` -> ``postgresql+psycopg2://...`` (Airflow's metadata DB driver)."""
    return "postgresql+psycopg2://" + libpq_url.split("://", 1)[1]


#: Airflow logins of the local demo (SimpleAuthManager): user -> (role, password). ``steward`` may act in the
#: operations console (role ``op``), ``viewer`` may only read it.
DEMO_USERS = {"admin": ("admin", "admin"), "steward": ("op", "steward"), "viewer": ("viewer", "viewer")}


def _write_demo_passwords(path: Path) -> None:
    """Add the demo users' passwords to SimpleAuthManager's file, keeping any password already there."""
    known = json.loads(path.read_text()) if path.exists() else {}
    wanted = {user: pw for user, (_role, pw) in DEMO_USERS.items()}
    if not set(wanted) <= set(known):
        path.write_text(json.dumps({**wanted, **known}))


def airflow_env(warehouse_url: str, *, metadata_url: str | None = None, data_dir: Path | None = None) -> dict:
    """The environment an Airflow process needs to run crmhub's DAGs against ``warehouse_url``."""
    home = settings.home() / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # Airflow imports twice as fast with bytecode
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(settings.REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.REPO_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, (r, _pw) in DEMO_USERS.items()),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            "AIRFLOW_CONN_CRMHUB_WAREHOUSE": connection_json(warehouse_url),
            "CRMHUB_WAREHOUSE_URL": warehouse_url,
            "CRMHUB_DATA_DIR": str(data_dir or settings.demo_data_dir()),
            "CRMHUB_HOME": str(settings.home()),
            # `airflow dags test` exits 1 after a successful run of a DAG with deadline= (apache/airflow#73428);
            # the demo runs DAGs that way, so it turns deadlines off. The scheduler (`crmhub airflow`) keeps them.
            "CRMHUB_DISABLE_DEADLINES": env.get("CRMHUB_DISABLE_DEADLINES", "0"),
        }
    )
    _write_demo_passwords(home / "passwords.json")
    if "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in os.environ:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = (
            sqlalchemy_url(metadata_url) if metadata_url else f"sqlite:///{home / 'airflow.db'}"
        )
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env


#: The order in which data flows: the demo runs the DAGs that exist in this order.
DAG_ORDER = ("crmhub_ingest", "crmhub_cdc", "crmhub_identity", "crmhub_health", "crmhub_reconciliation",
             "crmhub_reverse_etl", "crmhub_outreach", "crmhub_backfill")


def dag_ids() -> list[str]:
    """crmhub DAG ids present in ``dags/`` (one file per DAG, named after its id), in data-flow order."""
    present = {p.stem for p in (settings.REPO_ROOT / "dags").glob("crmhub_*.py")}
    rank = {dag_id: i for i, dag_id in enumerate(DAG_ORDER)}
    return sorted(present, key=lambda d: (rank.get(d, len(rank)), d))


def write_pools_file(path: Path, imap=None) -> Path:
    """The Airflow pools crmhub's tasks use (``crmhub_critical``, ``crmhub_default``, sized by the map's
    ``airflow.pools``) as a file for ``airflow pools import``; returns ``path``."""
    from crmhub.config import CRITICAL_POOL, load_integration_map, pool_slots

    slots = pool_slots(imap or load_integration_map())
    what = {CRITICAL_POOL: "critical: true items of the integration map (run first)"}
    pools = {name: {"slots": n, "description": f"crmhub: {what.get(name, 'every other crmhub task')}",
                    "include_deferred": False} for name, n in slots.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(pools, indent=2) + "\n", encoding="utf-8")
    return path
