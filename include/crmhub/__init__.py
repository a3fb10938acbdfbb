"""crmhub core: plain Python, no Airflow import.

The Airflow glue in ``plugins/crmhub_provider`` and the DAG files in ``dags/`` call into this package.
"""

__version__ = "0.1.0"
