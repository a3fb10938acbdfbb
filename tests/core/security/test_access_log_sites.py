"""``record_access``: the one function every site that shows or exports unmasked values calls."""

from __future__ import annotations

import psycopg
import pytest

from crmhub.security.access_log import list_access, record_access


def test_only_sensitive_fields_are_logged_with_their_classes(secure_db, role_url):
    app = role_url("app")
    assert record_access(app, who="priya.shah", table="contact", via="console", reason="review page", rows=3,
                         fields=["first_name", "title", "email", "city", "committed_amount", "tax_id", "postcode"])
    (row,) = list_access(secure_db)
    assert (row.who, row.db_role, row.via, row.table_name, row.row_count, row.reason) == (
        "priya.shah", "crmhub_app", "console", "contact", 3, "review page")
    # contact's own columns, then the most sensitive core column of that name (entity.tax_id), then name hints
    assert dict(zip(row.fields, row.classes, strict=True)) == {
        "first_name": "pii_contact", "email": "pii_contact", "committed_amount": "financial",
        "tax_id": "pii_tax", "postcode": "pii_contact"}


def test_no_row_without_rows_or_without_a_sensitive_field(secure_db, role_url):
    app = role_url("app")
    assert not record_access(app, who="x", table="contact", fields=["email"], rows=0, reason="empty page")
    assert not record_access(app, who="x", table="entity", fields=["name", "city", "crmhub_id"], rows=5, reason="r")
    assert list_access(secure_db) == []
    with pytest.raises(ValueError, match="reason"):
        record_access(app, who="x", table="contact", fields=["email"], rows=1, reason=" ")
    with pytest.raises(ValueError, match="via"):
        record_access(app, who="x", table="contact", fields=["email"], rows=1, reason="r", via="mail")


def test_on_a_connection_the_row_joins_the_callers_transaction(secure_db, role_url):
    with psycopg.connect(role_url("app")) as conn:
        record_access(conn, who="x", table="contact", fields=["email"], rows=1, reason="export")
        conn.rollback()  # the export failed: no claim that the values left
    assert list_access(secure_db) == []
