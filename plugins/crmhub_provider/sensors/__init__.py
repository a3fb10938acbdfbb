"""crmhub provider: sensors."""
