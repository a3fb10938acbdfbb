"""Capabilities of the core the console adapts to (each lands through its own issue)."""

from __future__ import annotations

import importlib.util


def has_module(name: str) -> bool:
    """Whether the installed core has module ``name`` (without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def has_freeze_all() -> bool:
    """The global freeze switch (``crmhub.safety.freeze``: ``crmhub ops freeze|thaw --all``)."""
    return has_module("crmhub.safety.freeze")

