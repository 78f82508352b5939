from __future__ import annotations

import pytest

from simulator import create_app
from simulator.clock import FixedClock
from tests.builders import at

ADMIN_TOKEN = "test-admin-token"
BUSINESS_NOW = at(2026, 4, 1, 9, 0)


@pytest.fixture
def app(database_url):
    app = create_app(
        {"database_url": database_url, "admin_token": ADMIN_TOKEN},
        clock=FixedClock(BUSINESS_NOW),
    )
    yield app
    app.extensions["oqs"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin_headers():
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
