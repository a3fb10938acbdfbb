import pytest
from health_receivers import smtp_sink, webhook_server  # noqa: F401  (fixtures for the alert tests)

from crmhub.config import load_integration_map


@pytest.fixture(scope="session")
def imap():
    return load_integration_map()
