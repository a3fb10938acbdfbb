"""Process-wide settings read from the environment, with defaults that need nothing installed."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root when running from a checkout (include/crmhub/settings.py -> ../../..).
REPO_ROOT = Path(__file__).resolve().parents[2]


def home() -> Path:
    """Folder for local state (embedded PostgreSQL, demo data): ``$CRMHUB_HOME`` or ``<repo>/.crmhub``."""
    return Path(os.environ.get("CRMHUB_HOME") or REPO_ROOT / ".crmhub").resolve()


def warehouse_url() -> str | None:
    """``$CRMHUB_WAREHOUSE_URL`` (libpq URL) or None, meaning: use the embedded PostgreSQL."""
    return os.environ.get("CRMHUB_WAREHOUSE_URL") or None


def integration_map_path() -> Path:
    """``$CRMHUB_INTEGRATION_MAP`` or ``<repo>/config/integration_map.yaml``."""
    return Path(os.environ.get("CRMHUB_INTEGRATION_MAP") or REPO_ROOT / "config" / "integration_map.yaml")


def demo_data_dir() -> Path:
    """Where ``crmhub demo-data`` writes by default: ``$CRMHUB_DATA_DIR`` or ``<home>/demo-data``."""
    return Path(os.environ.get("CRMHUB_DATA_DIR") or home() / "demo-data")
