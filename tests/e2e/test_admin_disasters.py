"""Disasters through the admin API (``/sim/v1/disasters``) and the CLI (``oqs-sim disaster``)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from simulator import schema
from simulator.cli import main
from simulator.schema import metadata
from tests.e2e.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
NOTO = "令和6年能登半島地震"
DECLARATION = {"name": NOTO, "prefectures": ["17"], "from": "2026-03-31T16:10:00+09:00",
               "to": "2026-04-07T00:00:00+09:00"}  # business now is 2026-04-01 09:00


def rows(client) -> dict[str, list[tuple]]:
    with client.application.extensions["oqs"].engine.connect() as connection:
        return {t.name: [tuple(r) for r in connection.execute(select(t))]
                for t in metadata.sorted_tables if t.name.startswith("disaster")}


def declare(client, **changes):
    return client.post("/sim/v1/disasters", json=DECLARATION | changes, headers=ADMIN)


def error_of(response) -> tuple[int, str | None]:
    return response.status_code, response.get_json()["error"].get("field")


# -- admin API -----------------------------------------------------------------------------------


def test_declaring_answers_the_declaration_and_lists_it_as_active(client) -> None:
    response = declare(client)

    listed = client.get("/sim/v1/disasters", headers=ADMIN).get_json()["disasters"]
    assert response.status_code == 201
    assert listed == [response.get_json()]
    assert listed[0] | {"id": None} == {
        "id": None, "name": NOTO, "prefectures": ["17"], "municipalities": [],
        "from": "2026-03-31T16:10:00+09:00", "to": "2026-04-07T00:00:00+09:00",
        "extensions": [], "ended_at": None, "last_end": "2026-04-07T00:00:00+09:00",
        "status": "active", "active": True}


def test_extend_then_end(client) -> None:
    declare(client, municipalities=["17204", "172057"])

    extended = client.post(f"/sim/v1/disasters/{NOTO}/extend", headers=ADMIN,
                           json={"to": "2026-04-14T00:00:00+09:00",
                                 "municipalities": ["172049"]})
    ended = client.post(f"/sim/v1/disasters/{NOTO}/end", headers=ADMIN)

    assert extended.status_code == 200
    assert extended.get_json()["extensions"] == [
        {"to": "2026-04-14T00:00:00+09:00", "prefectures": [], "municipalities": ["172049"]}]
    assert ended.status_code == 200
    assert ended.get_json()["ended_at"] == "2026-04-01T09:00:00+09:00"
    assert ended.get_json()["status"] == "ended"


@pytest.mark.parametrize(("body", "field"), [
    ({"prefectures": ["99"]}, "prefectures[0]"),
    ({"prefectures": "17"}, "prefectures"),
    ({"municipalities": ["172040"]}, "municipalities[0]"),
    ({"from": "yesterday"}, "from"),
    ({"to": 20260407}, "to"),
    ({"to": "2026-03-01T00:00:00+09:00"}, "to"),
    ({"name": ""}, "name"),
    ({"area": "能登"}, "area"),
])
def test_a_bad_declaration_is_400_naming_the_field_and_stores_nothing(client, body,
                                                                      field) -> None:
    response = declare(client, **body)

    assert error_of(response) == (400, field)
    assert rows(client) == {"disasters": [], "disaster_extensions": []}


def test_bad_extensions_and_ends_change_nothing(client) -> None:
    declare(client)
    before = rows(client)

    outside = client.post(f"/sim/v1/disasters/{NOTO}/extend", headers=ADMIN,
                          json={"to": "2026-04-14T00:00:00+09:00", "prefectures": ["16"]})
    no_to = client.post(f"/sim/v1/disasters/{NOTO}/extend", headers=ADMIN, json={})
    unknown = client.post("/sim/v1/disasters/無い/end", headers=ADMIN)
    bad_at = client.post(f"/sim/v1/disasters/{NOTO}/end", headers=ADMIN, json={"at": "x"})
    late = client.post(f"/sim/v1/disasters/{NOTO}/end", headers=ADMIN,
                       json={"at": "2026-05-01T00:00:00+09:00"})

    assert error_of(outside) == (400, "prefectures")
    assert error_of(no_to) == (400, "to")
    assert error_of(unknown) == (404, None)
    assert error_of(bad_at) == (400, "at")
    assert late.status_code == 409
    assert rows(client) == before


def test_a_duplicate_name_is_409(client) -> None:
    declare(client)

    assert declare(client, prefectures=["16"]).status_code == 409
    assert len(rows(client)["disasters"]) == 1


def test_disaster_events_go_through_the_events_route_without_a_person(client) -> None:
    response = client.post("/sim/v1/events", headers=ADMIN, json={
        "event": "disaster_declare", "at": "2026-04-01T09:00:00+09:00", "name": NOTO,
        "prefectures": ["17"], "to": "2026-04-07T00:00:00+09:00"})

    assert response.status_code in (200, 201), response.get_json()
    assert response.get_json()["person"] is None
    (row,) = rows(client)["disasters"]
    assert row[schema.disasters.c.keys().index("name")] == NOTO


# -- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def cli(database_url):
    runner = CliRunner(env={"OQS_CONFIG": None})

    def run(*args: str):
        return runner.invoke(main, [*args, "--db", database_url], catch_exceptions=False)

    run("clock", "set", "2024-01-03T09:00", "--frozen")
    return run


def test_cli_declare_list_extend_end(cli) -> None:
    declared = cli("disaster", "declare", NOTO, "--prefecture", "17", "--from",
                   "2024-01-01T16:10", "--to", "2024-01-08")
    extended = cli("disaster", "extend", NOTO, "--to", "2024-01-15", "--municipality",
                   "172049")
    listed = cli("disaster", "list")
    ended = cli("disaster", "end", NOTO, "--at", "2024-01-12")

    assert declared.exit_code == extended.exit_code == ended.exit_code == 0, declared.output
    assert declared.output.split() == [NOTO, "active", "17", "2024-01-01T16:10:00+09:00", "→",
                                       "2024-01-08T00:00:00+09:00"]
    assert "extended to 2024-01-15T00:00:00+09:00 in 172049" in listed.output
    assert "ended 2024-01-12T00:00:00+09:00" in ended.output


@pytest.mark.parametrize(("args", "message"), [
    (("declare", "x", "--prefecture", "48", "--from", "2024-01-01", "--to", "2024-01-08"),
     "prefectures[0]"),
    (("declare", "x", "--prefecture", "17", "--from", "soon", "--to", "2024-01-08"), "--from"),
    (("declare", "x", "--prefecture", "17", "--municipality", "172040", "--from",
      "2024-01-01", "--to", "2024-01-08"), "municipalities[0]"),
    (("extend", "無い", "--to", "2024-01-15"), "no disaster named"),
    (("end", "無い"), "no disaster named"),
])
def test_bad_disaster_commands_exit_2_with_one_line(cli, args, message) -> None:
    result = cli("disaster", *args)

    assert result.exit_code == 2
    assert message in result.output
    assert cli("disaster", "list").output == ""
