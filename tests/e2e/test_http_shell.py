"""The HTTP shell: health, the admin clock, and errors in the admin API's JSON."""

from __future__ import annotations

import pytest

from simulator import create_app
from simulator.config import ConfigError
from tests.e2e.conftest import ADMIN_TOKEN


def test_healthz_reports_the_database(client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_says_unavailable_when_the_database_cannot_be_opened(tmp_path) -> None:
    app = create_app({"database_url": f"sqlite:///{tmp_path}/missing-dir/x.db",
                      "admin_token": ADMIN_TOKEN})

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    app.extensions["oqs"].engine.dispose()


def test_the_admin_clock_tells_business_time(client, admin_headers) -> None:
    response = client.get("/sim/v1/clock", headers=admin_headers)

    assert response.status_code == 200
    assert response.get_json() == {"now": "2026-04-01T09:00:00+09:00", "mode": "frozen",
                                   "speed": 0.0}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN},
     {"Authorization": "Bearer tést"}],
    ids=["no token", "wrong token", "token without the Bearer scheme", "non-ascii token"],
)
def test_the_admin_api_refuses_without_the_admin_token(client, headers) -> None:
    response = client.get("/sim/v1/clock", headers=headers)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_invalid"


def test_an_unknown_route_answers_json_not_html(client) -> None:
    response = client.get("/nope")

    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_wrong_method_answers_json(client) -> None:
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_create_app_refuses_an_unknown_setting() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        create_app({"database": "sqlite://"})


def test_without_a_configured_token_the_app_makes_its_own(database_url, caplog) -> None:
    app = create_app({"database_url": database_url})
    token = app.extensions["oqs"].admin_token

    refused = app.test_client().get("/sim/v1/clock")
    allowed = app.test_client().get("/sim/v1/clock", headers={"Authorization": f"Bearer {token}"})

    assert len(token) >= 24
    assert refused.status_code == 401 and allowed.status_code == 200
    assert token in caplog.text
    app.extensions["oqs"].engine.dispose()
