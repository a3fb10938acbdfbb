"""Each reverse-ETL sync runs on its own ``schedule``; a run can also ask for all syncs or one."""

from datetime import UTC, datetime

import psycopg
import pytest

from crmhub.exceptions import CrmHubError
from crmhub.reverse_etl.tasks import destination_connectors, due_syncs, plan_syncs

NOW = datetime(2026, 12, 5, 2, 20, tzinfo=UTC)


def _finished(db: str, sync: str, at: datetime, status: str = "success") -> None:
    with psycopg.connect(db) as conn:
        conn.execute("INSERT INTO ops.reverse_etl_runs (sync_name, destination, connector, mode, status, started_at, "
                     "finished_at) VALUES (%s, 'x', 'x', 'upsert', %s, %s, %s)", (sync, status, at, at))


SYNCS = ["contact_traits", "company_icp_fit", "lp_traits_analytics", "contact_intent_score", "company_invoice_status",
         "lp_contacts"]


def test_every_sync_is_due_on_its_first_run(db):
    assert due_syncs(db, now=NOW) == SYNCS


def test_a_sync_is_due_when_its_own_cron_fired_since_its_last_run(db):
    _finished(db, "contact_traits", datetime(2026, 12, 5, 2, 16, tzinfo=UTC))   # "15 */2 * * *": next at 04:15
    _finished(db, "company_icp_fit", datetime(2026, 12, 4, 2, 31, tzinfo=UTC))  # "30 2 * * *": next at 02:30
    _finished(db, "lp_traits_analytics", datetime(2026, 12, 4, 2, 46, tzinfo=UTC), status="failed")  # not finished
    _finished(db, "contact_intent_score", datetime(2026, 12, 5, 2, 16, tzinfo=UTC))  # "*/15": next at 02:30
    _finished(db, "company_invoice_status", datetime(2026, 12, 5, 2, 21, tzinfo=UTC))  # "20 */2": next at 04:20
    _finished(db, "lp_contacts", datetime(2026, 12, 5, 2, 16, tzinfo=UTC))   # "15 */2 * * *": next at 04:15
    assert due_syncs(db, now=NOW) == ["lp_traits_analytics"]
    assert due_syncs(db, now=datetime(2026, 12, 5, 2, 31, tzinfo=UTC)) == [
        "company_icp_fit", "lp_traits_analytics", "contact_intent_score"]


def test_plan_splits_by_criticality_and_checks_the_choice(db):
    assert plan_syncs(db, "all", now=NOW) == {"critical": ["contact_traits"], "default": SYNCS[1:]}
    assert plan_syncs(db, "company_icp_fit", now=NOW) == {"critical": [], "default": ["company_icp_fit"]}
    with pytest.raises(CrmHubError, match="unknown sync 'nope'; use due, all or one of: contact_traits"):
        plan_syncs(db, "nope")


def test_destination_connectors_are_the_crm_ones():
    assert destination_connectors() == ["crm_companies", "crm_contacts"]
