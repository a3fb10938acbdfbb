"""The CRM sandbox is its own package (``include/crm_sandbox``), a test and demo tool: crmhub's production
code never imports it (issue 15.4). Only the demo and the ``crmhub crm-sandbox`` command load it, lazily,
when they run."""

from __future__ import annotations

import ast
from pathlib import Path

from import_guard import import_crmhub_without

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "include" / "crmhub"
#: modules that may load the sandbox, inside a function, when a person runs the demo or the sandbox command
LAZY_OK = {"crmhub/demo_services.py", "crmhub/cli/crm_sandbox.py"}


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
    proc = import_crmhub_without("crm_sandbox", then="import crmhub.cli\ncrmhub.cli.build_parser()")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_sandbox_lives_outside_crmhub_and_is_installed_with_its_command():
    assert not list((CORE / "crm_sandbox").glob("*.py"))  # a stale __pycache__ of the old place is harmless
    assert (ROOT / "include" / "crm_sandbox" / "__init__.py").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'crm-sandbox = "crm_sandbox.cli:main"' in pyproject and '"crm_sandbox*"' in pyproject
