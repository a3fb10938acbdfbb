"""Local CRM sandbox speaking the HubSpot CRM v3 wire format (tests, demo, ingestion, reverse ETL).

See docs/crm_sandbox.md. Main entry points: :class:`SandboxServer` (in-process, ephemeral port),
``crmhub crm-sandbox`` (CLI), :func:`verify_signature_v3` (webhook receivers).
"""

from crm_sandbox.faults import FaultConfig, FaultInjector, parse_rate_limit
from crm_sandbox.seed import load_seed_file, merge_seeds
from crm_sandbox.server import SandboxServer
from crm_sandbox.service import Sandbox
from crm_sandbox.webhooks import WebhookDispatcher
from crmhub.hubspot.signatures import sign_v3, verify_signature_v3

__all__ = [
    "FaultConfig",
    "FaultInjector",
    "Sandbox",
    "SandboxServer",
    "WebhookDispatcher",
    "load_seed_file",
    "merge_seeds",
    "parse_rate_limit",
    "sign_v3",
    "verify_signature_v3",
]
