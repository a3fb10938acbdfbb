"""Connector freeze state lives in :mod:`crmhub.sync.connector_state` (health and ingest both use it)."""

from crmhub.sync.connector_state import ensure_not_frozen, freeze, frozen_reason, unfreeze

__all__ = ["ensure_not_frozen", "freeze", "frozen_reason", "unfreeze"]
