"""The review page shows members' names in clear: each view writes one access-log row (who, fields, rows)."""

from __future__ import annotations

import psycopg
from console_support import seed


def test_review_page_data_writes_one_access_log_row_per_view(db, imap, monkeypatch):
    from crmhub_console import warehouse
    from crmhub_console.routes.review import review_data

    seed(db, imap)
    monkeypatch.setenv("CRMHUB_WAREHOUSE_URL", db)
    warehouse.warehouse_url.cache_clear()
    try:
        data = review_data(who="oper")
        review_data(band="0.90-1.00", who="viewer")
    finally:
        warehouse.warehouse_url.cache_clear()
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT who, via, table_name, (SELECT array_agg(f ORDER BY f) FROM unnest(fields) f), "
                            "row_count, reason FROM ops.access_log ORDER BY access_id").fetchall()
    members = sum(len(i["members"]) for i in data["queue"])
    assert members == 5
    # email is masked on the page (not logged); the names are shown as they are (company, city: internal)
    assert rows[0] == ("oper", "console", "review_clusters", ["first_name", "last_name"], 5, "console review queue")
    assert len(rows) == 1  # the filtered view showed no cluster: nothing read, nothing logged
