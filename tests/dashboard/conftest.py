from __future__ import annotations

import pytest

from tests.dashboard.data import Client, add_client, add_metrics, add_tree, standard_client


@pytest.fixture
def acme(owner_conn) -> Client:
    return standard_client(owner_conn)


@pytest.fixture
def globex(owner_conn) -> Client:
    client = add_client(owner_conn, "Globex", "globex")
    add_tree(owner_conn, client, {"Globex Launch": {"All": {"Everywhere": ["Globex Ad"]}}})
    add_metrics(owner_conn, client, scale=3)
    return client
