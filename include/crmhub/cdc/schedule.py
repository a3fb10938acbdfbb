"""When a connector's incremental sync is due, from the cron schedule in its SLA."""

from __future__ import annotations

from datetime import datetime

from croniter import croniter


def is_due(cron: str, last_success: datetime | None, now: datetime) -> bool:
    """True when a run of ``cron`` fell between the last success and ``now`` (always on first run)."""
    if last_success is None:
        return True
    return croniter(cron, last_success).get_next(datetime) <= now
