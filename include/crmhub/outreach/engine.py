"""The outreach engine: trigger events -> guarded decisions -> outbox -> SMTP, one automation at a time.

A run of one automation (the stages are in :mod:`crmhub.outreach.stages`):

1. **Gates** — ``health_check()`` below ``min_health`` (default 70) blocks the run; a real run without a
   health check is refused. A paused automation (or ``'*'``) does nothing.
2. **Mode** — an automation whose definition (trigger, audience, templates, flag) has not been promoted
   by a human runs in ``control`` mode: it mails only the map's control list (:mod:`crmhub.outreach.control`).
3. **Candidate events** — ``core.change_log`` rows of the trigger field, younger than ``max_event_age``,
   with no final decision for this automation yet; the condition (becomes / changed_to / increased ...)
   is checked per row and each event gets its episode (the change that last set another value).
4. **Screen** — bulk-import guard (a load in ``ops.bulk_loads`` or above ``bulk_threshold``: suppressed,
   alert + ``on_incident`` once per automation/load); recipient checks (exists, audience, identity hold,
   address, suppression list); one message per transition (also enforced by a unique key in the
   outbox) and per contact; the Unleash flag (``userId`` = relationship owner; fail closed).
5. **Cap** — at most ``min(cap.limit(audience), budget left)``; beyond it ``on_exceed: approval`` sends
   nothing (``needs_approval``) and ``pause`` sends the limit, pauses and pages the owner. A human's
   ``approved_count`` (with ``approved_by``) lifts both.
6. **Enqueue** — outbox rows with their idempotency and transition keys.
7. **Send** — in batches of ``batch_size``; before **each** batch the pause switch is read again, and each
   message's flag, suppression and identity hold are re-checked. One bad message fails alone; a sender
   error puts the rows it had not handed to SMTP back to ``pending``.

Every decision is a row in ``ops.outreach_decisions`` (event, automation, contact, flag, variant,
enabled, decision, reason); every run a row in ``ops.outreach_runs`` with its health score and approver.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from crmhub.outreach import control, outbox, stages
from crmhub.outreach.flags import FlagGate
from crmhub.outreach.masking import mask_email
from crmhub.outreach.rules import Automation
from crmhub.outreach.smtp import OutgoingMessage, SmtpSettings, send_batch
from crmhub.outreach.stages import Decision
from crmhub.outreach.state import pause, pause_state
from crmhub.safety.freeze import assert_not_frozen
from crmhub.security.access_log import record_access

log = logging.getLogger(__name__)

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
    mode: str = "rollout"
    events: int = 0
    reasons: Counter = field(default_factory=Counter)
    audience_size: int = 0
    cap: int = 0
    budget_left: int = 0
    eligible: int = 0
    queued: int = 0
    sent: int = 0
    cancelled: int = 0
    failed: int = 0
    pending: int = 0          # deferred by the cap / budget / approval, or left in the outbox by a pause
    batches: int = 0
    would_send: list[dict] = field(default_factory=list)   # dry run: contact_id, masked recipient, subject
    sent_contacts: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "automation": self.automation, "run_id": self.run_id, "outcome": self.outcome, "dry_run": self.dry_run,
            "mode": self.mode, "events": self.events, "audience_size": self.audience_size, "cap": self.cap,
            "budget_left": self.budget_left, "eligible": self.eligible, "queued": self.queued, "sent": self.sent,
            "cancelled": self.cancelled, "failed": self.failed, "pending": self.pending, "batches": self.batches,
            "reasons": dict(self.reasons),
        }


def _reason_key(d: Decision) -> str:
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
    :param health_check: returns the current integration health score (0-100); runs are blocked below
        ``min_health``. Required for a real run.
    :param control_list: addresses of the control list (internal staff, friendly LPs); the only recipients
        of an automation in control mode.
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
        control_list: Iterable[str] = (),
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
        self.control_list = frozenset(e.strip().lower() for e in control_list)
        self.on_incident = on_incident or _default_incident
        self.on_page = on_page or _default_page
        self.on_batch = on_batch
        self.worker_id = worker_id or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"

    # -- public API -----------------------------------------------------------------------------------
    def run_all(self, *, dry_run: bool = False) -> list[RunResult]:
        return [self.run(name, dry_run=dry_run) for name in self.automations]

    def run(self, name: str, *, dry_run: bool = False, approved_count: int | None = None,
            approved_by: str | None = None, correction_id: int | None = None) -> RunResult:
        """Run one automation. ``approved_count``: ``approved_by`` approved sending this many beyond the cap.

        ``correction_id``: send that queued correction (:func:`crmhub.outreach.teardown.queue_correction`)
        instead of reading trigger events; the gates, cap, budget, approval and outbox are the same.
        """
        auto = self.automations[name]
        if not dry_run and self.smtp is None:
            raise ValueError("SMTP settings are required for a real run (use dry_run=True to preview)")
        if not dry_run and self.health_check is None:
            raise ValueError("a real run needs a health_check: every send path passes the integration health gate")
        if approved_count is not None and not approved_by:
            raise ValueError("approved_count needs approved_by: who approved sending beyond the cap")
        with psycopg.connect(self.url) as conn:
            run_id = conn.execute(
                "INSERT INTO ops.outreach_runs (automation, dry_run, approved_count, approved_by, version)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING run_id",
                (name, dry_run, approved_count, approved_by, control.fingerprint(auto)),
            ).fetchone()[0]
            conn.commit()
            result = RunResult(automation=name, run_id=run_id, outcome="running", dry_run=dry_run)
            locked = dry_run or conn.execute(
                "SELECT pg_try_advisory_lock(hashtext('crmhub.outreach'), hashtext(%s))", (name,)).fetchone()[0]
            try:
                if locked:
                    self._run(conn, auto, result, approved_count, correction_id)
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

    # -- the run: a short orchestrator over the stages ----------------------------------------------------
    def _run(self, conn: psycopg.Connection, auto: Automation, result: RunResult, approved_count: int | None,
             correction_id: int | None = None) -> None:
        if not self._gates_open(conn, auto, result):
            return
        if correction_id is not None:
            result.mode = "correction"
            screened = stages.correction_targets(conn, auto, correction_id)
            found = stages.Candidates([t.event for t in screened.eligible], [], [])
        else:
            result.mode = control.mode(conn, auto)
            found = stages.candidate_events(conn, auto)
            screened = stages.screen(conn, auto, found.matching, self.gate,
                                     control_emails=self.control_list if result.mode == "control" else None)
        result.events = len(found.events)
        result.eligible = len(screened.eligible)
        if screened.bulk and not result.dry_run:
            self._raise_bulk_alerts(conn, auto, screened.bulk)
        plan = stages.plan_cap(conn, auto, screened.eligible, approved_count=approved_count, dry_run=result.dry_run,
                               control_size=len(self.control_list) if result.mode == "control" else None)
        result.audience_size, result.cap, result.budget_left = plan.audience_size, plan.cap, plan.budget_left
        result.pending = len(plan.deferred)
        decisions = found.decisions + screened.decisions + plan.decisions
        if result.dry_run:
            return self._preview(conn, auto, result, plan, decisions)
        if plan.needs_approval:
            self._log_decisions(conn, auto, result, decisions)
            self._alert(conn, auto, "needs_approval", None, self._exceed_detail(auto, result, plan))
            conn.commit()
            result.outcome = "needs_approval"
            return
        queued = stages.enqueue(conn, auto, result.run_id, plan.to_send, self._render(auto, result.mode),
                                mode=result.mode)
        result.queued = queued.queued
        self._log_decisions(conn, auto, result, decisions + queued.decisions)
        conn.commit()
        if plan.deferred:  # on_exceed: pause
            self._pause_and_page(conn, auto, result, plan)
        self._send_pending(conn, auto, result, capped=bool(plan.deferred))

    def _gates_open(self, conn: psycopg.Connection, auto: Automation, result: RunResult) -> bool:
        if self.health_check is not None:
            score = float(self.health_check())
            conn.execute("UPDATE ops.outreach_runs SET health_score = %s WHERE run_id = %s", (score, result.run_id))
            conn.commit()
            if score < self.min_health:
                result.reasons[f"health {score:.0f} < {self.min_health:.0f}"] += 1
                if not result.dry_run:  # a preview still shows what a healthy run would do
                    result.outcome = "blocked_health"
                    return False
        if pause_state(conn, auto.name).paused:
            result.outcome = "paused"
            return False
        return True

    def _render(self, auto: Automation, mode: str = "rollout") -> Callable[[stages.Target], tuple[str, str, str]]:
        render = auto.render_correction if mode == "correction" else auto.render
        return lambda t: render(stages.template_context(auto, self.people, t))

    def _preview(self, conn: psycopg.Connection, auto: Automation, result: RunResult, plan: stages.CapPlan,
                 decisions: list[Decision]) -> None:
        for t in plan.to_send:
            subject, _html, _text = self._render(auto, result.mode)(t)
            result.would_send.append({"contact_id": t.contact_id, "recipient": mask_email(t.contact["email"]),
                                      "owner": t.contact["owner"], "subject": subject,
                                      "change_id": t.event["change_id"]})
            decisions.append(t.decision("queued", "would_send (dry run)", auto.flag))
        self._log_decisions(conn, auto, result, decisions)
        conn.commit()
        result.queued = len(plan.to_send)
        result.outcome = "dry_run"

    @staticmethod
    def _exceed_detail(auto: Automation, result: RunResult, plan: stages.CapPlan) -> dict:
        return {"eligible": result.eligible, "cap": plan.cap, "audience": plan.audience_size,
                "deferred": len(plan.deferred), "run_id": result.run_id, "pending": len(plan.deferred),
                "budget": auto.budget.max_sends, "budget_left": plan.budget_left, "reason": plan.reason}

    def _pause_and_page(self, conn: psycopg.Connection, auto: Automation, result: RunResult,
                        plan: stages.CapPlan) -> None:
        """The limit's worth still goes out: this pause is the automation's own (``crmhub:cap``), so the
        sender honours it only for messages beyond this run's allowance."""
        if plan.reason == "budget_exceeded":
            what = f"send budget exceeded: {result.eligible} eligible > {plan.budget_left} left of " \
                   f"{auto.budget.max_sends} per {auto.budget.window_s}s"
            detail = self._exceed_detail(auto, result, plan)
        else:
            what = f"cap exceeded: {result.eligible} eligible > cap {plan.cap}"
            detail = {"eligible": result.eligible, "cap": plan.cap, "audience": plan.audience_size,
                      "deferred": len(plan.deferred), "run_id": result.run_id}
        pause(conn, auto.name, by="crmhub:cap", reason=what)
        self._alert(conn, auto, plan.reason, None, detail)
        conn.commit()
        page = "send budget exceeded" if plan.reason == "budget_exceeded" else "blast-radius cap exceeded"
        self._page(auto, f"{page}; automation paused", detail)

    # -- sending --------------------------------------------------------------------------------------
    def _send_pending(self, conn: psycopg.Connection, auto: Automation, result: RunResult, *, capped: bool) -> None:
        batch_no = 0
        allowance = result.queued if capped else None
        while True:
            assert_not_frozen(conn, "automation", auto.name)  # freeze-all: unsent rows stay pending
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
        """Re-check, send and mark one claimed batch; no row of it is left in ``sending`` by an error here."""
        try:
            ready = self._recheck_batch(conn, auto, result, batch)
        except BaseException:
            self._release_after_error(conn, [r["outbox_id"] for r in batch], "sender error before SMTP; will retry")
            raise
        try:
            outcomes = send_batch(self.smtp, [self._outgoing(auto, r) for r in ready]) if ready else {}
        except BaseException as exc:   # a bug or a crash mid-session: we cannot know which were handed over
            conn.rollback()
            outbox.mark(conn, [r["outbox_id"] for r in ready], "unknown", f"sender error during SMTP: {exc}")
            conn.commit()
            raise
        self._record_outcomes(conn, auto, result, batch, outcomes)

    def _recheck_batch(self, conn: psycopg.Connection, auto: Automation, result: RunResult,
                       batch: list[dict]) -> list[dict]:
        blocked = stages.recheck(conn, [row["contact_id"] for row in batch])
        cancel: dict[str, list[int]] = {}
        decisions: list[Decision] = []
        ready: list[dict] = []
        for row in batch:
            why = blocked.get(row["contact_id"])
            if why is None and row.get("mode", "rollout") == "rollout":
                answer = self.gate.decide(row["flag"], row["flag_context"])
                if not answer.enabled:
                    why = f"flag_off_at_send: {answer.reason}"
            if why:
                cancel.setdefault(why, []).append(row["outbox_id"])
                decisions.append(Decision(row["change_id"], row["contact_id"], "cancelled", why, row["flag"],
                                          None, None if why.startswith(("identity", "suppression")) else False))
            else:
                ready.append(row)
        for why, rows in cancel.items():
            outbox.mark(conn, rows, "cancelled", why)
            result.cancelled += len(rows)
        self._log_decisions(conn, auto, result, decisions)
        conn.commit()
        return ready

    def _outgoing(self, auto: Automation, row: dict) -> OutgoingMessage:
        reply_to = self.people.get(row["owner"], {}).get("email") or self.people.get(auto.owner, {}).get("email")
        return OutgoingMessage(outbox_id=row["outbox_id"], recipient=row["recipient"], subject=row["subject"],
                               body_text=row["body_text"], body_html=row["body_html"], message_id=row["message_id"],
                               idempotency_key=row["idempotency_key"], reply_to=reply_to)

    def _record_outcomes(self, conn: psycopg.Connection, auto: Automation, result: RunResult, batch: list[dict],
                         outcomes: dict[int, str | None]) -> None:
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
        record_access(conn, who=f"outreach:{auto.name}", table="contact", fields=("email", "first_name", "last_name"),
                      rows=len(sent), reason=f"outreach send {auto.name} (run {result.run_id})")
        conn.commit()
        result.sent += len(sent)
        result.failed += len(refused) + len(unknown)
        by_id = {r["outbox_id"]: r for r in batch}
        result.sent_contacts.extend(by_id[i]["contact_id"] for i in sent)
        log.info("outreach %s batch: %d sent, %d failed, %d to retry (of %d claimed)",
                 auto.name, len(sent), len(refused) + len(unknown), len(retry), len(batch))
        if retry:
            raise ConnectionError(f"SMTP server unavailable: {outcomes[retry[0]]}")

    @staticmethod
    def _release_after_error(conn: psycopg.Connection, outbox_ids: list[int], why: str) -> None:
        try:
            conn.rollback()
            outbox.release(conn, outbox_ids, why)
            conn.commit()
        except psycopg.Error:   # the connection itself is gone: recover-stuck marks the rows 'unknown' later
            log.exception("could not release %d claimed outbox rows", len(outbox_ids))

    # -- alerts and the decision log ------------------------------------------------------------------------
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

    def _log_decisions(self, conn: psycopg.Connection, auto: Automation, result: RunResult,
                       decisions: list[Decision]) -> None:
        if not decisions:
            return
        with conn.cursor().copy(
            "COPY ops.outreach_decisions (run_id, automation, change_id, contact_id, flag, variant, enabled,"
            " decision, reason, final, dry_run) FROM STDIN"
        ) as copy:
            for d in decisions:
                copy.write_row((result.run_id, auto.name, d.change_id, d.contact_id, d.flag or auto.flag, d.variant,
                                d.enabled, d.decision, d.reason, d.final and not result.dry_run, result.dry_run))
                result.reasons[_reason_key(d)] += 1
