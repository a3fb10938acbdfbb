"""Freeze everything / thaw everything from the console (when the core has ``crmhub ops freeze --all``)."""

from __future__ import annotations

import psycopg
import pytest
from crmhub_console.features import has_freeze_all
from psycopg.rows import dict_row

from crmhub.cli import main as cli

pytestmark = [pytest.mark.airflow, pytest.mark.integration,
              pytest.mark.skipif(not has_freeze_all(), reason="the core has no crmhub.safety.freeze yet")]


def _log(url: str) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute("SELECT * FROM ops.freeze_all_log ORDER BY event_id").fetchall()


def test_freeze_and_thaw_everything(api_server):
    url = api_server.warehouse_url
    with api_server.client() as anon:
        assert anon.post("/crmhub/freeze/all", data={"reason": "x"}).status_code == 401
    with api_server.client("viewer") as c:
        assert c.post("/crmhub/freeze/all", data={"reason": "x"}).status_code == 403
        assert c.get("/crmhub/api/freeze").json()["state"]["frozen"] is False
    with api_server.client("oper") as c:
        assert c.post("/crmhub/freeze/all", data={"reason": " "}).status_code == 409  # a reason is required
        assert c.post("/crmhub/freeze/all", data={"reason": "go-live cutover"}).status_code == 200
        assert c.get("/crmhub/api/health").json()["freeze"]["state"]["frozen"] is True
        assert c.post("/crmhub/thaw/all", data={"reason": "cutover verified"}).status_code == 200
    console = [r for r in _log(url) if r["actor"] == "oper"]
    assert [(r["action"], r["reason"]) for r in console] == [("freeze", "go-live cutover"),
                                                            ("thaw", "cutover verified")]
    # the CLI leaves the same rows
    assert cli(["ops", "freeze", "--all", "--reason", "go-live cutover", "--by", "oper", "--url", url]) == 0
    assert cli(["ops", "thaw", "--all", "--reason", "cutover verified", "--by", "oper", "--url", url]) == 0
    rows = [{k: v for k, v in r.items() if k not in ("event_id", "at")} for r in _log(url) if r["actor"] == "oper"]
    assert rows[:2] == rows[2:]
