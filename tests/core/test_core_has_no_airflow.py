"""The core package must import and work without Airflow (DEVELOPERS.md: include/crmhub has no Airflow import)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = r"""
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "airflow" or name.startswith("airflow."):
            raise ImportError(f"core imported {name}")
sys.meta_path.insert(0, Block())
import crmhub
failed = []
for info in pkgutil.walk_packages(crmhub.__path__, "crmhub."):
    if info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
    except ImportError as exc:
        if "core imported" in str(exc):
            failed.append(f"{info.name}: {exc}")
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_core_module_imports_without_airflow():
    proc = subprocess.run([sys.executable, "-c", BLOCKER], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "include"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_airflow_import_statements_in_core():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "include" / "crmhub").rglob("*.py")
        if any(line.lstrip().startswith(("import airflow", "from airflow")) for line in p.read_text().splitlines())
    ]
    assert offenders == []
