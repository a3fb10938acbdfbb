"""Operations above health: go-live windows (:mod:`golive`), the owners' close-out (:mod:`closeout`),
rollback triggers of the parallel run (:mod:`rollback`), the restore drill (:mod:`drill`) and the report
section (:mod:`report`).

The stop-loss primitives the capabilities check at their batch boundaries (freeze everything, snapshots)
live below, in :mod:`crmhub.safety`, so ingest, CDC, reverse ETL and outreach never import this package.
"""
