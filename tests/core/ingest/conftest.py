"""Helpers for ingestion tests: the fund-admin connector, file writer, and the counting invariant."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


@pytest.fixture
def db(db_owner: str, roles) -> str:
    """Loads run as the loader role (``crmhub_loader``), as CLI loads and CDC processes are deployed."""
    from crmhub.security.provision import role_url

    return role_url(db_owner, roles["loader"])


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


def _assert_balanced(url: str, summary) -> dict:
    """rows_read = loaded + quarantined + rejected, in the summary and in ops.loads; returns the ops.loads row."""
    assert summary.rows_read == summary.loaded + summary.quarantined + summary.rejected, summary
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT rows_read, loaded, quarantined, rejected, status, skipped_headers, skipped_blank, encoding, error "
            "FROM ops.loads WHERE load_id = %s",
            (summary.load_id,),
        ).fetchone()
        q_rows = conn.execute(
            "SELECT count(DISTINCT locator) FROM ops.quarantine WHERE load_id = %s", (summary.load_id,)
        ).fetchone()[0]
    assert row is not None
    rows_read, loaded, quarantined, rejected, status, headers, blank, encoding, error = row
    assert (rows_read, loaded, quarantined, rejected) == (
        summary.rows_read, summary.loaded, summary.quarantined, summary.rejected
    )
    assert rows_read == loaded + quarantined + rejected
    if status == "loaded":
        assert q_rows == quarantined  # every quarantined row is visible with its reasons
    return {"status": status, "skipped_headers": headers, "skipped_blank": blank, "encoding": encoding, "error": error}


def _fetch(url: str, query: str, params=()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture
def balanced(db):
    """``balanced(summary)`` asserts the counting invariant against the test's warehouse."""
    return lambda summary: _assert_balanced(db, summary)


@pytest.fixture
def fetch(db):
    """``fetch(sql, params)`` runs a query on the test's warehouse."""
    return lambda query, params=(): _fetch(db, query, params)
