"""Organisation records through the resolver, for the tests of name variation: one run, one verdict."""

from __future__ import annotations

import pandas as pd

from crmhub.identity import resolve


def _run(rows: list[dict]):
    return resolve(pd.DataFrame(rows), "org")


def _together(res) -> bool:
    """Linked, or proposed together for review (a run of two records)."""
    return len(set(res.cluster_ids)) == 1 or len(res.review) == 1


def pair(a: dict, b: dict):
    """``a`` from the CRM and ``b`` from the fund administrator, resolved as one run."""
    return _run([{"record_id": "1", "source_system": "crm", **a}, {"record_id": "2", "source_system": "fund_admin", **b}])


def surfaced(a: dict, b: dict) -> bool:
    """:func:`pair`'s two records linked, or proposed together for review."""
    return _together(pair(a, b))


def resolve_orgs(*records: dict):
    """``records`` resolved as one run, each from a source of its own (``src0``, ``src1`` …)."""
    return _run([{"record_id": str(k), "source_system": f"src{k}", **r} for k, r in enumerate(records)])


def surfaced_from_own_sources(a: dict, b: dict) -> bool:
    """:func:`resolve_orgs`' two records linked, or proposed together for review."""
    return _together(resolve_orgs(a, b))
