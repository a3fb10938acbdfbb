"""The CRM sandbox is its own package (``include/crm_sandbox``), a test and demo tool: crmhub's production
code never imports it (issue 15.4). Only the demo and the ``crmhub crm-sandbox`` command load it, lazily,
when they run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "include" / "crmhub"
#: modules that may load the sandbox, inside a function, when a person runs the demo or the sandbox command
LAZY_OK = {"crmhub/demo_services.py", "crmhub/cli/crm_sandbox.py"}

BLOCKER = r"""
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "crm_sandbox" or name.startswith("crm_sandbox."):
            raise ImportError(f"production code imported {name}")
sys.meta_path.insert(0, Block())
import crmhub, crmhub.cli
failed = []
for info in pkgutil.walk_packages(crmhub.__path__, "crmhub."):
    if info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
    except ImportError as exc:
        if "production code imported" in str(exc):
            failed.append(f"{info.name}: {exc}")
crmhub.cli.build_parser()
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _sandbox_imports(path: Path) -> list[tuple[int, bool]]:
    """(line, at module level?) of every import of crm_sandbox, also by name through importlib."""
    tree = ast.parse(path.read_text())
    found: list[tuple[int, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                names = [child.module or ""]
            elif isinstance(child, ast.Constant) and isinstance(child.value, str):
                names = [child.value] if child.value.split(".")[0] == "crm_sandbox" else []
            if any(n.split(".")[0] == "crm_sandbox" for n in names):
                found.append((child.lineno, top))
            visit(child, nested)

    visit(tree, True)
    return found


def test_no_production_module_imports_the_sandbox():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        rel = str(path.relative_to(ROOT / "include"))
        for line, top in _sandbox_imports(path):
            if top or rel not in LAZY_OK:
                offenders.append(f"{rel}:{line}" + (" (module level)" if top else ""))
    assert offenders == []


def test_importing_every_crmhub_module_and_the_cli_never_loads_the_sandbox():
    proc = subprocess.run([sys.executable, "-c", BLOCKER], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "include"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_sandbox_lives_outside_crmhub_and_is_installed_with_its_command():
    assert not list((CORE / "crm_sandbox").glob("*.py"))  # a stale __pycache__ of the old place is harmless
    assert (ROOT / "include" / "crm_sandbox" / "__init__.py").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'crm-sandbox = "crm_sandbox.cli:main"' in pyproject and '"crm_sandbox*"' in pyproject
