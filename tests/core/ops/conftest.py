"""Fixtures for the operations-controls tests: helpers of the areas whose work a freeze must stop."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[2]
for extra in (TESTS, TESTS / "core" / "reverse_etl", TESTS / "core" / "outreach"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from retl_helpers import TOKEN  # noqa: E402


@pytest.fixture
def sandbox_token() -> str:
    return TOKEN
