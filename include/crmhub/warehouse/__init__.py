"""The Postgres warehouse: connection, embedded fallback, migrations."""

from crmhub.warehouse.connection import connect, open_warehouse
from crmhub.warehouse.migrate import applied_versions, upgrade

__all__ = ["connect", "open_warehouse", "upgrade", "applied_versions"]
