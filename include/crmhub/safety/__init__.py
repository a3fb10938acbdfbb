"""Stop-loss primitives every capability may check: freeze everything (:mod:`freeze`) and snapshots of
``core`` with what it depends on (:mod:`snapshot`).

They sit low in the dependency order (they import only ``warehouse``, ``config`` and ``exceptions``) so that
ingest, CDC, reverse ETL and outreach can check the freeze at each batch boundary and a backfill can take a
snapshot, while the operations package (:mod:`crmhub.ops`: go-live windows, close-out, drill, rollback
triggers), which sits above health, builds on them.
"""
