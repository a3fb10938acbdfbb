"""Airflow glue for crmhub: hooks, operators, sensors, triggers, notifiers. Thin; calls ``crmhub`` (the core)."""
