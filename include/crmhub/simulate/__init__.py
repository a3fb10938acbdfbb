"""``crmhub simulate``: play the 21-day rollout through the DAGs' own task functions, day by day, on a clock.

Stages: :mod:`plan` (the rollout's interventions by day), :mod:`world` (what the other systems do each day,
with the baseline's planted problems), :mod:`runner` (the clock, the demo services and the tasks in DAG
order), :mod:`report` (the KPI report over the simulated days: every figure from ``crmhub.kpi``).
"""

from crmhub.simulate.plan import RolloutPlan
from crmhub.simulate.runner import SimulationResult, simulate

__all__ = ["RolloutPlan", "SimulationResult", "simulate"]
