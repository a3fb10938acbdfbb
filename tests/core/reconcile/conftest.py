"""Helpers for reconciliation tests: connectors read from files, crafted fund-admin CSVs, time travel of loads."""

from __future__ import annotations

import dataclasses

import pytest

CSV_SOURCE = {"kind": "csv", "path": "x.csv", "delimiter": ",", "encoding": "utf-8"}


@pytest.fixture(scope="session")
def crm_csv(imap):
    """crm_contacts with the same contract, read from a CSV file."""
    return dataclasses.replace(imap.connector("crm_contacts"), source=dict(CSV_SOURCE))


@pytest.fixture(scope="session")
def billing_csv(imap):
    return dataclasses.replace(imap.connector("billing_invoices"), source=dict(CSV_SOURCE))
