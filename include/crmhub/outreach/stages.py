"""The stages of one outreach run, each a function that returns what it decided.

``candidate_events`` -> ``screen`` -> ``plan_cap`` -> ``enqueue``; sending is in :mod:`crmhub.outreach.engine`.
Every stage returns its :class:`Decision` rows (one per trigger event and contact) next to the items it
passes on, so the orchestrator only logs and forwards them. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
from jinja2 import TemplateError
from psycopg import sql

from crmhub.identity.holds import held_sql
from crmhub.outreach import outbox
from crmhub.outreach.flags import FlagDecision, FlagGate, flag_context
from crmhub.outreach.rules import Automation, normalise

#: Identity-hold predicate over ``c`` (core.contact): the rule of :mod:`crmhub.identity.holds`.
HOLD_SQL = sql.SQL(held_sql("c"))
SUPPRESSED_SQL = sql.SQL("EXISTS (SELECT 1 FROM ops.suppression_list s WHERE s.email = lower(trim(c.email)))")


@dataclass
class Decision:
    """One row of ``ops.outreach_decisions``; ``final`` consumes the trigger event for the automation."""

    change_id: int
    contact_id: str | None
    decision: str
    reason: str
    flag: str | None = None
    variant: str | None = None
    enabled: bool | None = None
    final: bool = True


@dataclass
class Target:
    """A trigger event and one contact it may mail, with everything the later stages need."""

    event: dict
    contact: dict
    transition: str
    context: dict = field(default_factory=dict)
    answer: FlagDecision | None = None

    @property
    def contact_id(self) -> str:
        return self.contact["crmhub_id"]

    def decision(self, decision: str, reason: str, flag: str, *, final: bool = True) -> Decision:
        variant = self.answer.variant if self.answer else None
        enabled = self.answer.enabled if self.answer else None
        return Decision(self.event["change_id"], self.contact_id, decision, reason, flag, variant, enabled, final)


# -- 1. candidate events ---------------------------------------------------------------------------------------

@dataclass
class Candidates:
    events: list[dict]                 # every undecided trigger-field change (for the run's count)
    matching: list[dict]               # those whose old -> new values meet the condition, with their episode
    decisions: list[Decision]


def candidate_events(conn: psycopg.Connection, auto: Automation) -> Candidates:
    """Undecided ``core.field_changes`` rows (per-field view of ``core.change_log``) of the trigger field within
    ``max_event_age``; the condition checked.

    Each matching event gets ``episode``: the change that last set the field to another value before it
    (0 when none). Two loads that wrote the same change share the episode, so they share a transition.
    """
    cur = conn.execute(
        """SELECT cl.change_id, cl.crmhub_id::text AS crmhub_id, cl.old_value, cl.new_value, cl.load_id,
                  cl.connector, cl.source_system, cl.changed_at
           FROM core.field_changes cl
           WHERE cl.core_table = %s AND cl.field = %s AND cl.changed_at >= now() - %s
             AND NOT EXISTS (SELECT 1 FROM ops.outreach_decisions d
                             WHERE d.automation = %s AND d.change_id = cl.change_id AND d.final AND NOT d.dry_run)
           ORDER BY cl.change_id""",
        (auto.trigger.core_table, auto.trigger.field, timedelta(seconds=auto.max_event_age_s), auto.name),
    )
    cols = [c.name for c in cur.description]
    events = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    matching, decisions = [], []
    for ev in events:
        if auto.trigger.matches(ev["old_value"], ev["new_value"]):
            matching.append(ev)
        else:
            decisions.append(Decision(ev["change_id"], None, "skipped", "condition_not_met"))
    _add_episodes(conn, auto, matching)
    return Candidates(events, matching, decisions)


def _add_episodes(conn: psycopg.Connection, auto: Automation, events: list[dict]) -> None:
    if not events:
        return
    history: dict[str, list[tuple[int, str | None]]] = {}
    for record, change_id, new_value in conn.execute(
        """SELECT crmhub_id::text, change_id, new_value FROM core.field_changes
           WHERE core_table = %s AND field = %s AND crmhub_id = ANY(%s::uuid[]) ORDER BY change_id""",
        (auto.trigger.core_table, auto.trigger.field, sorted({ev["crmhub_id"] for ev in events})),
    ):
        history.setdefault(record, []).append((change_id, normalise(new_value)))
    for ev in events:
        value = normalise(ev["new_value"])
        ev["episode"] = max((cid for cid, v in history.get(ev["crmhub_id"], ()) if cid < ev["change_id"] and v != value),
                            default=0)


def transition_key(auto: Automation, contact_id: str, ev: dict) -> str:
    """``automation:contact:table:record:field=value@episode`` - unique in ``ops.outbox``."""
    trigger = auto.trigger
    return (f"{auto.name}:{contact_id}:{trigger.core_table}:{ev['crmhub_id']}:"
            f"{trigger.field}={normalise(ev['new_value'])}@{ev['episode']}")


# -- 2. screen ---------------------------------------------------------------------------------------------

@dataclass
class Screened:
    eligible: list[Target]
    decisions: list[Decision]
    bulk: dict[str, dict]              # load_id -> why, for the bulk-import alerts


def screen(conn: psycopg.Connection, auto: Automation, events: list[dict], gate: FlagGate,
           *, control_emails: frozenset[str] | None = None) -> Screened:
    """Bulk-import guard, recipient checks, one mail per transition and per contact, then the flag.

    ``control_emails`` (control mode): only these addresses may be mailed and the rollout flag is not
    asked; everyone else is skipped with ``control_mode``.
    """
    decisions: list[Decision] = []
    bulk = bulk_loads(conn, auto, {ev["load_id"] for ev in events if ev["load_id"]})
    pairs: list[tuple[dict, str]] = []
    for ev in events:
        if ev["load_id"] in bulk:
            decisions.append(Decision(ev["change_id"], None, "suppressed", f"bulk_import: {bulk[ev['load_id']]['why']}"))
            continue
        contacts = contacts_for_event(conn, auto, ev)
        if not contacts:
            decisions.append(Decision(ev["change_id"], None, "skipped", "no_contact"))
        pairs.extend((ev, c) for c in contacts)

    info = contact_info(conn, auto, sorted({c for _, c in pairs}))
    keys = {transition_key(auto, cid, ev) for ev, cid in pairs}
    already = {r[0] for r in conn.execute(
        "SELECT transition_key FROM ops.outbox WHERE transition_key = ANY(%s)", (sorted(keys),))}
    eligible: list[Target] = []
    seen: set[str] = set()
    for ev, cid in pairs:
        key = transition_key(auto, cid, ev)
        c = info.get(cid)
        reason = _recipient_problem(c, cid, key in already, cid in seen)
        if reason is None and control_emails is not None and (c["email"] or "").strip().lower() not in control_emails:
            reason = ("skipped", "control_mode: not on the control list")
        if reason:
            decisions.append(Decision(ev["change_id"], cid, *reason))
            continue
        target = Target(ev, c, key, flag_context(c["owner"], cid, c["entity_type"], c["fund"]))
        if control_emails is None:
            target.answer = gate.decide(auto.flag, target.context)
            if not target.answer.enabled:
                decisions.append(target.decision("skipped", f"flag_off: {target.answer.reason}", auto.flag))
                continue
        seen.add(cid)
        already.add(key)
        eligible.append(target)
    return Screened(eligible, decisions, bulk)


def _recipient_problem(c: dict | None, cid: str, sent_before: bool, seen: bool) -> tuple[str, str] | None:
    if c is None:
        return "skipped", "contact_missing"
    if c["deleted_at"] is not None:
        return "skipped", "contact_deleted"
    if not c["in_audience"]:
        return "skipped", "not_in_audience"
    if c["held"]:
        return "suppressed", "identity_hold"
    if not c["email"]:
        return "skipped", "no_email"
    if c["suppressed"]:
        return "suppressed", "suppression_list"
    if sent_before:
        return "skipped", "duplicate_transition"
    if seen:
        return "skipped", "duplicate_in_run"
    return None


def correction_targets(conn: psycopg.Connection, auto: Automation, correction_id: int) -> Screened:
    """The candidate + screen stages of a correction: exactly the misfire's messages, each once.

    The recipient is the misfire's own address; only the suppression list (an opt-out since) and an
    earlier send of this correction stop one. Each target carries ``misfire`` for the template.
    """
    rows = conn.execute(
        """SELECT o.outbox_id, o.change_id, o.contact_id::text, o.recipient, o.owner, o.subject,
                  coalesce(o.sent_at, o.claimed_at) AS sent_at, o.flag_context
           FROM ops.outreach_correction_items i JOIN ops.outreach_corrections k USING (correction_id)
           JOIN ops.outbox o ON o.outbox_id = i.outbox_id
           WHERE i.correction_id = %s AND k.automation = %s ORDER BY o.outbox_id""",
        (correction_id, auto.name),
    ).fetchall()
    if not rows:
        raise ValueError(f"correction {correction_id} of automation {auto.name!r} does not exist (or is empty)")
    info = contact_info(conn, auto, sorted({r[2] for r in rows}))
    keys = {f"correction:{correction_id}:{r[0]}" for r in rows}
    already = {r[0] for r in conn.execute(
        "SELECT transition_key FROM ops.outbox WHERE transition_key = ANY(%s)", (sorted(keys),))}
    suppressed = {r[0] for r in conn.execute(
        "SELECT email FROM ops.suppression_list WHERE email = ANY(%s)", ([r[3].strip().lower() for r in rows],))}
    eligible, decisions = [], []
    for outbox_id, change_id, contact_id, recipient, owner, subject, sent_at, context in rows:
        key = f"correction:{correction_id}:{outbox_id}"
        if recipient.strip().lower() in suppressed:
            decisions.append(Decision(change_id, contact_id, "suppressed", "suppression_list"))
            continue
        if key in already:
            decisions.append(Decision(change_id, contact_id, "skipped", "duplicate_transition"))
            continue
        contact = dict(info.get(contact_id) or {"crmhub_id": contact_id, "first_name": None, "last_name": None,
                                                "title": None, "entity_name": None, "entity_type": None, "fund": None})
        contact.update(email=recipient, owner=owner)
        event = {"change_id": change_id, "crmhub_id": contact_id, "old_value": None, "new_value": None,
                 "misfire": {"subject": subject, "sent_on": f"{sent_at:%d %B %Y}" if sent_at else "recently"}}
        eligible.append(Target(event, contact, key, context or {}))
    return Screened(eligible, decisions, {})


# -- 3. cap and budget ---------------------------------------------------------------------------------------

@dataclass
class CapPlan:
    to_send: list[Target]
    deferred: list[Target]
    audience_size: int
    cap: int
    budget_left: int
    reason: str                        # "" | cap_exceeded | budget_exceeded | needs_approval
    decisions: list[Decision]

    @property
    def limit(self) -> int:
        return min(self.cap, self.budget_left)

    @property
    def needs_approval(self) -> bool:
        return self.reason == "needs_approval"


def plan_cap(conn: psycopg.Connection, auto: Automation, eligible: list[Target], *, approved_count: int | None,
             dry_run: bool, control_size: int | None = None) -> CapPlan:
    """At most ``min(cap, budget left)`` messages; beyond it ``on_exceed`` decides (approval: none, pause: the limit).

    The cap is per run (``Cap.limit(audience)``); the budget counts the automation's messages over its
    window across runs, so a bulk change split into small loads is caught too. ``approved_count`` >= the
    number eligible lifts both (a human approved them). In control mode (``control_size`` = the control
    list's length) the per-run cap is the control list itself: it is the blast radius.
    """
    audience = audience_size(conn, auto)
    cap = auto.cap.limit(audience) if control_size is None else control_size
    plan = CapPlan(eligible, [], audience, cap,
                   auto.budget.remaining(sent_in_window(conn, auto)), "", [])
    approved = approved_count is not None and len(eligible) <= approved_count
    if len(eligible) <= plan.limit or approved:
        return plan
    over_cap = len(eligible) > plan.cap
    if auto.cap.on_exceed == "approval":
        plan.reason = "needs_approval"
        plan.to_send, plan.deferred = ([], eligible) if not dry_run else (eligible[: plan.limit], eligible[plan.limit:])
    else:
        plan.reason = "cap_exceeded" if over_cap else "budget_exceeded"
        plan.to_send, plan.deferred = eligible[: plan.limit], eligible[plan.limit:]
    what = f"cap {plan.cap}" if over_cap else f"budget left {plan.budget_left} of {auto.budget.max_sends}"
    plan.decisions = [t.decision("deferred", f"{plan.reason}: {len(eligible)} eligible > {what}", auto.flag, final=False)
                      for t in plan.deferred]
    return plan


# -- 4. enqueue ------------------------------------------------------------------------------------------------

@dataclass
class Enqueued:
    queued: int
    decisions: list[Decision]


def enqueue(conn: psycopg.Connection, auto: Automation, run_id: int, targets: list[Target],
            render: Callable[[Target], tuple[str, str, str]], *, mode: str = "rollout") -> Enqueued:
    """Render and write the outbox rows; a transition or key the outbox already holds is a duplicate.

    A message that cannot be rendered (a template error for this contact's data) is skipped with
    ``render_error`` and the others are queued: one bad contact never blocks the automation.
    """
    messages, rendered, decisions = [], [], []
    for t in targets:
        try:
            subject, html, text = render(t)
        except TemplateError as exc:
            decisions.append(t.decision("skipped", f"render_error: {type(exc).__name__}", auto.flag))
            continue
        rendered.append(t)
        messages.append(outbox.NewMessage(
            run_id=run_id, automation=auto.name, contact_id=t.contact_id, change_id=t.event["change_id"],
            owner=t.contact["owner"], flag=auto.flag, flag_context=t.context, recipient=t.contact["email"].strip(),
            subject=subject, body_text=text, body_html=html, transition_key=t.transition, mode=mode))
    inserted = outbox.enqueue(conn, messages)
    for t, msg in zip(rendered, messages, strict=True):
        if inserted.get(msg.key) is None:
            decisions.append(t.decision("skipped", "duplicate_transition", auto.flag))
        else:
            decisions.append(t.decision("queued", {"rollout": "flag_on"}.get(mode, mode), auto.flag))
    return Enqueued(sum(1 for v in inserted.values() if v is not None), decisions)


# -- queries -------------------------------------------------------------------------------------------------

def bulk_loads(conn: psycopg.Connection, auto: Automation, load_ids: set[str]) -> dict[str, dict]:
    """``{load_id: {why, connector, records}}`` for the loads among ``load_ids`` that are bulk imports."""
    if not load_ids:
        return {}
    out: dict[str, dict] = {}
    ids = sorted(load_ids)
    for load_id, reason in conn.execute("SELECT load_id, reason FROM ops.bulk_loads WHERE load_id = ANY(%s)", (ids,)):
        out[load_id] = {"why": f"load {load_id} flagged bulk ({reason})", "reason": reason}
    for load_id, n, connector, source in conn.execute(
        """SELECT load_id, count(DISTINCT crmhub_id), max(connector), max(source_system) FROM core.field_changes
           WHERE core_table = %s AND field = %s AND load_id = ANY(%s) GROUP BY load_id""",
        (auto.trigger.core_table, auto.trigger.field, ids),
    ):
        if load_id not in out and n > auto.bulk_threshold:
            out[load_id] = {"why": f"load {load_id} changed {auto.trigger.field} on {n} records "
                                   f"(> bulk_threshold {auto.bulk_threshold})"}
        if load_id in out:
            out[load_id].update(records=n, connector=connector or source)
    return out


def contacts_for_event(conn: psycopg.Connection, auto: Automation, ev: dict) -> list[str]:
    table = auto.trigger.core_table
    if table == "contact":
        return [ev["crmhub_id"]]
    if table == "commitment":
        row = conn.execute("SELECT contact_id::text FROM core.commitment WHERE crmhub_id = %s",
                           (ev["crmhub_id"],)).fetchone()
        return [row[0]] if row and row[0] else []
    if table == "deal":  # every contact of the deal's company
        return [r[0] for r in conn.execute(
            """SELECT c.crmhub_id::text FROM core.deal d JOIN core.contact c ON c.entity_id = d.company_id
               WHERE d.crmhub_id = %s AND c.deleted_at IS NULL ORDER BY c.crmhub_id""", (ev["crmhub_id"],))]
    return []


def contact_info(conn: psycopg.Connection, auto: Automation, contact_ids: list[str]) -> dict[str, dict]:
    if not contact_ids:
        return {}
    where, params = auto.audience_sql()
    query = sql.SQL(
        """SELECT c.crmhub_id::text AS crmhub_id, c.email, c.first_name, c.last_name, c.title, c.owner,
                  c.deleted_at, e.entity_type, e.name AS entity_name,
                  ({audience}) AS in_audience, {hold} AS held, {suppressed} AS suppressed,
                  (SELECT f.name FROM core.commitment cm JOIN core.fund f ON f.crmhub_id = cm.fund_id
                   WHERE cm.contact_id = c.crmhub_id AND cm.deleted_at IS NULL
                   ORDER BY cm.updated_at DESC LIMIT 1) AS fund
           FROM core.contact c LEFT JOIN core.entity e ON e.crmhub_id = c.entity_id
           WHERE c.crmhub_id = ANY(%s::uuid[])"""
    ).format(audience=where, hold=HOLD_SQL, suppressed=SUPPRESSED_SQL)
    cur = conn.execute(query, [*params, contact_ids])
    cols = [c.name for c in cur.description]
    return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def audience_size(conn: psycopg.Connection, auto: Automation) -> int:
    """Live contacts with an address matching the audience filter (the base of ``max_percent``)."""
    where, params = auto.audience_sql()
    query = sql.SQL(
        """SELECT count(*) FROM core.contact c LEFT JOIN core.entity e ON e.crmhub_id = c.entity_id
           WHERE c.deleted_at IS NULL AND c.email IS NOT NULL AND ({})"""
    ).format(where)
    return conn.execute(query, params).fetchone()[0]


def sent_in_window(conn: psycopg.Connection, auto: Automation) -> int:
    """The automation's messages (any status but cancelled) written within its budget window."""
    return conn.execute(
        "SELECT count(*) FROM ops.outbox WHERE automation = %s AND created_at >= now() - make_interval(secs => %s)"
        " AND status <> 'cancelled'",
        (auto.name, auto.budget.window_s),
    ).fetchone()[0]


def recheck(conn: psycopg.Connection, contact_ids: list[str]) -> dict[str, str]:
    """Send-time checks: identity hold, suppression list, deletion (opt-outs can arrive after queueing)."""
    query = sql.SQL(
        """SELECT c.crmhub_id::text, {hold} AS held, {suppressed} AS suppressed, c.deleted_at IS NOT NULL AS deleted
           FROM core.contact c WHERE c.crmhub_id = ANY(%s::uuid[])"""
    ).format(hold=HOLD_SQL, suppressed=SUPPRESSED_SQL)
    out: dict[str, str] = {}
    found = set()
    for cid, held, suppressed, deleted in conn.execute(query, (contact_ids,)):
        found.add(cid)
        if held:
            out[cid] = "identity_hold_at_send"
        elif suppressed:
            out[cid] = "suppression_list_at_send"
        elif deleted:
            out[cid] = "contact_deleted_at_send"
    for cid in contact_ids:
        if cid not in found:
            out[cid] = "contact_missing_at_send"
    return out


def template_context(auto: Automation, people: dict[str, dict], t: Target) -> dict[str, Any]:
    c, ev = t.contact, t.event
    owner = people.get(c["owner"]) or people.get(auto.owner) or {"id": c["owner"], "name": c["owner"], "email": ""}
    return {
        "contact": {"first_name": c["first_name"], "last_name": c["last_name"], "title": c["title"],
                    "crmhub_id": c["crmhub_id"]},
        "entity": {"name": c["entity_name"], "entity_type": c["entity_type"]},
        "owner": {"name": owner.get("name", c["owner"]), "email": owner.get("email", "")},
        "fund": c["fund"],
        "automation": auto.name,
        "event": {"field": auto.trigger.field, "old": ev["old_value"], "new": ev["new_value"]},
        "misfire": ev.get("misfire") or {},
    }
