"""crmhub provider: notifications."""
