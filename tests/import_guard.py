"""Import every ``crmhub`` module in a fresh interpreter in which one package cannot be imported.

The core-has-no-Airflow and sandbox-is-not-production tests share it: a meta-path finder refuses the blocked
package, every module under ``include/crmhub`` is imported, and the modules that reached for it are listed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = r"""
import importlib, pkgutil, sys
BLOCKED = {blocked!r}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == BLOCKED or name.startswith(BLOCKED + "."):
            raise ImportError(f"{{BLOCKED}} imported by crmhub: {{name}}")
sys.meta_path.insert(0, Block())
import crmhub
failed = []
for info in pkgutil.walk_packages(crmhub.__path__, "crmhub."):
    if info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
    except ImportError as exc:
        if "imported by crmhub" in str(exc):
            failed.append(f"{{info.name}}: {{exc}}")
{then}
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def import_crmhub_without(blocked: str, *, then: str = "") -> subprocess.CompletedProcess:
    """Run the import sweep with ``blocked`` (a top-level package) refused; ``then`` is more code to run after
    the sweep with the block still on (e.g. building the CLI parser). Exit code 0 = nothing reached for it."""
    script = _SCRIPT.format(blocked=blocked, then=then)
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "include"), "PATH": "/usr/bin:/bin"})
