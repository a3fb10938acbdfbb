"""Samples people read mask every classified field and every uncontracted column; secrets never print."""

from __future__ import annotations

import pandas as pd

from crmhub.config.integration_map import FieldContract
from crmhub.contracts.masking import mask_frame
from crmhub.ingest.tasks import SourceAccess
from crmhub.outreach.smtp import SmtpSettings
from crmhub.outreach.tasks import UnleashAccess
from crmhub.warehouse.connection import redact


def test_drift_sample_masks_classified_fields_and_uncontracted_columns(fundadmin):
    frame = pd.DataFrame({"external_id": ["FA-1"], "last_name": ["Johnson"], "email": ["jane@x.com"],
                          "amount": ["25000000"], "company": ["Acme"], "ssn": ["123-45-6789"], "gone": [None]})
    masked = mask_frame(frame, fundadmin)
    got = masked.astype(object).where(masked.notna(), None).iloc[0].to_dict()
    assert got == {"external_id": "FA-1", "last_name": "***nson", "email": "j***@x.com", "amount": "***0000",
                   "company": "Acme", "ssn": "***6789", "gone": None}


def test_class_decides_sensitivity_in_one_place():
    assert FieldContract.from_dict({"name": "a", "type": "money", "null_handling": "allow", "owner": "x",
                                    "class": "financial"}).sensitive
    assert not FieldContract.from_dict({"name": "a", "type": "string", "null_handling": "allow", "owner": "x",
                                        "class": "internal"}).sensitive


def test_sensitive_flag_contradicting_the_class_is_rejected(imap):
    import copy

    from crmhub.config import validate_integration_map

    data = copy.deepcopy(imap.raw)
    data["connectors"][0]["fields"][3]["sensitive"] = False  # email is pii_contact
    del data["connectors"][0]["fields"][4]["class"]
    problems = validate_integration_map(data)
    assert any("fields[4](company)" in p and "no class" in p for p in problems)
    data["connectors"][0]["fields"][4]["class"] = "internal"
    problems = validate_integration_map(data)
    assert any("fields[3](email).sensitive" in p and "contradicts class 'pii_contact'" in p for p in problems)


def test_redaction_covers_urls_key_value_dsns_and_query_strings():
    assert redact("postgresql://u:s3cr3t@h/db") == "postgresql://u:***@h/db"
    assert redact("postgresql://u@h/db?sslmode=require&password=s3cr3t") == "postgresql://u@h/db?sslmode=require&password=***"
    assert redact("host=h password=s3cr3t user=u") == "host=h password=*** user=u"
    assert redact("host=h password='s3 cr3t' dbname=d") == "host=h password=*** dbname=d"
    assert redact("postgresql://u:p@ss@h/db") == "postgresql://u:***@h/db"


def test_no_token_or_password_in_any_repr():
    objs = [SmtpSettings(host="h", port=25, from_addr="ir@x", password="s3cr3t"), UnleashAccess(url="http://u/api", token="s3cr3t"),
            SourceAccess(base_url="http://crm", token="s3cr3t", url="postgresql://u:s3cr3t@h/db")]
    for obj in objs:
        assert "s3cr3t" not in repr(obj)


def test_the_console_principal_keeps_its_csrf_token_out_of_its_repr():
    from crmhub_console.auth import Principal

    assert "s3cr3t" not in repr(Principal("oper", True, "csrf-s3cr3t", False))


def test_compose_binds_ports_to_localhost_and_takes_secrets_from_the_environment():
    import re
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[3]
    text = (root / "docker-compose.yaml").read_text()
    compose = yaml.safe_load(text)
    for name, svc in compose["services"].items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"
    env = compose["x-airflow-common"]["environment"]
    assert env["AIRFLOW__CORE__FERNET_KEY"].startswith("${AIRFLOW__CORE__FERNET_KEY")
    for svc in ("postgres", "warehouse", "unleash-db"):
        assert compose["services"][svc]["environment"]["POSTGRES_PASSWORD"].startswith("${")
    assert '"login": "crmhub_app"' in env["AIRFLOW_CONN_CRMHUB_WAREHOUSE"]
    assert not re.search(r'"password": "[^"$]*"', text), "a literal password in docker-compose.yaml"
    assert "/opt/airflow/config/passwords.json" not in text  # generated passwords stay out of the mounted repo
    assert ".env" in (root / ".gitignore").read_text().split()
