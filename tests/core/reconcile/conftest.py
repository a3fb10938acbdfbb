"""Helpers for reconciliation tests: connectors read from files, crafted fund-admin CSVs, time travel of loads."""

from __future__ import annotations

import dataclasses

import pytest

from crmhub.config import load_integration_map

CSV_SOURCE = {"kind": "csv", "path": "x.csv", "delimiter": ",", "encoding": "utf-8"}


@pytest.fixture(scope="session")
def imap():
    return load_integration_map()


@pytest.fixture(scope="session")
def fundadmin(imap):
    return imap.connector("fundadmin_lp_contacts")


@pytest.fixture(scope="session")
def crm_csv(imap):
    """crm_contacts with the same contract, read from a CSV file."""
    return dataclasses.replace(imap.connector("crm_contacts"), source=dict(CSV_SOURCE))


@pytest.fixture(scope="session")
def billing_csv(imap):
    return dataclasses.replace(imap.connector("billing_invoices"), source=dict(CSV_SOURCE))
