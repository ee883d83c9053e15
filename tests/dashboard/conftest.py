from __future__ import annotations

import pytest

from tests.dashboard.data import globex_client, standard_client


@pytest.fixture
def acme(owner_conn):
    """Acme Outdoor: 3 campaigns, 7 creatives, 14 days of priced data."""
    return standard_client(owner_conn)


@pytest.fixture
def globex(owner_conn):
    """Another tenant, whose rows must never show up in Acme's answers."""
    return globex_client(owner_conn)
