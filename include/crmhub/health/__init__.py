"""Integration health, SLAs, incidents and alerting ("page, don't poll"). See docs/health.md."""

from crmhub.health.score import BLOCK_BELOW, HEALTHY_MIN, HealthResult, connector_health, integration_health

__all__ = ["BLOCK_BELOW", "HEALTHY_MIN", "HealthResult", "connector_health", "integration_health"]
