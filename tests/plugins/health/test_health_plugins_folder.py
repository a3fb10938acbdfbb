"""Airflow execs every .py file of the plugins folder as a top-level module named after its stem; without
plugins/.airflowignore each crmhub_provider/<role>/crmhub.py would replace the core package ``crmhub``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.airflow

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"


def test_plugins_manager_does_not_shadow_the_core_package():
    code = (
        "import sys\n"
        "from airflow._shared.plugins_manager.plugins_manager import _load_plugins_from_plugin_directory\n"
        f"plugins, errors = _load_plugins_from_plugin_directory({str(PLUGINS)!r})\n"
        "assert not errors, errors\n"
        "import crmhub\n"
        "assert hasattr(crmhub, '__path__'), f'crmhub is {crmhub.__file__}, not the core package'\n"
        "import crmhub.config, crmhub.health.cycle\n"
        "from crmhub_provider.triggers.crmhub import IntegrationHealthTrigger\n"
        "print('ok')\n"
    )
    include = str(PLUGINS.parent / "include")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([include, str(PLUGINS)])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-3000:]
