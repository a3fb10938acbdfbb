import os
import subprocess
import sys
from pathlib import Path

import crmhub


def test_health_core_never_imports_airflow():
    code = (
        "import sys\n"
        "import crmhub.health, crmhub.health.cycle, crmhub.health.tasks, crmhub.health.alerts, crmhub.health.segments\n"
        "import crmhub.cli.health, crmhub.cli.incidents\n"
        "bad = sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    include = str(Path(crmhub.__file__).resolve().parents[1])  # this checkout's include/, not an installed copy
    env = {**os.environ, "PYTHONPATH": include}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
