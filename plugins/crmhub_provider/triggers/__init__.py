"""crmhub provider: triggers."""
