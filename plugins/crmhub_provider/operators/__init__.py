"""crmhub provider: operators."""
