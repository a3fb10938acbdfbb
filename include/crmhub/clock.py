"""The time crmhub stamps: real time, or real time shifted by a simulation's offset.

Production never sets an offset, so :func:`now` is ``datetime.now(UTC)`` and the warehouse's ``ops.clock()``
is ``now()``. ``crmhub simulate`` plays 21 days in minutes of real time; for every day it moves the clock with
:func:`travel_to`, which sets two things in this process's environment:

* ``CRMHUB_CLOCK_OFFSET`` (seconds): read by :func:`now`, the Python side.
* ``PGOPTIONS``: libpq sends it with every new connection, whichever code opens it (``crmhub.warehouse``,
  a bare ``psycopg.connect``, the webhook receiver). It sets the GUC ``crmhub.clock_offset`` (read by
  ``ops.clock()``) and puts the schema ``crmhub_clock`` before ``pg_catalog`` on the search path, so an
  unqualified ``now()`` in crmhub's SQL text resolves to ``crmhub_clock.now()`` = ``ops.clock()``. Column
  defaults are bound to a function when created, so ``crmhub db upgrade`` points every ``DEFAULT now()`` at
  ``ops.clock()`` instead (``ops.repoint_now_defaults()``, migration 0100).

Connections opened before a move keep the offset they started with (a GUC is per session).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

OFFSET_ENV = "CRMHUB_CLOCK_OFFSET"
_MARK = "-c crmhub.clock_offset="
SEARCH_PATH = "crmhub_clock,pg_catalog,\"$user\",public"


def offset() -> timedelta:
    """The simulation's offset (zero in production)."""
    raw = os.environ.get(OFFSET_ENV, "").strip()
    return timedelta(seconds=float(raw)) if raw else timedelta(0)


def now() -> datetime:
    """Aware UTC time, shifted by the simulation's offset when one is set."""
    return datetime.now(UTC) + offset()


def _pgoptions_without_clock(current: str) -> str:
    """``PGOPTIONS`` minus what :func:`set_offset` added (the caller's own options are kept)."""
    cut = current.find(_MARK)
    return current[:cut].rstrip() if cut >= 0 else current


def set_offset(seconds: float | None) -> None:
    """Shift every later clock reading by ``seconds`` (None: back to real time)."""
    base = _pgoptions_without_clock(os.environ.get("PGOPTIONS", ""))
    if seconds is None:
        os.environ.pop(OFFSET_ENV, None)
        if base:
            os.environ["PGOPTIONS"] = base
        else:
            os.environ.pop("PGOPTIONS", None)
        return
    os.environ[OFFSET_ENV] = f"{seconds:.3f}"
    # the search path is quoted for libpq's option parser: backslash-escaped spaces/quotes are not needed here
    clock = f"{_MARK}{seconds:.3f}s -c search_path={SEARCH_PATH}"
    os.environ["PGOPTIONS"] = f"{base} {clock}".strip()


def travel_to(when: datetime) -> timedelta:
    """Make :func:`now` (and ``ops.clock()`` on connections opened from here on) read ``when`` right now."""
    if when.tzinfo is None:
        raise ValueError(f"travel_to needs an aware datetime, not {when!r}")
    shift = when - datetime.now(UTC)
    set_offset(shift.total_seconds())
    return shift


@contextmanager
def simulated(when: datetime) -> Iterator[None]:
    """Within the block the clock reads ``when`` (then runs on); afterwards the previous setting is back."""
    before = {k: os.environ.get(k) for k in (OFFSET_ENV, "PGOPTIONS")}
    travel_to(when)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
