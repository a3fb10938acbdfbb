"""The core package must import and work without Airflow (DEVELOPERS.md: include/crmhub has no Airflow import)."""

from pathlib import Path

from import_guard import import_crmhub_without

ROOT = Path(__file__).resolve().parents[2]


def test_every_core_module_imports_without_airflow():
    proc = import_crmhub_without("airflow")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_airflow_import_statements_in_core():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "include" / "crmhub").rglob("*.py")
        if any(line.lstrip().startswith(("import airflow", "from airflow")) for line in p.read_text().splitlines())
    ]
    assert offenders == []
