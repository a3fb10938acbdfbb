"""Warehouse rows for reverse ETL tests (real inserts into core; no fakes)."""

from __future__ import annotations

import uuid

import psycopg

TOKEN = "rev-etl-test-token"


def add_entity(conn: psycopg.Connection, name: str, *, entity_type: str = "lp", domain: str | None = None,
               confidence: float = 90) -> str:
    return str(conn.execute(
        "INSERT INTO core.entity (entity_type, name, domain, owner, confidence, source_system) "
        "VALUES (%s, %s, %s, 'lena.vogel', %s, 'test') RETURNING crmhub_id",
        (entity_type, name, domain, confidence)).fetchone()[0])


def add_contact(conn: psycopg.Connection, email: str | None, *, confidence: float = 90, entity_id: str | None = None,
                committed: float | None = None) -> str:
    cid = str(conn.execute(
        "INSERT INTO core.contact (entity_id, first_name, last_name, email, owner, confidence, source_system) "
        "VALUES (%s, 'Ann', %s, %s, 'lena.vogel', %s, 'test') RETURNING crmhub_id",
        (entity_id, uuid.uuid4().hex[:6], email, confidence)).fetchone()[0])
    if committed is not None:
        set_commitment(conn, cid, committed)
    return cid


def set_commitment(conn: psycopg.Connection, contact_id: str, amount: float) -> None:
    conn.execute("DELETE FROM core.commitment WHERE contact_id = %s", (contact_id,))
    conn.execute("INSERT INTO core.commitment (contact_id, amount, currency, stage, owner, confidence, source_system) "
                 "VALUES (%s, %s, 'USD', 'accepted', 'lena.vogel', 90, 'test')", (contact_id, amount))
