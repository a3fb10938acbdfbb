"""Automation rules from the ``automations:`` section of the integration map.

A rule says *when* (trigger: a field change in ``core.change_log`` matching a condition), *to whom*
(a declarative audience filter, turned into SQL with fixed column names and bound values — config never
carries SQL), *what* (Jinja2 subject, HTML and plain-text templates under ``config/templates/``),
*behind which Unleash flag*, and *how much at most* (per-run cap, bulk threshold).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from psycopg import sql

from crmhub.config.integration_map import IntegrationMap, duration_seconds
from crmhub.exceptions import ConfigError

#: Audience fields -> (table alias, column). The only columns a config can filter on.
AUDIENCE_FIELDS: dict[str, tuple[str, str]] = {
    "contact.country": ("c", "country"),
    "contact.city": ("c", "city"),
    "contact.title": ("c", "title"),
    "contact.owner": ("c", "owner"),
    "contact.email_verified": ("c", "email_verified"),
    "contact.interested": ("c", "interested"),
    "contact.source_system": ("c", "source_system"),
    "entity.entity_type": ("e", "entity_type"),
    "entity.country": ("e", "country"),
    "entity.name": ("e", "name"),
}

_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def normalise(value: Any) -> str | None:
    """Normalise a change-log / config value for comparison: booleans to 'true'/'false', text lower-cased."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    return text


def _number(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Trigger:
    """``core_table.field`` changes so that ``condition`` holds (one of becomes / changed_to / increased / decreased / changed)."""

    core_table: str
    field: str
    condition: dict

    def matches(self, old_value: str | None, new_value: str | None) -> bool:
        """True when a change from ``old_value`` to ``new_value`` fires the trigger.

        ``becomes: X`` — new equals X and old did not; ``changed_to: [..]`` — new is one of them and
        differs from old; ``increased``/``decreased`` — both values numeric and new >/< old (a value
        appearing from nothing is not an increase); ``changed`` — any difference.
        """
        old, new = normalise(old_value), normalise(new_value)
        cond = self.condition
        if "becomes" in cond:
            target = normalise(cond["becomes"])
            return new == target and old != target
        if "changed_to" in cond:
            targets = {normalise(v) for v in cond["changed_to"]}
            return new in targets and old != new
        if "increased" in cond or "decreased" in cond:
            a, b = _number(old_value), _number(new_value)
            if a is None or b is None:
                return False
            return b > a if "increased" in cond else b < a
        if "changed" in cond:
            return old != new
        return False

    def describe(self) -> str:
        (kind, value), = self.condition.items()
        return f"{self.core_table}.{self.field} {kind}" + ("" if value is True else f" {value}")


@dataclass(frozen=True)
class AudienceRule:
    field: str
    op: str
    value: Any = None
    values: tuple = ()

    def to_sql(self) -> tuple[sql.Composable, list]:
        alias, column = AUDIENCE_FIELDS[self.field]
        col = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(column))
        if self.op == "in":
            return sql.SQL("{} = ANY(%s)").format(col), [list(self.values)]
        if self.op == "not_in":
            return sql.SQL("({} IS NULL OR NOT ({} = ANY(%s)))").format(col, col), [list(self.values)]
        if self.op == "equals":
            return sql.SQL("{} = %s").format(col), [self.value]
        if self.op == "not_equals":  # NULL counts as "not equal"
            return sql.SQL("{} IS DISTINCT FROM %s").format(col), [self.value]
        if self.op == "is_null":
            return sql.SQL("{} IS NULL").format(col), []
        if self.op == "not_null":
            return sql.SQL("{} IS NOT NULL").format(col), []
        raise ValueError(f"unknown audience op {self.op!r}")


