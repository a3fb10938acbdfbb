"""Operations controls: freeze everything, go-live windows, snapshots and restore, the restore drill.

A leaf of the core: it imports only ``crmhub.exceptions`` / ``crmhub.config`` / ``crmhub.warehouse`` at
module level, so ingest, reverse ETL and outreach can call its batch-boundary check without a cycle.
"""
