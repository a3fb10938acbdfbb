"""Reconciliation: daily rule runs between systems, the pre-cutover parallel run, frozen critical fields.

Entry points: :func:`crmhub.reconcile.engine.run_reconciliation` (the DAG calls it),
:func:`crmhub.reconcile.parallel.run_parallel`, :mod:`crmhub.reconcile.amend`. See docs/reconciliation.md.
"""

from crmhub.reconcile.engine import run_reconciliation

__all__ = ["run_reconciliation"]