@dataclass(frozen=True)
class Cap:
    max_sends: int
    max_percent: float
    on_exceed: str = "pause"

    def limit(self, audience_size: int) -> int:
        """The per-run cap: the lower of the absolute cap and ``max_percent`` of the audience (floor)."""
        by_percent = int(audience_size * self.max_percent // 100)
        return max(0, min(self.max_sends, by_percent))


@dataclass(frozen=True)
class CorrectionTemplate:
    """The message the tear-down can queue to a misfire's recipients (same folder as the main templates)."""

    subject: str
    html_path: Path
    text_path: Path


@dataclass(frozen=True)
class Budget:
    """At most ``max_sends`` messages per automation over any ``window_s`` seconds, across runs and loads."""

    max_sends: int
    window_s: int = 86_400

    def remaining(self, sent_in_window: int) -> int:
        return max(0, self.max_sends - sent_in_window)


#: Without a ``budget:`` in the map: three full runs' worth per day.
DEFAULT_BUDGET_RUNS = 3


@dataclass(frozen=True)
class Automation:
    """One automation rule, validated and with its templates compiled."""

    name: str
    owner: str
    flag: str
    trigger: Trigger
    audience: tuple[AudienceRule, ...]
    subject_template: str
    html_path: Path
    text_path: Path
    cap: Cap
    bulk_threshold: int
    budget: Budget = Budget(0)
    batch_size: int = 50
    max_event_age_s: int = 7 * 86400
    description: str = ""
    correction: CorrectionTemplate | None = None
    _env: SandboxedEnvironment = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def audience_sql(self) -> tuple[sql.Composable, list]:
        """WHERE clause (over ``c`` = core.contact, ``e`` = core.entity) and its parameters; TRUE when empty."""
        parts, params = [], []
        for rule in self.audience:
            part, args = rule.to_sql()
            parts.append(part)
            params.extend(args)
        if not parts:
            return sql.SQL("TRUE"), []
        return sql.SQL(" AND ").join(parts), params

    def render(self, context: dict) -> tuple[str, str, str]:
        """(subject, html, text) for one recipient; missing variables raise (StrictUndefined)."""
        env = self._env
        subject = env.from_string(self.subject_template).render(context).strip()
        html = env.get_template(self.html_path.name).render(context)
        text = env.get_template(self.text_path.name).render(context)
        return " ".join(subject.split()), html, text

    def render_correction(self, context: dict) -> tuple[str, str, str]:
        """(subject, html, text) of the correction message; ``context`` also holds ``misfire.subject|sent_on``."""
        if self.correction is None:
            raise ConfigError(f"automation {self.name}", [("correction", "no correction template in the map")])
        env = self._env
        subject = env.from_string(self.correction.subject).render(context).strip()
        html = env.get_template(self.correction.html_path.name).render(context)
        text = env.get_template(self.correction.text_path.name).render(context)
        return " ".join(subject.split()), html, text


def _environment(template_dir: Path) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader, select_autoescape

    return SandboxedEnvironment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def load_automations(imap: IntegrationMap) -> dict[str, Automation]:
    """Build every automation of the map; raises ConfigError naming each bad template file."""
    config_dir = imap.path.parent
    problems: list[tuple[str, str]] = []
    out: dict[str, Automation] = {}
    for i, raw in enumerate(imap.raw.get("automations") or []):
        where = f"automations[{i}] ({raw['name']})"
        html_path = (config_dir / raw["template"]["html"]).resolve()
        text_path = (config_dir / raw["template"]["text"]).resolve()
        env = None
        fix = raw.get("correction")
        correction = None if not fix else CorrectionTemplate(
            fix["subject"], (config_dir / fix["html"]).resolve(), (config_dir / fix["text"]).resolve())
        paths = [("template.html", html_path), ("template.text", text_path)]
        if correction:
            paths += [("correction.html", correction.html_path), ("correction.text", correction.text_path)]
        for key, path in paths:
            if not path.is_file():
                problems.append((f"{where}.{key}", f"template file {path} does not exist"))
            elif path.parent != html_path.parent:
                problems.append((f"{where}.{key}", "every template of an automation must be in the same folder"))
        if not problems:
            env = _environment(html_path.parent)
            try:
                env.from_string(raw["template"]["subject"])
                env.get_template(html_path.name)
                env.get_template(text_path.name)
                if correction:
                    env.from_string(correction.subject)
                    env.get_template(correction.html_path.name)
                    env.get_template(correction.text_path.name)
            except TemplateError as exc:
                problems.append((f"{where}.template", f"does not compile: {exc}"))
        cap = raw["cap"]
        budget = raw.get("budget") or {"max_sends": DEFAULT_BUDGET_RUNS * cap["max_sends"], "window": "24h"}
        out[raw["name"]] = Automation(
            name=raw["name"],
            owner=raw["owner"],
            flag=raw["flag"],
            trigger=Trigger(**raw["trigger"]),
            audience=tuple(
                AudienceRule(field=a["field"], op=a["op"], value=a.get("value"), values=tuple(a.get("values") or ()))
                for a in raw.get("audience") or []
            ),
            subject_template=raw["template"]["subject"],
            html_path=html_path,
            text_path=text_path,
            cap=Cap(cap["max_sends"], float(cap["max_percent"]), cap.get("on_exceed", "pause")),
            bulk_threshold=raw["bulk_threshold"],
            budget=Budget(budget["max_sends"], duration_seconds(budget["window"])),
            batch_size=raw.get("batch_size", 50),
            max_event_age_s=duration_seconds(raw.get("max_event_age", "7d")),
            description=raw.get("description", ""),
            correction=correction,
            _env=env,
        )
    if problems:
        raise ConfigError(str(imap.path), problems)
    return out
