"""Go-live mode in Airflow: a non-critical task is skipped with the reason, a critical one runs, all resume."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import psycopg
import pytest
from airflow.sdk.exceptions import AirflowSkipException

from crmhub.ops import golive
from crmhub.safety import freeze
from crmhub_provider.suspension import skip_if_suspended

pytestmark = pytest.mark.airflow


def _critical(imap, sync: str):
    raw = dict(imap.raw)
    raw["reverse_etl"] = {**imap.raw["reverse_etl"],
                          "syncs": [dict(s, critical=s["name"] == sync) for s in imap.raw["reverse_etl"]["syncs"]]}
    return dataclasses.replace(imap, raw=raw)


def test_go_live_skips_non_critical_tasks_with_the_reason_and_resumes(warehouse_conn, imap):
    imap = _critical(imap, "contact_traits")
    skip_if_suspended("sync", "company_icp_fit", imap=imap)          # no window: runs
    with psycopg.connect(warehouse_conn) as conn:
        window = golive.start_go_live(conn, 48, by="lena.vogel", reason="CRM cutover")
    with pytest.raises(AirflowSkipException, match="go-live window #1 .* non-critical sync 'company_icp_fit'"):
        skip_if_suspended("sync", "company_icp_fit", imap=imap)   # the hook's connection: AIRFLOW_CONN_...
    skip_if_suspended("sync", "contact_traits", imap=imap)           # critical: runs
    with pytest.raises(AirflowSkipException, match="non-critical automation 'reinstate_interest'"):
        skip_if_suspended("automation", "reinstate_interest", imap=imap)
    # the window ends by itself: 48 h later the same task runs
    with psycopg.connect(warehouse_conn) as conn:
        conn.execute("UPDATE ops.go_live_windows SET starts_at = starts_at - %s, ends_at = ends_at - %s",
                     (timedelta(hours=48), timedelta(hours=48)))
        conn.commit()
    skip_if_suspended("sync", "company_icp_fit", imap=imap)
    assert window.window_id == 1


def test_freeze_all_skips_even_critical_tasks(warehouse_conn, imap):
    imap = _critical(imap, "contact_traits")
    with psycopg.connect(warehouse_conn) as conn:
        freeze.freeze_all(conn, "bad map deployed", "lena.vogel")
    with pytest.raises(AirflowSkipException, match="everything is frozen .*bad map deployed"):
        skip_if_suspended("sync", "contact_traits", imap=imap)


def test_the_base_operator_skips_a_suspended_item_before_execute(warehouse_conn, imap):
    from crmhub_provider.operators.crmhub import ReverseEtlSyncOperator

    op = ReverseEtlSyncOperator(task_id="push", sync="company_icp_fit", dry_run=False)
    assert op.skip_reason({"params": {}}) is None
    with psycopg.connect(warehouse_conn) as conn:
        golive.start_go_live(conn, 48, by="lena.vogel", reason="CRM cutover")
    with pytest.raises(AirflowSkipException, match="non-critical sync 'company_icp_fit' suspended"):
        op.pre_execute({"params": {}})
    assert ReverseEtlSyncOperator(task_id="preview", sync="company_icp_fit", dry_run=True).skip_reason(
        {"params": {}}) is None                                     # a dry run writes nothing: it runs
