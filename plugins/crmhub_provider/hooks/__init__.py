"""crmhub provider: hooks."""

#: Airflow connection id of the warehouse. Here, not in ``hooks/crmhub.py``, so operators, sensors and triggers name
#: it without importing the Postgres provider when a DAG is parsed.
WAREHOUSE_CONN_ID = "crmhub_warehouse"
