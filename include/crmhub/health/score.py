"""The Integration_Health score and its per-connector inputs from ``ops.sync_runs``.

Formula (seed "CRM integration map", section 3.3)::

    Integration_Health = max(0, 100 - Error_Rate_pct*50
                                    - (Avg_Latency_s / Target_Latency_s)*25
                                    - (Sync_Lag_min / Target_Lag_min)*25)

100 is perfect, under 90 is *degraded*, under 70 is *blocked* (block downstream automation and page).
Error, latency and lag are each a penalty term; :class:`HealthResult` keeps them so a caller can log
which inputs pulled the score down.

Window (per connector, evaluated at ``now``), over the connector's ingest, CDC, webhook and reverse-ETL runs;
``backfill`` runs are left out (``kind <> 'backfill'``): a backfill reads historic records (their age is not
sync lag), is started and watched by an operator, and a large one would dilute the live sync's error rate
and reset its staleness:

* ``window_min = max(60, 2 * target_lag_min)`` minutes; a run belongs to the window when it has
  *finished* (``finished_at`` set, status ``success``, ``partial`` or ``failed``) within
  ``(now - window_min, now]``. Running rows are ignored, and so are ``frozen`` ones (a run a freeze refused
  did no work: it neither fails nor succeeds).
* ``Error_Rate_pct = 100 * Σ(records_failed + api_errors) / Σ(records_total + api_calls)``. A ``failed``
  run that recorded no error counts as one failed operation (a crash before any work is an error, not
  silence). Capped at 100.
* ``Avg_Latency_s = Σ latency_s_total / Σ api_calls``; when the window has no API calls (file and database
  sources record one batch per run) the denominator is the number of runs.
* ``Sync_Lag_min = max(max(lag_min_p95) in the window, staleness)`` where ``staleness`` is the minutes since
  the last ``success``/``partial`` run finished, and only counts once it exceeds ``target_lag_min`` (a
  connector on a 2-hour schedule is not penalised for the gap between its runs, but one whose last good
  run is older than its target lag is at least that far behind). With no good run ever, staleness is
  measured from the connector's first run.
* No run in the window: error rate and latency are 0 and the lag is the staleness; because the window is
  at least ``2 * target_lag_min`` long, staleness then exceeds twice the target, so the score is at most
  50: *blocked*. A connector that never ran at all has score ``None`` and status ``unknown``, which
  every gate treats as not passing (the sensor blocks), but the health cycle opens no incident for it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

import psycopg
from psycopg.rows import dict_row

HEALTHY_MIN = 90.0
BLOCK_BELOW = 70.0
DEGRADED_BELOW = HEALTHY_MIN
MIN_WINDOW_MIN = 60.0

STATUSES = ("healthy", "degraded", "blocked", "unknown")


def _check_nonnegative(name: str, value: float) -> float:
    value = float(value)
    if math.isnan(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return value


def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if math.isnan(value) or value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r} (fix the connector's sla in the integration map)")
    return value


def status_for(score: float | None, *, block_below: float = BLOCK_BELOW, warn_below: float = HEALTHY_MIN) -> str:
    """``healthy`` (>= warn_below), ``degraded`` (< warn_below), ``blocked`` (< block_below), ``unknown`` (None)."""
    if score is None:
        return "unknown"
    if score < block_below:
        return "blocked"
    if score < warn_below:
        return "degraded"
    return "healthy"


@dataclass(frozen=True)
class HealthResult:
    """A computed score with its inputs and the three penalty terms."""

    score: float | None
    status: str
    error_rate_pct: float
    avg_latency_s: float
    target_latency_s: float
    sync_lag_min: float
    target_lag_min: float
    error_penalty: float
    latency_penalty: float
    lag_penalty: float
    connector: str | None = None
    runs: int = 0
    window_start: datetime | None = None
    detail: dict = field(default_factory=dict)

    @property
    def passing(self) -> bool:
        """True when downstream automation may run (score known and >= 70)."""
        return self.score is not None and self.score >= BLOCK_BELOW

    def pulled_down_by(self) -> list[tuple[str, float]]:
        """Penalty terms that cost points, biggest first: ``[("error_rate", 30.0), ...]``."""
        terms = [("error_rate", self.error_penalty), ("latency", self.latency_penalty), ("lag", self.lag_penalty)]
        return sorted([t for t in terms if t[1] > 0], key=lambda t: -t[1])

    def explain(self) -> str:
        """One line for logs: score, status and the inputs that pulled it down."""
        if self.score is None:
            return f"{self.connector or '?'}: health unknown ({self.detail.get('reason', 'no runs')})"
        inputs = {
            "error_rate": f"error {self.error_rate_pct:.2f} % (-{self.error_penalty:.1f})",
            "latency": f"latency {self.avg_latency_s:.2f}s/{self.target_latency_s:g}s (-{self.latency_penalty:.1f})",
            "lag": f"lag {self.sync_lag_min:.1f}/{self.target_lag_min:g} min (-{self.lag_penalty:.1f})",
        }
        pulled = ", ".join(inputs[name] for name, _ in self.pulled_down_by()) or "nothing"
        return f"{self.connector or '?'}: health {self.score:.1f} ({self.status}); pulled down by: {pulled}"

    def as_dict(self) -> dict:
        """JSON-safe dict (datetimes as ISO strings)."""
        data = asdict(self)
        if self.window_start is not None:
            data["window_start"] = self.window_start.isoformat()
        data["pulled_down_by"] = [[name, points] for name, points in self.pulled_down_by()]
        return data


def integration_health(
    error_rate_pct: float,
    avg_latency_s: float,
    target_latency_s: float,
    sync_lag_min: float,
    target_lag_min: float,
    *,
    connector: str | None = None,
) -> HealthResult:
    """Compute Integration_Health.

    Args:
        error_rate_pct: failed operations in percent (0.6 means 0.6 %), >= 0.
        avg_latency_s: average API/batch latency in seconds, >= 0.
        target_latency_s: the connector's target latency, > 0.
        sync_lag_min: sync lag in minutes, >= 0.
        target_lag_min: the connector's target lag, > 0.
        connector: name, only carried into the result.

    Returns:
        HealthResult with score (floored at 0), status and each penalty term.

    Raises:
        ValueError: a negative input or a target that is not > 0.

    Examples:
        >>> integration_health(0.6, 2.0, 2.5, 12, 20).score
        35.0
    """
    error_rate_pct = _check_nonnegative("error_rate_pct", error_rate_pct)
    avg_latency_s = _check_nonnegative("avg_latency_s", avg_latency_s)
    sync_lag_min = _check_nonnegative("sync_lag_min", sync_lag_min)
    target_latency_s = _check_positive("target_latency_s", target_latency_s)
    target_lag_min = _check_positive("target_lag_min", target_lag_min)
    error_penalty = error_rate_pct * 50
    latency_penalty = avg_latency_s / target_latency_s * 25
    lag_penalty = sync_lag_min / target_lag_min * 25
    score = round(max(0.0, 100 - error_penalty - latency_penalty - lag_penalty), 6)
    return HealthResult(
        score=score,
        status=status_for(score),
        error_rate_pct=error_rate_pct,
        avg_latency_s=avg_latency_s,
        target_latency_s=target_latency_s,
        sync_lag_min=sync_lag_min,
        target_lag_min=target_lag_min,
        error_penalty=round(error_penalty, 6),
        latency_penalty=round(latency_penalty, 6),
        lag_penalty=round(lag_penalty, 6),
        connector=connector,
    )


def window_minutes(target_lag_min: float) -> float:
    """Length of the evaluation window: ``max(60, 2 * target_lag_min)`` minutes."""
    return max(MIN_WINDOW_MIN, 2 * _check_positive("target_lag_min", target_lag_min))


#: One row of aggregates for a connector; parameters: connector, window_start, now (x5 as named).
#: Kept as plain SQL so the async trigger can run the very same query with psycopg's AsyncConnection.
WINDOW_SQL = """
SELECT
    count(*) FILTER (WHERE in_window)                                                         AS runs,
    coalesce(sum(errors) FILTER (WHERE in_window), 0)                                         AS errors,
    coalesce(sum(ops) FILTER (WHERE in_window), 0)                                            AS ops,
    coalesce(sum(api_calls) FILTER (WHERE in_window), 0)                                      AS api_calls,
    coalesce(sum(latency_s_total) FILTER (WHERE in_window), 0)                                AS latency_s,
    max(lag_min_p95) FILTER (WHERE in_window)                                                 AS lag_p95_max,
    max(finished_at) FILTER (WHERE status IN ('success', 'partial'))                          AS last_good_at,
    min(started_at)                                                                           AS first_run_at,
    count(*) FILTER (WHERE in_window AND status = 'failed')                                   AS failed_runs,
    (SELECT jsonb_build_object(
                'oldest_min', extract(epoch FROM %(now)s - min(w.received_at)) / 60.0,
                'over_target', count(*) FILTER (WHERE w.received_at < %(now)s - %(target_lag)s))
       FROM ops.webhook_events w
      WHERE %(webhook_source)s::text IS NOT NULL AND w.source = %(webhook_source)s
        AND split_part(w.subscription_type, '.', 1) = %(webhook_object)s
        AND w.sync_status = 'pending' AND w.received_at <= %(now)s)                           AS webhook_backlog
