"""Change data capture: incremental state, merge semantics, logical decoding, webhooks, backfills."""
