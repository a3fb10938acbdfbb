"""Sync bookkeeping shared by ingestion and CDC: watermarks (``watermarks``) and sync runs (``runs``)."""
