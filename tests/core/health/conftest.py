import pytest
from crmhub.config import load_integration_map


@pytest.fixture(scope="session")
def imap():
    return load_integration_map()
