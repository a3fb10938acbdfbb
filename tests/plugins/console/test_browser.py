"""A real browser (Debian's chromium, driven by Playwright) against a real api-server with the console loaded.

Logs in through Airflow's login page, opens "CRM Hub" from Airflow's own navigation, approves a proposed match
with the keyboard, acknowledges and resolves an incident with a proof file, pauses outreach and releases a frozen
connector, asserting the warehouse after each. It takes the README's screenshots on the way: set
``CRMHUB_SCREENSHOTS=docs/console`` to write them there (otherwise they go to a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from console_support import reset, review_row
from psycopg.rows import dict_row

pytestmark = [pytest.mark.airflow, pytest.mark.integration, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _row(url: str, sql: str, *params) -> dict:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchone()


@pytest.fixture
def browser_page():
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: run `make test` (it installs Debian's chromium) or "
                    "`bash scripts/ensure-chromium.sh`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        yield page
        browser.close()


def test_steward_clears_work_in_the_browser(api_server, browser_page, imap, tmp_path):
    ids = reset(api_server.warehouse_url, imap)
    url, page = api_server.warehouse_url, browser_page
    shots = Path(os.environ.get("CRMHUB_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    # Airflow's own login page, then Airflow's own navigation
    page.goto(api_server.base + "/")
    page.fill("input[name=username]", "oper")
    page.fill("input[name=password]", "oper-secret")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="CRM Hub").click()
    page.wait_for_url("**/plugin/crmhub")
    console = page.frame_locator("iframe")
    console.locator("#health").wait_for()

    def shot(name: str) -> None:
        """A screenshot once the frame has painted (under load it lags behind the DOM)."""
        page.wait_for_load_state("networkidle")
        console.locator("footer").wait_for()
        page.wait_for_timeout(400)
        page.screenshot(path=shots / f"{name}.png")

    assert console.get_by_text("sensors blocking").is_visible()
    shot("health")

    def open_page(label: str, ready: str) -> None:
        console.get_by_role("link", name=label, exact=True).click()
        console.locator(ready).wait_for()

    # review: move with j/k, approve with "a" — no mouse
    open_page("Review queue", "#queue")
    shot("review")
    first = ids["reviews"][0]
    current = console.locator("#queue .item.current")
    current.press("j")
    current = console.locator("#queue .item.current")
    assert current.get_attribute("data-item") == str(ids["reviews"][1])
    current.press("k")
    console.locator(f"#item-{first}.current").press("a")
    console.get_by_role("status").filter(has_text=f"cluster {first}: approve by oper").wait_for()
    assert review_row(url, first) == {"status": "approved", "by": "oper"}
    assert _row(url, "SELECT count(*) AS n FROM core.merge_history WHERE merged_by = 'oper'")["n"] >= 1
    # split with the keyboard: "2" marks the second record as leaving, "s" splits
    second = ids["reviews"][1]
    current = console.locator(f"#item-{second}.current")
    current.press("2")
    current.press("s")
    console.get_by_role("status").filter(has_text=f"cluster {second}: split by oper").wait_for()
    assert review_row(url, second) == {"status": "split", "by": "oper"}

    # incidents: acknowledge, then resolve with a proof file stored in the warehouse
    open_page("Incidents", "#incidents-open")
    incident = ids["incidents"][0]
    console.locator(f"#incident-{incident}").get_by_role("button", name="Acknowledge").click()
    console.get_by_role("status").filter(has_text=f"incident {incident} acknowledged by oper").wait_for()
    assert _row(url, "SELECT acknowledged_by FROM ops.incidents WHERE incident_id = %s", incident) == {
        "acknowledged_by": "oper"}
    proof = tmp_path / "lag-after-backfill.csv"
    proof.write_text("minute,lag_min\n0,44\n10,3\n")
    row_locator = console.locator(f"#incident-{incident}")
    row_locator.locator("input[name=proof_file]").set_input_files(str(proof))
    row_locator.get_by_role("button", name="Resolve").click()
    console.get_by_role("status").filter(has_text=f"incident {incident} resolved by oper").wait_for()
    row = _row(url, "SELECT i.resolved_by, a.filename, a.uploaded_by, a.content FROM ops.incidents i "
               "JOIN ops.proof_artifacts a ON i.proof = 'warehouse:ops.proof_artifacts/' || a.artifact_id "
               "WHERE i.incident_id = %s", incident)
    assert (row["resolved_by"], row["filename"], row["uploaded_by"], bytes(row["content"])) == (
        "oper", "lag-after-backfill.csv", "oper", proof.read_bytes())
    shot("incidents")

    # outreach: pause the automation
    open_page("Outreach", "#automations")
    console.locator("#automation-reinstate_interest").get_by_role("button", name="Pause").click()
    console.get_by_role("status").filter(has_text="paused reinstate_interest").wait_for()
    assert _row(url, "SELECT paused, paused_by FROM ops.outreach_state WHERE automation = 'reinstate_interest'") == {
        "paused": True, "paused_by": "oper"}
    shot("outreach")

    # connectors: the frozen one with its parked diff, released by its owner's role
    open_page("Connectors", "#connectors")
    shot("connectors")
    console.get_by_role("button", name=f"Release {ids['frozen']}").click()  # arms it: asks to confirm in place
    assert _row(url, "SELECT frozen FROM ops.connector_state WHERE connector = %s", ids["frozen"]) == {"frozen": True}
    console.get_by_role("button", name=f"Confirm: Release {ids['frozen']}").click()
    console.get_by_role("status").filter(has_text=f"connector {ids['frozen']} released by oper").wait_for()
    assert _row(url, "SELECT frozen, released_by FROM ops.connector_state WHERE connector = %s", ids["frozen"]) == {
        "frozen": False, "released_by": "oper"}
    assert _row(url, "SELECT count(*) AS n FROM ops.parked_events WHERE connector = %s AND released_at IS NULL",
                ids["frozen"])["n"] == 0

    open_page("Reconciliation", ".rule")
    shot("reconciliation")
    for name in ("health", "review", "incidents", "outreach", "connectors", "reconciliation"):
        assert (shots / f"{name}.png").stat().st_size > 10_000, name
