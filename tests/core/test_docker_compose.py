"""No Docker engine runs here, so check the compose file's structure instead of starting it."""

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}


def test_has_airflow_components_and_crmhub_services(compose):
    services = compose["services"]
    assert set(AIRFLOW_SERVICES) | {"airflow-init", "postgres", "warehouse", "unleash", "unleash-db", "mailcatcher",
                                    "crm-sandbox"} <= set(services)
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["command"] == command
        assert "healthcheck" in services[name]
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_depends_on_only_known_services(compose):
    services = compose["services"]
    for name, svc in services.items():
        for dep in svc.get("depends_on", {}):
            assert dep in services, f"{name} depends on unknown {dep}"


def test_project_mounted_and_connections_valid(compose):
    api = compose["services"]["airflow-apiserver"]
    mounts = {v.split(":")[0] for v in api["volumes"]}
    assert {"./dags", "./plugins", "./config", "./include"} <= mounts
    env = api["environment"]
    for key in ("AIRFLOW_CONN_CRMHUB_WAREHOUSE", "AIRFLOW_CONN_CRMHUB_CRM", "AIRFLOW_CONN_CRMHUB_SMTP",
                "AIRFLOW_CONN_CRMHUB_UNLEASH"):
        assert "conn_type" in json.loads(env[key])
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")


def test_image_installs_the_lock(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "apache/airflow:3.3.2" in dockerfile
    assert "pip install --no-cache-dir -r /opt/crmhub/requirements.txt" in dockerfile
    lock = (ROOT / "requirements.txt").read_text()
    assert "apache-airflow==3.3.2" in lock


def test_celery_executor_with_worker_flower_and_redis(compose):
    services = compose["services"]
    env = services["airflow-worker"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor" and env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert services["airflow-worker"]["command"] == "celery worker" and "healthcheck" in services["airflow-worker"]
    assert services["flower"]["command"] == "celery flower" and services["flower"]["profiles"] == ["flower"]
    assert all(p.startswith("127.0.0.1:") for p in services["flower"]["ports"])
    assert services["airflow-scheduler"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "airflow pools import" in "\n".join(services["airflow-init"]["command"])
