"""Ingestion: sources read batches; the loader lands, grades and upserts them."""
