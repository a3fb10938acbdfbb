"""Every file in dags/ parses with zero import errors, and each defines its fixed DAG id."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXED_IDS = {
    "crmhub_ingest", "crmhub_cdc", "crmhub_backfill", "crmhub_identity", "crmhub_health",
    "crmhub_reverse_etl", "crmhub_reconciliation", "crmhub_outreach",
}

pytestmark = pytest.mark.airflow


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory, monkeypatch_module):
    home = tmp_path_factory.mktemp("airflow_home")
    monkeypatch_module.setenv("AIRFLOW_HOME", str(home))
    monkeypatch_module.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    monkeypatch_module.setenv("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
    monkeypatch_module.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_each_file_defines_its_fixed_dag(dagbag):
    files = sorted(p.stem for p in (ROOT / "dags").glob("*.py") if not p.name.startswith("_"))
    assert set(files) <= FIXED_IDS, f"unexpected DAG files: {set(files) - FIXED_IDS}"
    assert set(dagbag.dags) == set(files)
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id
        assert dag.tags and "crmhub" in dag.tags
        assert not dag.catchup or dag_id == "crmhub_reconciliation"


def test_backfill_form_offers_every_date_range_connector_of_the_map(dagbag):
    from crmhub.cdc.backfill import DATE_RANGE_KINDS
    from crmhub.config import load_integration_map

    imap = load_integration_map()
    expected = [c.name for c in imap.connectors if c.kind in DATE_RANGE_KINDS]
    param = dagbag.dags["crmhub_backfill"].params.get_param("source")
    assert param.schema["enum"] == expected
    assert "crm_deals" in expected and "fundadmin_lp_contacts" not in expected  # a REST connector; a CSV one
