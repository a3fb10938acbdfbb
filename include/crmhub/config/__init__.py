"""Configuration: the integration map (systems, owners, connectors, field contracts, SLAs)."""

from crmhub.config.integration_map import (
    Connector,
    FieldContract,
    IntegrationMap,
    contract_coverage,
    load_integration_map,
    validate_integration_map,
)

__all__ = [
    "Connector",
    "FieldContract",
    "IntegrationMap",
    "contract_coverage",
    "load_integration_map",
    "validate_integration_map",
]
