"""Ids beyond what the id columns hold (2^31 − 1 in PostgreSQL) name nothing: a 404 in a path,
a 400 in a query string or a body."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ADMIN_TOKEN

TOKEN = ADMIN_TOKEN
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
TOO_BIG = ["2147483648", "9223372036854775808", "18446744073709551616", "9" * 40]


@pytest.fixture
def admin(admin_client):
    return admin_client


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/sim/v1/persons/{}"),
    ("post", "/sim/v1/holds/{}/release"),
    ("post", "/sim/v1/holds/{}/correct"),
    ("post", "/sim/v1/consents/{}/withdraw"),
    ("post", "/sim/v1/emergency/{}/end"),
])
def test_an_id_out_of_range_in_a_path_is_a_404(admin, method, path) -> None:
    for raw in [*TOO_BIG, "0", "²"]:
        response = getattr(admin, method)(path.format(raw), json={}, headers=HEADERS)

        assert response.status_code == 404, raw
        assert response.get_json()["error"]["code"] == "not_found"


def test_the_largest_id_is_looked_up_and_not_found(admin) -> None:
    response = admin.get("/sim/v1/persons/2147483647", headers=HEADERS)

    assert response.status_code == 404
    assert "no person" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/sim/v1/events", "/sim/v1/cards", "/sim/v1/audit",
                                  "/sim/v1/consents"])
def test_an_id_out_of_range_in_a_query_is_a_400_naming_the_parameter(admin, path) -> None:
    for raw in TOO_BIG:
        response = admin.get(path, query_string={"person": raw}, headers=HEADERS)

        assert response.status_code == 400, raw
        assert response.get_json()["error"]["field"] == "person"


@pytest.mark.parametrize(("path", "query"), [
    ("/sim/v1/events", {"person": "²"}),
    ("/sim/v1/events", {"person": "abc"}),
    ("/sim/v1/holds", {"all": "yes"}),
])
def test_a_malformed_query_parameter_is_a_400_naming_it(admin, path, query) -> None:
    response = admin.get(path, query_string=query, headers=HEADERS)

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == next(iter(query))


@pytest.mark.parametrize("body", [{"person": 2**31}, {"person": 2**63}, {"person": 10**30}])
def test_an_id_out_of_range_in_a_body_is_a_400_naming_it(admin, body) -> None:
    for path, rest in (("/sim/v1/cards", {}), ("/sim/v1/events", {"event": "death"}),
                       ("/sim/v1/consents", {"institution": "1311234569", "kinds": ["drug"]})):
        response = admin.post(path, json=rest | body, headers=HEADERS)

        assert response.status_code == 400, path
        assert response.get_json()["error"]["field"] == "person"
