"""The rollout's KPIs, per day, from the tables the DAGs write (``ops``, ``core``), and their HTML report.

``crmhub.kpi.metrics`` holds one query per KPI (``(conn, start, end, imap) -> {day: value}``),
``crmhub.kpi.targets`` the seed's baseline and target for each, ``crmhub.kpi.html`` renders the report
(PNG charts with matplotlib's Agg backend + one self-contained HTML page). Nothing here computes a KPI
from anything but the warehouse: change a row in ``ops`` and the report changes.
"""

from crmhub.kpi.metrics import KPI_QUERIES, kpi_series
from crmhub.kpi.targets import KPIS, Kpi

__all__ = ["KPIS", "KPI_QUERIES", "Kpi", "kpi_series"]
