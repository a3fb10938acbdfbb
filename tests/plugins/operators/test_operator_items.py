"""The operators that run one map item name it: the incident subject (``crmhub_item``) and the mapped tasks' label."""

from __future__ import annotations

import pytest

pytest.importorskip("airflow")

from crmhub_provider.operators.crmhub import (  # noqa: E402
    BackfillChunkOperator,
    BackfillPlanOperator,
    ConnectorSyncOperator,
    HealthOperator,
    OutreachAutomationOperator,
    ReverseEtlSyncOperator,
)

pytestmark = pytest.mark.airflow


@pytest.mark.parametrize(("operator", "field", "kind"), [
    (ConnectorSyncOperator, "connector", "connector"),
    (ReverseEtlSyncOperator, "sync", "sync"),
    (OutreachAutomationOperator, "automation", "automation"),
])
def test_the_item_names_the_task_and_its_mapped_label(operator, field, kind):
    task = operator(task_id="t", **{field: "crm_contacts"})
    assert task.item_name == "crm_contacts" and task.crmhub_item == (kind, "crm_contacts")
    assert task.map_index_template == "{{ task." + field + " }}"
    labelled = operator(task_id="u", map_index_template="{{ task.other }}", **{field: "x"})
    assert labelled.map_index_template == "{{ task.other }}"  # a DAG's own label wins


def test_an_operator_without_an_item_has_none():
    task = HealthOperator(task_id="h", step="cycle")
    assert task.item_name is None and task.crmhub_item is None and task.map_index_template is None


@pytest.mark.parametrize("task", [
    BackfillPlanOperator(task_id="plan"),
    BackfillChunkOperator(task_id="chunk", chunk={"start": "a", "end": "b"}),
])
def test_a_backfill_task_names_the_connector_of_its_run(task):
    assert task.crmhub_item is None  # until a run names its source
    task.pre_execute({"params": {"source": "fundadmin_commitments", "dry_run": True}})
    assert task.crmhub_item == ("connector", "fundadmin_commitments")
    assert task.crmhub_subject == "fundadmin_commitments"  # a failure pages that connector's owner
