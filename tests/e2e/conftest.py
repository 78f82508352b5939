from __future__ import annotations

import datetime as dt

import pytest

from simulator import create_app
from simulator.clock import FixedClock
from tests.builders import at
from tests.e2e import medical_world, world

ADMIN_TOKEN = "test-admin-token"
BUSINESS_NOW = at(2026, 4, 1, 9, 0)
LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"


class Wall:
    """The wall clock of token expiry, moved by hand."""

    def __init__(self) -> None:
        self.instant = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.instant


@pytest.fixture
def app(database_url):
    app = create_app(
        {"database_url": database_url, "admin_token": ADMIN_TOKEN},
        clock=FixedClock(BUSINESS_NOW),
    )
    yield app
    app.extensions["oqs"].engine.dispose()


@pytest.fixture
def admin_client(engine, database_url):
    """A test client over an empty store on the business clock, for the admin API
    (``Authorization: Bearer`` :data:`ADMIN_TOKEN`)."""
    app = create_app({"database_url": database_url, "admin_token": ADMIN_TOKEN,
                      "secret_key": "s"})
    yield app.test_client()
    app.extensions["oqs"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin_headers():
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def wall():
    return Wall()


@pytest.fixture
def oqs(database_url, wall):
    """An app over the fixed world of tests/e2e/world.py, business time 2026-04-01 09:00."""
    app = create_app(
        {"database_url": database_url, "admin_token": ADMIN_TOKEN, "secret_key": "test-secret",
         "token_lifetime": 1800},
        clock=FixedClock(world.BUSINESS_NOW), wall=wall,
    )
    world.build(app.extensions["oqs"].engine)
    yield app.test_client()
    app.extensions["oqs"].engine.dispose()


def login(client, user: str = "clinic") -> str:
    response = client.post(LOGIN, json={"userId": user, "password": world.PASSWORDS[user]})
    assert response.status_code == 200, response.data
    return response.get_json()["result"]["idToken"]


@pytest.fixture
def medical(database_url, wall):
    """A test client over the known store of ``medical_world`` (consents, drugs, checkups),
    business time 2026-04-01 09:00; ``person_id`` is hanako's, ``clock`` can be moved."""
    app = create_app(
        {"database_url": database_url, "admin_token": ADMIN_TOKEN, "secret_key": "test-secret"},
        clock=FixedClock(world.BUSINESS_NOW), wall=wall,
    )
    runtime = app.extensions["oqs"]
    client = app.test_client()
    client.person_id = medical_world.build(runtime.engine)
    client.clock = runtime.clock
    yield client
    runtime.engine.dispose()
