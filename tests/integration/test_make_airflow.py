"""`make airflow` (crmhub airflow): Airflow standalone comes up on the embedded PostgreSQL and answers with login."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from process_support import free_port, stop_group

from crmhub.warehouse.embedded import stop_embedded

pytestmark = [pytest.mark.slow, pytest.mark.airflow, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def crmhub_home():
    # pgserver runs postgres as its own OS user when we are root: the folder must be traversable.
    home = Path(f"/tmp/crmhub-airflow-test-{os.getpid()}")
    home.mkdir(mode=0o755, exist_ok=True)
    yield home
    stop_embedded(home / "pg")
    subprocess.run(["rm", "-rf", str(home)], check=False)


def test_make_airflow_serves_ui_and_api(crmhub_home):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CRMHUB_WAREHOUSE"))}
    env["CRMHUB_HOME"] = str(crmhub_home)
    proc = subprocess.Popen([sys.executable, "-m", "crmhub.cli", "airflow", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        version = None
        while time.monotonic() < deadline:
            try:
                version = httpx.get(f"{base}/api/v2/version", timeout=5).json()
                break
            except (httpx.HTTPError, ValueError):
                assert proc.poll() is None, "crmhub airflow exited early"
                time.sleep(2)
        assert version is not None and version["version"].startswith("3.3")
        token = httpx.post(f"{base}/auth/token", json={"username": "admin", "password": "admin"}, timeout=10)
        assert token.status_code in (200, 201)
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert httpx.get(f"{base}/api/v2/dags", headers=headers, timeout=10).status_code == 200
        assert httpx.get(f"{base}/api/v2/dags", timeout=10).status_code in (401, 403)
        assert httpx.get(f"{base}/", timeout=10).status_code == 200
        # the operations console is mounted, answers a logged-in user and nobody else
        assert httpx.get(f"{base}/crmhub/api/health", headers=headers, timeout=30).status_code == 200
        assert httpx.get(f"{base}/crmhub/api/health", timeout=10).status_code == 401
        steward = httpx.post(f"{base}/auth/token", json={"username": "steward", "password": "steward"}, timeout=10)
        assert steward.status_code in (200, 201)
    finally:
        stop_group(proc)
