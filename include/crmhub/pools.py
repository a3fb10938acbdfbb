"""The two Airflow pools crmhub's tasks run in (names and default sizes; the map's ``airflow.pools`` sizes them).

A module of its own, importing nothing, so the DAG files name the pools without loading the integration map's
validator (``crmhub.config`` imports jsonschema and PyYAML): DAG parse time stays small.
"""

#: Tasks of ``critical: true`` items of the map (and the health cycle, reconciliation): run first.
CRITICAL_POOL = "crmhub_critical"
#: Every other crmhub task.
DEFAULT_POOL = "crmhub_default"
#: Pool sizes when the map has no ``airflow.pools`` section.
DEFAULT_POOL_SLOTS = {CRITICAL_POOL: 4, DEFAULT_POOL: 4}
#: ``priority_weight`` of the tasks in each pool: under load the scheduler starts critical work first.
PRIORITY_WEIGHT = {CRITICAL_POOL: 10, DEFAULT_POOL: 1}
