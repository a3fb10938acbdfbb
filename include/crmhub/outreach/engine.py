"""The outreach engine: trigger events -> guarded decisions -> outbox -> SMTP, one automation at a time.

A run of one automation:

1. **Health gate** — ``health_check()`` below ``min_health`` (default 70) blocks the run (nothing decided).
2. **Pause switch** — a paused automation (or ``'*'``) does nothing.
3. **Trigger events** — ``core.change_log`` rows of the trigger field, younger than ``max_event_age``,
   with no final decision for this automation yet; the condition (becomes / changed_to / increased ...)
   is checked per row.
4. **Bulk-import guard** — events from a load in ``ops.bulk_loads`` or from a load that changed the
   trigger field on more than ``bulk_threshold`` contacts are suppressed; an ``ops.outreach_alerts`` row
   is written and ``on_incident(conn, connector, trigger, values)`` is called (once per automation/load).
5. **Recipient checks** — contact exists, matches the audience filter, has an address, is not on an
   identity hold (``core.contact.confidence < 60`` or an unreleased ``ops.identity_holds`` row; that
   table exists) and not on ``ops.suppression_list``; one message per contact per run.
6. **Unleash flag** — ``userId`` = the contact's relationship owner; anything but "on" is off.
7. **Blast-radius cap** — at most ``cap.limit(audience size)`` messages per run. Beyond it: with
   ``on_exceed: approval`` nothing is sent and the run returns ``needs_approval`` with the pending count;
   with ``on_exceed: pause`` the cap is sent, the automation is paused and the owner paged (``on_page``).
   Deferred events stay undecided and are picked up by the next run after resume/approval.
8. **Outbox + send** — rows written with their idempotency key, then sent in batches of ``batch_size``;
   before **each** batch the pause switch is read again, and each message's flag, suppression and
   identity hold are re-checked, so a pause or a flag change takes effect within one batch.

Every decision is a row in ``ops.outreach_decisions`` (event, automation, contact, flag, variant,
enabled, decision, reason).
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from crmhub.outreach import outbox
from crmhub.outreach.flags import FlagGate, flag_context
from crmhub.outreach.masking import mask_email
from crmhub.outreach.rules import Automation
from crmhub.outreach.smtp import OutgoingMessage, SmtpSettings, send_batch
from crmhub.outreach.state import pause, pause_state

log = logging.getLogger(__name__)

HOLD_CONFIDENCE = 60
IncidentCallback = Callable[[psycopg.Connection, str, str, dict], Any]
PageCallback = Callable[[dict, str, str, dict], Any]


def _default_incident(conn: psycopg.Connection, connector: str, trigger: str, values: dict) -> None:
    """Open (or count a repeat of) the incident in ``ops.incidents``; the health cycle pages its owner."""
    from crmhub.health.incidents import open_incident

    open_incident(conn, connector, trigger, values, severity="critical")


def _default_page(owner: dict, automation: str, reason: str, detail: dict) -> None:
    log.warning("PAGE %s (%s): automation %s: %s %s", owner.get("name"), owner.get("email"), automation, reason, detail)


@dataclass
class RunResult:
    """What a run did (or, for a dry run, would do)."""

    automation: str
    run_id: int | None
    outcome: str
    dry_run: bool = False
    events: int = 0
    reasons: Counter = field(default_factory=Counter)
    audience_size: int = 0
    cap: int = 0
    eligible: int = 0
    queued: int = 0
    sent: int = 0
    cancelled: int = 0
    failed: int = 0
    pending: int = 0          # deferred by the cap / approval, or left in the outbox by a pause
    batches: int = 0
    would_send: list[dict] = field(default_factory=list)   # dry run: contact_id, masked recipient, subject
    sent_contacts: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "automation": self.automation, "run_id": self.run_id, "outcome": self.outcome, "dry_run": self.dry_run,
            "events": self.events, "audience_size": self.audience_size, "cap": self.cap, "eligible": self.eligible,
            "queued": self.queued, "sent": self.sent, "cancelled": self.cancelled, "failed": self.failed,
            "pending": self.pending, "batches": self.batches, "reasons": dict(self.reasons),
        }


@dataclass
class _Decision:
    change_id: int
    contact_id: str | None
    decision: str
    reason: str
    flag: str | None = None
    variant: str | None = None
    enabled: bool | None = None
    final: bool = True


def _reason_key(d: _Decision) -> str:
    """Counter key: decision and reason without run-specific numbers (``flag_off`` keeps its cause)."""
    head, _, rest = d.reason.partition(":")
    if head in ("flag_off", "flag_off_at_send"):
        return f"{d.decision}: {head}:{rest}"
    return f"{d.decision}: {head}"


class OutreachEngine:
    """Runs automations against one warehouse.

    :param url: warehouse URL (psycopg 3).
    :param automations: from :func:`crmhub.outreach.rules.load_automations`.
    :param people: ``IntegrationMap.people`` (owner lookups for templates, Reply-To and paging).
    :param gate: the :class:`FlagGate` (created in this process by the caller).
    :param smtp: SMTP settings; required unless every run is a dry run.
    :param health_check: returns the current integration health score (0-100); runs are blocked below ``min_health``.
    :param on_incident: ``(conn, connector, trigger, values)``, same signature as ``ops.incidents``' ``open_incident``.
    :param on_page: ``(owner_person, automation, reason, detail)``; pages the automation's owner.
    :param on_batch: ``(result, batch_number)`` after every send batch (observability hook).
    """

    def __init__(
        self,
        url: str,
        automations: dict[str, Automation],
        people: dict[str, dict],
        gate: FlagGate,
        smtp: SmtpSettings | None = None,
        *,
        health_check: Callable[[], float] | None = None,
        min_health: float = 70.0,
        on_incident: IncidentCallback | None = None,
        on_page: PageCallback | None = None,
        on_batch: Callable[[RunResult, int], Any] | None = None,
        worker_id: str | None = None,
    ):
        self.url = url
        self.automations = automations
        self.people = people
        self.gate = gate
        self.smtp = smtp
        self.health_check = health_check
        self.min_health = min_health
        self.on_incident = on_incident or _default_incident
        self.on_page = on_page or _default_page
        self.on_batch = on_batch
        self.worker_id = worker_id or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"

    # -- public API -----------------------------------------------------------------------------------
    def run_all(self, *, dry_run: bool = False) -> list[RunResult]:
        return [self.run(name, dry_run=dry_run) for name in self.automations]

    def run(self, name: str, *, dry_run: bool = False, approved_count: int | None = None) -> RunResult:
        """Run one automation. ``approved_count``: a human approved sending this many beyond the cap."""
        auto = self.automations[name]
        if not dry_run and self.smtp is None:
            raise ValueError("SMTP settings are required for a real run (use dry_run=True to preview)")
        with psycopg.connect(self.url) as conn:
            run_id = conn.execute(
                "INSERT INTO ops.outreach_runs (automation, dry_run) VALUES (%s, %s) RETURNING run_id", (name, dry_run)
            ).fetchone()[0]
            conn.commit()
            result = RunResult(automation=name, run_id=run_id, outcome="running", dry_run=dry_run)
            locked = dry_run or conn.execute(
                "SELECT pg_try_advisory_lock(hashtext('crmhub.outreach'), hashtext(%s))", (name,)).fetchone()[0]
            try:
                if locked:
                    self._run(conn, auto, result, approved_count)
                else:
                    result.outcome = "already_running"
            except BaseException:
                result.outcome = "error"
                raise
            finally:
                if locked and not dry_run:
                    conn.rollback()
                    conn.execute("SELECT pg_advisory_unlock(hashtext('crmhub.outreach'), hashtext(%s))", (name,))
                conn.rollback()
                conn.execute(
                    "UPDATE ops.outreach_runs SET finished_at = now(), outcome = %s, detail = %s WHERE run_id = %s",
                    (result.outcome, Jsonb(result.summary()), run_id),
                )
                conn.commit()
        log.info("outreach run %s: %s", name, result.summary())
        return result

    # -- the run --------------------------------------------------------------------------------------
    def _run(self, conn: psycopg.Connection, auto: Automation, result: RunResult, approved_count: int | None) -> None:
        if self.health_check is not None:
            score = float(self.health_check())
            if score < self.min_health:
                result.outcome = "blocked_health"
                result.reasons[f"health {score:.0f} < {self.min_health:.0f}"] += 1
                return
        if pause_state(conn, auto.name).paused:
            result.outcome = "paused"
            return

        decisions: list[_Decision] = []
        events = self._candidate_events(conn, auto)
        result.events = len(events)
        matching = []
        for ev in events:
            if auto.trigger.matches(ev["old_value"], ev["new_value"]):
                matching.append(ev)
            else:
                decisions.append(_Decision(ev["change_id"], None, "skipped", "condition_not_met"))

        bulk = self._bulk_loads(conn, auto, {ev["load_id"] for ev in matching if ev["load_id"]})
        targets: list[tuple[dict, str]] = []  # (event, contact_id)
        for ev in matching:
            if ev["load_id"] in bulk:
                decisions.append(_Decision(ev["change_id"], None, "suppressed", f"bulk_import: {bulk[ev['load_id']]['why']}"))
                continue
            contacts = self._contacts_for_event(conn, auto, ev)
            if not contacts:
                decisions.append(_Decision(ev["change_id"], None, "skipped", "no_contact"))
            targets.extend((ev, c) for c in contacts)
        if bulk and not result.dry_run:
            self._raise_bulk_alerts(conn, auto, bulk)

        info = self._contact_info(conn, auto, sorted({c for _, c in targets}))
        eligible: list[tuple] = []  # (event, contact, flag context, FlagDecision)
        seen: set[str] = set()
        for ev, cid in targets:
            c = info.get(cid)
            reason = None
            if c is None:
                reason = ("skipped", "contact_missing")
            elif c["deleted_at"] is not None:
                reason = ("skipped", "contact_deleted")
            elif not c["in_audience"]:
                reason = ("skipped", "not_in_audience")
            elif c["held"]:
                reason = ("suppressed", "identity_hold")
            elif not c["email"]:
                reason = ("skipped", "no_email")
            elif c["suppressed"]:
                reason = ("suppressed", "suppression_list")
            elif cid in seen:
                reason = ("skipped", "duplicate_in_run")
            if reason:
                decisions.append(_Decision(ev["change_id"], cid, *reason))
                continue
            ctx = flag_context(c["owner"], cid, c["entity_type"], c["fund"])
            answer = self.gate.decide(auto.flag, ctx)
            if not answer.enabled:
                decisions.append(_Decision(ev["change_id"], cid, "skipped", f"flag_off: {answer.reason}", auto.flag,
                                           answer.variant, False))
                continue
            seen.add(cid)
            eligible.append((ev, c, ctx, answer))
        result.eligible = len(eligible)

        result.audience_size = self._audience_size(conn, auto)
        result.cap = auto.cap.limit(result.audience_size)
        to_send, deferred, reason = eligible, [], ""
        approved = approved_count is not None and len(eligible) <= approved_count
        if len(eligible) > result.cap and not approved:
            if auto.cap.on_exceed == "approval" and not result.dry_run:
                to_send, deferred = [], eligible
            else:
                to_send, deferred = eligible[: result.cap], eligible[result.cap:]
            reason = "needs_approval" if auto.cap.on_exceed == "approval" else "cap_exceeded"
            for ev, c, _ctx, answer in deferred:
                decisions.append(_Decision(ev["change_id"], c["crmhub_id"], "deferred",
                                           f"{reason}: {len(eligible)} eligible > cap {result.cap}",
                                           auto.flag, answer.variant, True, final=False))
            result.pending = len(deferred)

        if result.dry_run:
            for ev, c, _ctx, answer in to_send:
                subject, _html, _text = auto.render(self._template_context(auto, c, ev))
                result.would_send.append({"contact_id": c["crmhub_id"], "recipient": mask_email(c["email"]),
                                          "owner": c["owner"], "subject": subject, "change_id": ev["change_id"]})
                decisions.append(_Decision(ev["change_id"], c["crmhub_id"], "queued", "would_send (dry run)",
                                           auto.flag, answer.variant, True))
            self._log_decisions(conn, auto, result, decisions)
            conn.commit()
            result.queued = len(to_send)
            result.outcome = "dry_run"
            return

        if deferred and reason == "needs_approval":
            self._log_decisions(conn, auto, result, decisions)
            self._alert(conn, auto, "needs_approval", None, {"pending": len(deferred), "cap": result.cap,
                                                             "audience": result.audience_size, "run_id": result.run_id})
            conn.commit()
            result.outcome = "needs_approval"
            return

        new_messages = []
        for ev, c, ctx, _answer in to_send:
            subject, html, text = auto.render(self._template_context(auto, c, ev))
            new_messages.append(outbox.NewMessage(
                run_id=result.run_id, automation=auto.name, contact_id=c["crmhub_id"], change_id=ev["change_id"],
                owner=c["owner"], flag=auto.flag, flag_context=ctx, recipient=c["email"], subject=subject,
                body_text=text, body_html=html))
        inserted = outbox.enqueue(conn, new_messages)
        for (ev, c, _ctx, answer), msg in zip(to_send, new_messages, strict=True):
            if inserted.get(msg.key) is None:
                decisions.append(_Decision(ev["change_id"], c["crmhub_id"], "skipped", "duplicate_idempotency_key",
                                           auto.flag, answer.variant, True))
            else:
                decisions.append(_Decision(ev["change_id"], c["crmhub_id"], "queued", "flag_on", auto.flag,
                                           answer.variant, True))
        result.queued = sum(1 for v in inserted.values() if v is not None)
        self._log_decisions(conn, auto, result, decisions)
        conn.commit()

        if deferred:  # on_exceed: pause
            detail = {"eligible": len(eligible), "cap": result.cap, "audience": result.audience_size,
                      "deferred": len(deferred), "run_id": result.run_id}
            pause(conn, auto.name, by="crmhub:cap", reason=f"cap exceeded: {len(eligible)} eligible > cap {result.cap}")
            self._alert(conn, auto, "cap_exceeded", None, detail)
            conn.commit()
            self._page(auto, "blast-radius cap exceeded; automation paused", detail)
            # The cap's worth still goes out: the pause set above is the automation's own, so the sender
            # honours it only for messages beyond this run's allowance.
        self._send_pending(conn, auto, result, capped=bool(deferred))

    # -- sending --------------------------------------------------------------------------------------
    def _send_pending(self, conn: psycopg.Connection, auto: Automation, result: RunResult, *, capped: bool) -> None:
        batch_no = 0
        allowance = result.queued if capped else None
        while True:
            state = pause_state(conn, auto.name)
            conn.commit()
            if state.paused and not (capped and state.paused_by == "crmhub:cap"):
                result.outcome = "paused"
                break
            size = auto.batch_size if allowance is None else min(auto.batch_size, allowance)
            if size <= 0:
                result.outcome = "capped"
                break
            batch = outbox.claim_batch(conn, auto.name, size, self.worker_id)
            if not batch:
                result.outcome = "capped" if capped else ("sent" if result.sent else "nothing_to_do")
                break
            if allowance is not None:
                allowance -= len(batch)
            batch_no += 1
            self._send_batch(conn, auto, result, batch)
            result.batches = batch_no
            if self.on_batch is not None:
                self.on_batch(result, batch_no)
        result.pending += conn.execute(
            "SELECT count(*) FROM ops.outbox WHERE automation = %s AND status = 'pending'", (auto.name,)
        ).fetchone()[0]
        conn.commit()

    def _send_batch(self, conn: psycopg.Connection, auto: Automation, result: RunResult, batch: list[dict]) -> None:
        ids = [row["outbox_id"] for row in batch]
        blocked = self._recheck(conn, [row["contact_id"] for row in batch])
        cancel: dict[str, list[int]] = {}
        decisions: list[_Decision] = []
        ready: list[dict] = []
        for row in batch:
            why = blocked.get(row["contact_id"])
            if why is None:
                answer = self.gate.decide(row["flag"], row["flag_context"])
                if not answer.enabled:
                    why = f"flag_off_at_send: {answer.reason}"
            if why:
                cancel.setdefault(why, []).append(row["outbox_id"])
                decisions.append(_Decision(row["change_id"], row["contact_id"], "cancelled", why, row["flag"],
                                           None, None if why.startswith(("identity", "suppression")) else False))
            else:
                ready.append(row)
        for why, rows in cancel.items():
            outbox.mark(conn, rows, "cancelled", why)
            result.cancelled += len(rows)
        if decisions:
            self._log_decisions(conn, auto, result, decisions)
        conn.commit()

        reply_to = self.people.get(auto.owner, {}).get("email")
        messages = [
            OutgoingMessage(outbox_id=r["outbox_id"], recipient=r["recipient"], subject=r["subject"],
                            body_text=r["body_text"], body_html=r["body_html"], message_id=r["message_id"],
                            idempotency_key=r["idempotency_key"],
                            reply_to=self.people.get(r["owner"], {}).get("email") or reply_to)
            for r in ready
        ]
        outcomes = send_batch(self.smtp, messages) if messages else {}
        sent = [i for i, err in outcomes.items() if err is None]
        refused = {i: err for i, err in outcomes.items() if err and err.startswith("refused")}
        retry = [i for i, err in outcomes.items() if err and err.startswith(("connect", "not attempted"))]
        unknown = {i: err for i, err in outcomes.items() if err and err.startswith("unknown")}
        outbox.mark(conn, sent, "sent")
        for i, err in refused.items():
            outbox.mark(conn, [i], "failed", err)
        for i, err in unknown.items():
            outbox.mark(conn, [i], "unknown", err)
        outbox.release(conn, retry, "SMTP unavailable; will retry")
        conn.commit()
        result.sent += len(sent)
        result.failed += len(refused) + len(unknown)
        by_id = {r["outbox_id"]: r for r in batch}
        result.sent_contacts.extend(by_id[i]["contact_id"] for i in sent)
        log.info("outreach %s batch: %d sent, %d cancelled, %d failed, %d to retry (of %d claimed)",
                 auto.name, len(sent), sum(map(len, cancel.values())), len(refused) + len(unknown), len(retry), len(ids))
        if retry:
            raise ConnectionError(f"SMTP server unavailable: {outcomes[retry[0]]}")

    # -- queries --------------------------------------------------------------------------------------
    def _candidate_events(self, conn: psycopg.Connection, auto: Automation) -> list[dict]:
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
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def _bulk_loads(self, conn: psycopg.Connection, auto: Automation, load_ids: set[str]) -> dict[str, dict]:
        """``{load_id: {why, connector, contacts}}`` for the loads among ``load_ids`` that are bulk imports."""
        if not load_ids:
            return {}
        out: dict[str, dict] = {}
        ids = sorted(load_ids)
        for load_id, reason in conn.execute(
            "SELECT load_id, reason FROM ops.bulk_loads WHERE load_id = ANY(%s)", (ids,)
        ):
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

    def _raise_bulk_alerts(self, conn: psycopg.Connection, auto: Automation, bulk: dict[str, dict]) -> None:
        for load_id, info in bulk.items():
            values = {"automation": auto.name, "load_id": load_id, "records": info.get("records"),
                      "bulk_threshold": auto.bulk_threshold, "trigger": auto.trigger.describe(), "why": info["why"]}
            new = self._alert(conn, auto, "bulk_import", load_id, values)
            conn.commit()
            if new:
                log.warning("outreach %s: bulk import suppressed: %s", auto.name, info["why"])
                self.on_incident(conn, info.get("connector") or "unknown", "outreach_bulk_import", values)

    def _alert(self, conn: psycopg.Connection, auto: Automation, kind: str, load_id: str | None, detail: dict) -> bool:
        cur = conn.execute(
            "INSERT INTO ops.outreach_alerts (automation, kind, load_id, detail) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING RETURNING alert_id",
            (auto.name, kind, load_id, Jsonb(detail)),
        )
        return cur.fetchone() is not None

    def _page(self, auto: Automation, reason: str, detail: dict) -> None:
        owner = dict(self.people.get(auto.owner, {"id": auto.owner, "name": auto.owner}))
        try:
            self.on_page(owner, auto.name, reason, detail)
        except Exception:  # noqa: BLE001 - paging must not undo the pause
            log.exception("paging %s failed", auto.owner)

    def _contacts_for_event(self, conn: psycopg.Connection, auto: Automation, ev: dict) -> list[str]:
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

    def _hold_sql(self, conn: psycopg.Connection) -> sql.Composable:
        """Identity-hold predicate over ``c``: confidence < 60 or an unreleased ``ops.identity_holds`` row."""
        return sql.SQL("(c.confidence < {} OR EXISTS (SELECT 1 FROM ops.identity_holds h "
                       "WHERE h.crmhub_id = c.crmhub_id AND h.released_at IS NULL))").format(sql.Literal(HOLD_CONFIDENCE))

    def _contact_info(self, conn: psycopg.Connection, auto: Automation, contact_ids: list[str]) -> dict[str, dict]:
        if not contact_ids:
            return {}
        where, params = auto.audience_sql()
        query = sql.SQL(
            """SELECT c.crmhub_id::text AS crmhub_id, c.email, c.first_name, c.last_name, c.title, c.owner,
                      c.deleted_at, e.entity_type, e.name AS entity_name,
                      ({audience}) AS in_audience, {hold} AS held,
                      EXISTS (SELECT 1 FROM ops.suppression_list s WHERE s.email = lower(trim(c.email))) AS suppressed,
                      (SELECT f.name FROM core.commitment cm JOIN core.fund f ON f.crmhub_id = cm.fund_id
                       WHERE cm.contact_id = c.crmhub_id AND cm.deleted_at IS NULL
                       ORDER BY cm.updated_at DESC LIMIT 1) AS fund
               FROM core.contact c LEFT JOIN core.entity e ON e.crmhub_id = c.entity_id
               WHERE c.crmhub_id = ANY(%s::uuid[])"""
        ).format(audience=where, hold=self._hold_sql(conn))
        cur = conn.execute(query, [*params, contact_ids])
        cols = [c.name for c in cur.description]
        return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}

    def _audience_size(self, conn: psycopg.Connection, auto: Automation) -> int:
        where, params = auto.audience_sql()
        query = sql.SQL(
            """SELECT count(*) FROM core.contact c LEFT JOIN core.entity e ON e.crmhub_id = c.entity_id
               WHERE c.deleted_at IS NULL AND c.email IS NOT NULL AND ({})"""
        ).format(where)
        return conn.execute(query, params).fetchone()[0]

    def _recheck(self, conn: psycopg.Connection, contact_ids: list[str]) -> dict[str, str]:
        """Send-time checks: identity hold and suppression list (opt-outs can arrive after queueing)."""
        query = sql.SQL(
            """SELECT c.crmhub_id::text, {hold} AS held,
                      EXISTS (SELECT 1 FROM ops.suppression_list s WHERE s.email = lower(trim(c.email))) AS suppressed,
                      c.deleted_at IS NOT NULL AS deleted
               FROM core.contact c WHERE c.crmhub_id = ANY(%s::uuid[])"""
        ).format(hold=self._hold_sql(conn))
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

    def _template_context(self, auto: Automation, c: dict, ev: dict) -> dict:
        owner = self.people.get(c["owner"]) or self.people.get(auto.owner) or {"id": c["owner"], "name": c["owner"], "email": ""}
        return {
            "contact": {"first_name": c["first_name"], "last_name": c["last_name"], "title": c["title"],
                        "crmhub_id": c["crmhub_id"]},
            "entity": {"name": c["entity_name"], "entity_type": c["entity_type"]},
            "owner": {"name": owner.get("name", c["owner"]), "email": owner.get("email", "")},
            "fund": c["fund"],
            "automation": auto.name,
            "event": {"field": auto.trigger.field, "old": ev["old_value"], "new": ev["new_value"]},
        }

    def _log_decisions(self, conn: psycopg.Connection, auto: Automation, result: RunResult,
                       decisions: list[_Decision]) -> None:
        if not decisions:
            return
        with conn.cursor().copy(
            "COPY ops.outreach_decisions (run_id, automation, change_id, contact_id, flag, variant, enabled,"
            " decision, reason, final, dry_run) FROM STDIN"
        ) as copy:
            for d in decisions:
                copy.write_row((result.run_id, auto.name, d.change_id, d.contact_id, d.flag or auto.flag, d.variant, d.enabled,
                                d.decision, d.reason, d.final and not result.dry_run, result.dry_run))
                result.reasons[_reason_key(d)] += 1
        decisions.clear()