FROM (
    SELECT r.*,
           (r.finished_at IS NOT NULL AND r.status NOT IN ('running', 'frozen')
            AND r.finished_at > %(window_start)s AND r.finished_at <= %(now)s)                AS in_window,
           CASE WHEN r.status = 'failed' AND r.records_failed + r.api_errors = 0 THEN 1
                ELSE r.records_failed + r.api_errors END                                      AS errors,
           CASE WHEN r.status = 'failed' AND r.records_failed + r.api_errors = 0
                THEN greatest(r.records_total + r.api_calls, 1)
                ELSE r.records_total + r.api_calls END                                        AS ops
    FROM ops.sync_runs r
    WHERE r.connector = %(connector)s AND r.started_at <= %(now)s AND r.kind <> 'backfill'
) runs
"""


def window_params(connector: str, target_lag_min: float, now: datetime, *, webhook_source: str | None = None,
                  webhook_object: str | None = None) -> dict:
    """Parameters for :data:`WINDOW_SQL`; ``webhook_source``/``webhook_object`` (the connector's system and
    object) make pending webhook events of that object count toward its lag."""
    return {"connector": connector, "now": now, "window_start": now - timedelta(minutes=window_minutes(target_lag_min)),
            "target_lag": timedelta(minutes=target_lag_min), "webhook_source": webhook_source,
            "webhook_object": webhook_object}


def health_from_window(
    row: dict | tuple,
    *,
    connector: str,
    target_latency_s: float,
    target_lag_min: float,
    now: datetime,
    webhook_source: str | None = None,
    webhook_object: str | None = None,
) -> HealthResult:
    """Turn one :data:`WINDOW_SQL` row into a :class:`HealthResult` (pure; see the module docstring).

    A webhook backlog counts: when pending webhook events of the connector's object are older than its lag
    target, the oldest one's age is its lag (``webhook_source``/``webhook_object`` only name the query's
    parameters here).
    """
    if not isinstance(row, dict):
        keys = ("runs", "errors", "ops", "api_calls", "latency_s", "lag_p95_max", "last_good_at", "first_run_at",
                "failed_runs", "webhook_backlog")
        row = dict(zip(keys, row, strict=False))
    window_start = now - timedelta(minutes=window_minutes(target_lag_min))
    runs = int(row["runs"] or 0)
    if row["first_run_at"] is None:
        return HealthResult(
            score=None, status="unknown", error_rate_pct=0.0, avg_latency_s=0.0,
            target_latency_s=_check_positive("target_latency_s", target_latency_s), sync_lag_min=0.0,
            target_lag_min=_check_positive("target_lag_min", target_lag_min), error_penalty=0.0,
            latency_penalty=0.0, lag_penalty=0.0, connector=connector, runs=0, window_start=window_start,
            detail={"reason": "no sync runs recorded for this connector"},
        )
    ops, errors = float(row["ops"] or 0), float(row["errors"] or 0)
    error_rate = min(100.0, 100.0 * errors / ops) if ops > 0 else 0.0
    api_calls = float(row["api_calls"] or 0)
    latency_den = api_calls if api_calls > 0 else runs
    avg_latency = float(row["latency_s"] or 0) / latency_den if latency_den > 0 else 0.0
    since = row["last_good_at"] or row["first_run_at"]
    staleness = max(0.0, (now - since).total_seconds() / 60.0)
    window_lag = float(row["lag_p95_max"]) if row["lag_p95_max"] is not None else 0.0
    backlog = row.get("webhook_backlog") or {}
    backlog_min = float(backlog.get("oldest_min") or 0.0)
    lag = max(window_lag, staleness if staleness > target_lag_min else 0.0,
              backlog_min if backlog_min > target_lag_min else 0.0)
    result = integration_health(error_rate, avg_latency, target_latency_s, lag, target_lag_min, connector=connector)
    detail = {
        "window_min": window_minutes(target_lag_min),
        "errors": errors,
        "operations": ops,
        "failed_runs": int(row["failed_runs"] or 0),
        "window_lag_p95_max": window_lag,
        "staleness_min": round(staleness, 3),
        "last_good_at": row["last_good_at"].isoformat() if row["last_good_at"] else None,
    }
    if backlog.get("over_target"):
        detail["webhook_pending_over_target"] = int(backlog["over_target"])
        detail["webhook_oldest_pending_min"] = round(backlog_min, 3)
    if runs == 0:
        detail["reason"] = "no finished run in the window"
    return HealthResult(**{**asdict(result), "runs": runs, "window_start": window_start, "detail": detail})


def connector_health(
    conn: psycopg.Connection,
    connector: str,
    *,
    target_latency_s: float,
    target_lag_min: float,
    now: datetime | None = None,
    webhook_source: str | None = None,
    webhook_object: str | None = None,
) -> HealthResult:
    """Health of one connector from ``ops.sync_runs`` (and its webhook backlog) at ``now`` (default: the
    database's ``now()``)."""
    now = now or conn.execute("SELECT now()").fetchone()[0]
    cur = conn.cursor(row_factory=dict_row)
    row = cur.execute(WINDOW_SQL, window_params(connector, target_lag_min, now, webhook_source=webhook_source,
                                                webhook_object=webhook_object)).fetchone()
    return health_from_window(
        row, connector=connector, target_latency_s=target_latency_s, target_lag_min=target_lag_min, now=now
    )


def webhook_backlog_of(imap, name: str) -> dict[str, str]:
    """``{"webhook_source", "webhook_object"}`` of a connector (its system and object): pass them to
    :func:`connector_health` so its pending webhook events count toward its lag."""
    connector = imap.connector(name)
    return {"webhook_source": connector.system, "webhook_object": connector.object}


def connector_targets(imap, names: list[str] | None = None) -> dict[str, dict[str, float]]:
    """``{connector: {"target_latency_s": .., "target_lag_min": ..}}`` from the integration map."""
    out = {}
    for connector in imap.connectors:
        if names is None or connector.name in names:
            out[connector.name] = {
                "target_latency_s": float(connector.sla["target_latency_s"]),
                "target_lag_min": float(connector.sla["target_lag_min"]),
            }
    if names is not None:
        missing = sorted(set(names) - set(out))
        if missing:
            known = ", ".join(c.name for c in imap.connectors)
            raise KeyError(f"unknown connector(s) {', '.join(missing)}; known: {known}")
    return out


def record_snapshot(conn: psycopg.Connection, result: HealthResult, *, taken_at: datetime | None = None) -> int:
    """Insert ``result`` into ``ops.health_snapshots``; returns the snapshot id."""
    row = conn.execute(
        """INSERT INTO ops.health_snapshots
               (connector, taken_at, window_start, runs, score, status, error_rate_pct, avg_latency_s,
                target_latency_s, sync_lag_min, target_lag_min, error_penalty, latency_penalty, lag_penalty, detail)
           VALUES (%s, coalesce(%s, now()), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           RETURNING snapshot_id""",
        (
            result.connector, taken_at, result.window_start, result.runs, result.score, result.status,
            result.error_rate_pct, result.avg_latency_s, result.target_latency_s, result.sync_lag_min,
            result.target_lag_min, result.error_penalty, result.latency_penalty, result.lag_penalty,
            json.dumps(result.detail, default=str),
        ),
    ).fetchone()
    return row[0]


def latest_snapshots(conn: psycopg.Connection) -> list[dict]:
    """The newest snapshot of every connector, ordered by connector."""
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(
        """SELECT DISTINCT ON (connector) connector, taken_at, runs, score, status, error_rate_pct, avg_latency_s,
                  target_latency_s, sync_lag_min, target_lag_min, error_penalty, latency_penalty, lag_penalty, detail
           FROM ops.health_snapshots ORDER BY connector, taken_at DESC, snapshot_id DESC"""
    ).fetchall()


def gate(results: list[HealthResult], *, block_below: float = BLOCK_BELOW, warn_below: float = HEALTHY_MIN) -> dict:
    """Gate downstream work on several connectors: passes when every score is known and >= ``block_below``.

    Returns:
        ``{"passed": bool, "blocked": [names], "warned": [names], "results": {name: HealthResult.as_dict()},
        "explain": [one line per connector]}``; ``warned`` lists passing connectors under ``warn_below``.
    """
    if block_below > warn_below:
        raise ValueError(f"block_below ({block_below}) must not exceed warn_below ({warn_below})")
    blocked = [r.connector for r in results if r.score is None or r.score < block_below]
    warned = [r.connector for r in results if r.score is not None and block_below <= r.score < warn_below]
    return {
        "passed": not blocked,
        "blocked": blocked,
        "warned": warned,
        "results": {r.connector: r.as_dict() for r in results},
        "explain": [r.explain() for r in results],
    }
