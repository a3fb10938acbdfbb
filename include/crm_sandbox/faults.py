"""Fault injection: rate limit, random 5xx, slow responses and dropped connections, seeded.

Every API request (not the ``/_sandbox`` admin routes) asks :meth:`FaultInjector.decide` once,
before anything is applied. Exactly four random numbers are drawn per request whatever the
outcome, so a given seed and request sequence always gives the same faults. Precedence:

0. ``methods`` set and the request's method not in it: no random or scripted fault;
1. a scripted fault from ``next`` (consumed in order by matching requests), else
2. ``drop_rate`` - close the socket without a response, nothing applied;
3. ``error_rate`` - answer 502 or 503, nothing applied;
4. ``drop_after_commit_rate`` - apply the request (write committed) then close the socket;
5. ``slow_rate`` - sleep ``slow_seconds`` then answer normally.

The rate limit is separate: a rolling window of ``requests`` per ``per_seconds`` over accepted
requests; over it, 429 with ``Retry-After`` (seconds until a slot frees) and HubSpot's body.
"""

from __future__ import annotations

import math
import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("drop", "error", "slow", "drop_after_commit", "rate_limit")


@dataclass
class FaultConfig:
    """Fault knobs; ``methods`` limits random faults to some HTTP methods (e.g. ``["POST", "PATCH"]``)."""

    rate_limit_requests: int | None = None
    rate_limit_seconds: float = 10.0
    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    drop_rate: float = 0.0
    drop_after_commit_rate: float = 0.0
    seed: int | None = None
    methods: list[str] | None = None
    next: list[str | None] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "rate_limit": ({"requests": self.rate_limit_requests, "per_seconds": self.rate_limit_seconds}
                           if self.rate_limit_requests else None),
            "error_rate": self.error_rate, "slow_rate": self.slow_rate, "slow_seconds": self.slow_seconds,
            "drop_rate": self.drop_rate, "drop_after_commit_rate": self.drop_after_commit_rate,
            "seed": self.seed, "methods": self.methods, "next": list(self.next),
        }

    def update(self, body: dict[str, Any]) -> None:
        """Apply a partial ``POST /_sandbox/faults`` body; raises ValueError naming the bad knob."""
        known = {"rate_limit", "error_rate", "slow_rate", "slow_seconds", "drop_rate", "drop_after_commit_rate",
                 "seed", "methods", "next"}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown fault knob(s) {sorted(unknown)}; known: {sorted(known)}")
        if "rate_limit" in body:
            rl = body["rate_limit"]
            if rl is None or rl is False:
                self.rate_limit_requests = None
            elif isinstance(rl, str):
                self.rate_limit_requests, self.rate_limit_seconds = parse_rate_limit(rl)
            elif isinstance(rl, dict) and int(rl.get("requests", 0)) > 0 and float(rl.get("per_seconds", 10)) > 0:
                self.rate_limit_requests = int(rl["requests"])
                self.rate_limit_seconds = float(rl.get("per_seconds", 10))
            else:
                raise ValueError("rate_limit must be null, 'N/Ss' or {'requests': N > 0, 'per_seconds': S > 0}")
        for knob in ("error_rate", "slow_rate", "drop_rate", "drop_after_commit_rate"):
            if knob in body:
                val = float(body[knob])
                if not 0.0 <= val <= 1.0:
                    raise ValueError(f"{knob} must be between 0 and 1, got {val}")
                setattr(self, knob, val)
        if "slow_seconds" in body:
            self.slow_seconds = max(0.0, float(body["slow_seconds"]))
        if "seed" in body:
            self.seed = None if body["seed"] is None else int(body["seed"])
        if "methods" in body:
            self.methods = [m.upper() for m in body["methods"]] if body["methods"] else None
        if "next" in body:
            bad = [k for k in body["next"] or [] if k is not None and k not in FAULT_KINDS]
            if bad:
                raise ValueError(f"unknown fault kind(s) in next: {bad}; use {FAULT_KINDS} or null")
            self.next = list(body["next"] or [])


def parse_rate_limit(text: str) -> tuple[int, float]:
    """``"100/10s"`` -> (100, 10.0); also ``"5/1"`` and ``"100/10"``."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*", text)
    if not m or int(m.group(1)) <= 0 or float(m.group(2)) <= 0:
        raise ValueError(f"rate limit {text!r} must look like 100/10s (requests per seconds)")
    return int(m.group(1)), float(m.group(2))


@dataclass
class Decision:
    """What to do with one request: ``kind`` is None (serve normally) or one of FAULT_KINDS."""

    kind: str | None = None
    status: int | None = None
    retry_after: int | None = None
    slow_seconds: float = 0.0
    rate_headers: dict[str, str] = field(default_factory=dict)


class FaultInjector:
    """Thread-safe fault decisions from a :class:`FaultConfig`."""

    def __init__(self, config: FaultConfig | None = None):
        self.config = config or FaultConfig()
        self._lock = threading.Lock()
        self._rng = random.Random(self.config.seed)
        self._window: deque[float] = deque()

    def configure(self, body: dict[str, Any] | None) -> None:
        """Update knobs (``None`` resets all faults); re-seeds the generator when a seed is given."""
        with self._lock:
            if body is None:
                self.config = FaultConfig()
                self._rng = random.Random()
                self._window.clear()
                return
            self.config.update(body)
            if "seed" in body:
                self._rng = random.Random(self.config.seed)
            if "rate_limit" in body:
                self._window.clear()

    def decide(self, method: str, now: float | None = None) -> Decision:
        now = time.monotonic() if now is None else now
        with self._lock:
            cfg = self.config
            decision = Decision()
            if cfg.rate_limit_requests:
                window = cfg.rate_limit_seconds
                while self._window and self._window[0] <= now - window:
                    self._window.popleft()
                remaining = cfg.rate_limit_requests - len(self._window)
                decision.rate_headers = {
                    "X-HubSpot-RateLimit-Max": str(cfg.rate_limit_requests),
                    "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(window * 1000)),
                    "X-HubSpot-RateLimit-Remaining": str(max(0, remaining - 1)),
                }
                if remaining <= 0:
                    wait = self._window[0] + window - now
                    decision.kind = "rate_limit"
                    decision.status = 429
                    decision.retry_after = max(1, math.ceil(wait))
                    decision.rate_headers["X-HubSpot-RateLimit-Remaining"] = "0"
                    return decision
                self._window.append(now)
            rolls = [self._rng.random() for _ in range(4)]  # always 4 draws: determinism per request
            if cfg.methods and method.upper() not in cfg.methods:
                return decision
            if cfg.next:
                kind = cfg.next.pop(0)
                if kind is not None:
                    return self._make(decision, kind, rolls)
                return decision
            if rolls[0] < cfg.drop_rate:
                return self._make(decision, "drop", rolls)
            if rolls[1] < cfg.error_rate:
                return self._make(decision, "error", rolls)
            if rolls[2] < cfg.drop_after_commit_rate:
                return self._make(decision, "drop_after_commit", rolls)
            if rolls[3] < cfg.slow_rate:
                return self._make(decision, "slow", rolls)
            return decision

    def _make(self, decision: Decision, kind: str, rolls: list[float]) -> Decision:
        decision.kind = kind
        if kind == "error":
            decision.status = 502 if rolls[1] * 1e6 % 2 < 1 else 503
        elif kind == "slow":
            decision.slow_seconds = self.config.slow_seconds
        elif kind == "rate_limit":
            decision.status = 429
            decision.retry_after = max(1, math.ceil(self.config.rate_limit_seconds))
        return decision
