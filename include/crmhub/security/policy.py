"""The data-protection policy of the integration map's ``security`` section, as one object.

Classes: ``public`` and ``internal`` are readable by every crmhub role; ``pii_contact``, ``pii_tax`` and
``financial`` are masked for everyone and unmasked only through ``secure.unmask()`` by the roles the map
names under ``security.unmask`` (each read is logged in ``ops.access_log``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from crmhub.config import IntegrationMap, load_integration_map
from crmhub.config.integration_map import SENSITIVE_CLASSES, duration_seconds
from crmhub.exceptions import ConfigError

CLASSES = ("public", "internal", "pii_contact", "pii_tax", "financial")
ROLE_KEYS = ("owner", "loader", "app", "webhook", "reader", "finance", "steward")
#: Connector/core schemas the policy governs (grants, audit); ``secure`` holds the masked views.
DATA_SCHEMAS = ("raw", "staging", "core", "ops", "marts")


@dataclass(frozen=True)
class SecurityPolicy:
    """Role names, per-column classes of the core tables, who may unmask what, and retention."""

    roles: dict[str, str]
    unmask: dict[str, tuple[str, ...]]
    core_common: dict[str, str]
    core_tables: dict[str, dict[str, str]]
    retention: dict
    source: str = "<integration map>"
    #: NOLOGIN role of pgaudit's object audit (``pgaudit.role``): SELECT on the classified core columns only.
    audit_role: str = "crmhub_audit"

    @classmethod
    def from_map(cls, imap: IntegrationMap) -> SecurityPolicy:
        section = imap.raw.get("security")
        if not isinstance(section, dict):
            raise ConfigError(str(imap.path), [("security", "missing: roles, classes of the core tables and "
                                                            "retention live here (see docs/security.md)")])
        return cls(
            roles={k: v for k, v in section["roles"].items() if k != "audit"},
            audit_role=section["roles"].get("audit", "crmhub_audit"),
            unmask={k: tuple(v) for k, v in section["unmask"].items()},
            core_common=dict(section["core_common"]),
            core_tables={t: dict(cols) for t, cols in section["core_tables"].items()},
            retention=section["retention"],
            source=str(imap.path),
        )

    def column_class(self, table: str, column: str) -> str | None:
        """Class of ``core.<table>.<column>``; None when unclassified (which blocks deployment)."""
        cols = self.core_tables.get(table)
        if cols is None:
            return None
        return cols.get(column) or self.core_common.get(column)

    def unclassified(self, catalog: dict[str, list[str]]) -> list[tuple[str, str]]:
        """``(yaml path, problem)`` for every catalog column of a core table that has no class."""
        out = []
        for table, columns in sorted(catalog.items()):
            for column in columns:
                if self.column_class(table, column) is None:
                    out.append((f"security.core_tables.{table}.{column}",
                                f"core.{table}.{column} has no class; add `{column}: <class>` under "
                                f"security.core_tables.{table} (no class = no deployment)"))
        return out

    def unmask_roles(self, data_class: str) -> tuple[str, ...]:
        """Role names that may read ``data_class`` unmasked (empty for public/internal: never masked)."""
        return tuple(self.roles[k] for k in self.unmask.get(data_class, ()))

    @cached_property
    def unmask_grants(self) -> dict[str, tuple[str, ...]]:
        return {c: self.unmask_roles(c) for c in sorted(SENSITIVE_CLASSES)}

    def retention_seconds(self, place: str, data_class: str | None = None) -> int | None:
        """Retention of a copy kept at ``place`` (``raw``, ``staging`` or an ``ops`` key), shortened by its class."""
        limits = []
        if place in self.retention["schemas"]:
            limits.append(duration_seconds(self.retention["schemas"][place]))
        if place in self.retention["ops"]:
            limits.append(duration_seconds(self.retention["ops"][place]))
        if data_class:
            limits.append(duration_seconds(self.retention["classes"][data_class]))
        return min(limits) if limits else None


def load_policy(imap: IntegrationMap | None = None) -> SecurityPolicy:
    return SecurityPolicy.from_map(imap or load_integration_map())
