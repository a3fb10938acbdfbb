"""A real ``airflow api-server`` with the console plugin loaded, on a seeded warehouse (one per session).

SimpleAuthManager users, one per role: ``admin`` (admin), ``oper`` (op), ``viewer`` (viewer), ``plain`` (user).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from console_support import seed
from process_support import free_port, stop_group, wait_http_ok

from crmhub.security.provision import provision, role_url
from crmhub.warehouse import upgrade

ROOT = Path(__file__).resolve().parents[3]
USERS = {"admin": "admin", "oper": "op", "viewer": "viewer", "plain": "user"}


def password(user: str) -> str:
    return f"{user}-secret"


@dataclass
class ApiServer:
    base: str
    warehouse_url: str
    ids: dict
    log: Path

    def token(self, user: str) -> str:
        r = httpx.post(f"{self.base}/auth/token", json={"username": user, "password": password(user)}, timeout=30)
        r.raise_for_status()
        return r.json()["access_token"]

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30, follow_redirects=False)


def airflow_env(home: Path, warehouse_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CRMHUB_WAREHOUSE"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (home / "passwords.json").write_text(json.dumps({u: password(u) for u in USERS}))
    (home / "dags").mkdir(exist_ok=True)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in USERS.items()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "console-test-jwt-secret",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "CRMHUB_WAREHOUSE_URL": warehouse_url,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
    })
    return env


@pytest.fixture(scope="session")
def console_warehouse(make_database, imap, roles) -> tuple[str, dict]:
    """Upgraded and provisioned; the console (and the seeding) log in as the app role, as deployed."""
    admin = make_database()
    upgrade(admin)
    provision(admin, imap)
    url = role_url(admin, roles["app"])
    return url, seed(url, imap)


@pytest.fixture(scope="session")
def api_server(console_warehouse, tmp_path_factory) -> ApiServer:
    url, ids = console_warehouse
    home = tmp_path_factory.mktemp("airflow-console")
    env = airflow_env(home, url)
    airflow = str(Path(sys.executable).with_name("airflow"))
    migrated = subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    port = free_port()
    log = home / "api-server.log"
    with log.open("w") as fh:
        proc = subprocess.Popen([airflow, "api-server", "-H", "127.0.0.1", "-p", str(port), "-w", "1"], env=env,
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True, cwd=home)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(f"{base}/api/v2/version", proc, timeout_s=180, what="api-server", output=log.read_text,
                     interval_s=1)
        yield ApiServer(base, url, ids, log)
    finally:
        stop_group(proc)
