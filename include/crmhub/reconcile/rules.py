"""Reconciliation rules from the integration map's ``reconciliation`` section."""

from __future__ import annotations

from dataclasses import dataclass, field

from crmhub.config.integration_map import IntegrationMap
from crmhub.exceptions import ConfigError

DEFAULT_THRESHOLD_PCT = 0.6
DEFAULT_TOP = 20


@dataclass(frozen=True)
class Side:
    """One system's view: a connector's staged rows or a core table rebuilt from ``core.change_log``."""

    connector: str | None
    core: str | None
    object: str
    fields: dict[str, str]
    require: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.connector or f"core.{self.core}"


@dataclass(frozen=True)
class Measure:
    kind: str                      # count | sum | count_by | equal
    field: str | None = None
    by: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.kind == "count":
            return "count"
        if self.kind == "sum":
            return f"sum({self.field})" + (f" by {', '.join(self.by)}" if self.by else "")
        if self.kind == "count_by":
            return f"count by {self.field}"
        return f"equal({', '.join(self.fields)})"


@dataclass(frozen=True)
class Rule:
    name: str
    owner: str
    left: Side
    right: Side
    measures: tuple[Measure, ...]
    threshold_pct: float = DEFAULT_THRESHOLD_PCT
    description: str = ""
    extra: dict = field(default_factory=dict)


def _side(raw: dict) -> Side:
    return Side(connector=raw.get("connector"), core=raw.get("core"), object=raw["object"],
                fields=dict(raw.get("fields") or {}), require=tuple(raw.get("require") or ()))


def section(imap: IntegrationMap) -> dict:
    return imap.raw.get("reconciliation") or {}


def load_rules(imap: IntegrationMap, names: list[str] | None = None) -> list[Rule]:
    """The configured rules (in map order), optionally only ``names``."""
    sec = section(imap)
    default = float(sec.get("default_threshold_pct", DEFAULT_THRESHOLD_PCT))
    rules = [
        Rule(
            name=r["name"], owner=r["owner"], left=_side(r["left"]), right=_side(r["right"]),
            measures=tuple(Measure(kind=m["kind"], field=m.get("field"), by=tuple(m.get("by") or ()),
                                   fields=tuple(m.get("fields") or ())) for m in r["measures"]),
            threshold_pct=float(r.get("threshold_pct", default)), description=r.get("description", ""),
        )
        for r in sec.get("rules") or []
    ]
    if names:
        unknown = sorted(set(names) - {r.name for r in rules})
        if unknown:
            raise ConfigError(str(imap.path), [("reconciliation.rules", f"unknown rule(s) {unknown}; known: "
                                                + ", ".join(r.name for r in rules))])
        rules = [r for r in rules if r.name in names]
    return rules


def system_of(imap: IntegrationMap, side: Side) -> str:
    """The system whose crosswalk rows (``core.external_id.system``) key this side."""
    if side.connector:
        return imap.connector(side.connector).system
    base = side.object.split(".", 1)[0]
    for conn in imap.connectors:
        if conn.object == base:
            return conn.system
    raise ConfigError(str(imap.path), [("reconciliation", f"no connector carries object {base!r}")])
