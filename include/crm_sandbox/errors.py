"""HubSpot-style error bodies and the two error kinds of the sandbox: whole-request and per-record."""

from __future__ import annotations

import uuid
from typing import Any

from crmhub.hubspot import wire


def error_body(message: str, category: str = "VALIDATION_ERROR", **extra: Any) -> dict[str, Any]:
    """HubSpot's error JSON: status, message, correlationId, category and any extra keys."""
    return {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category,
            **extra}


class ApiError(Exception):
    """A whole-request error, answered as ``status`` with a HubSpot error body."""

    def __init__(self, status: int, message: str, category: str = "VALIDATION_ERROR", **extra: Any):
        super().__init__(message)
        self.status = status
        self.body = error_body(message, category, **extra)


class RecordError(Exception):
    """One batch input failed; becomes an entry of ``errors`` in a 207 (or a 4xx for single-record calls)."""

    def __init__(self, status: int, category: str, message: str, errors: list[dict[str, Any]] | None = None,
                 context: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = errors or []
        self.context = context or {}

    def to_batch(self, index: int, input_id: str | None = None) -> dict[str, Any]:
        ctx = dict(self.context)
        ctx["inputIndex"] = [str(index)]
        if input_id is not None:
            ctx["ids"] = [input_id]
        return wire.standard_error(self.category, self.message, context=ctx, errors=self.errors)

    def to_single(self) -> dict[str, Any]:
        return error_body(self.message, self.category, errors=self.errors, context=self.context)
