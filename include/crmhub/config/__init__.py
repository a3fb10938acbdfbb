"""Configuration: the integration map (systems, owners, connectors, field contracts, SLAs)."""

from crmhub.config.integration_map import (
    CRITICAL_POOL,
    DEFAULT_POOL,
    ITEM_SECTIONS,
    Connector,
    FieldContract,
    IntegrationMap,
    contract_coverage,
    is_critical,
    load_integration_map,
    map_item,
    pool_slots,
    split_by_criticality,
    validate_integration_map,
)

__all__ = [
    "CRITICAL_POOL",
    "DEFAULT_POOL",
    "ITEM_SECTIONS",
    "Connector",
    "FieldContract",
    "IntegrationMap",
    "contract_coverage",
    "is_critical",
    "load_integration_map",
    "map_item",
    "pool_slots",
    "split_by_criticality",
    "validate_integration_map",
]
