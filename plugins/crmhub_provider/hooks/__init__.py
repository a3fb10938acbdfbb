"""crmhub provider: hooks."""
