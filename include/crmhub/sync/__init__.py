"""Sync bookkeeping shared by ingestion, CDC and health: watermarks, sync runs, connector freeze state, stale loads."""
