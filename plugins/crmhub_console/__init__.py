"""crmhub operations console: a FastAPI app mounted in Airflow's API server (see ``crmhub_console_plugin.py``).

Pages and JSON for health, incidents, the review queue, connectors, outreach and reconciliation. Every request is
authenticated by Airflow's own auth manager (:mod:`crmhub_console.auth`); the data comes from the same core
functions the ``crmhub`` CLI calls (no SQL here).
"""
