"""``oqs-sim fault start|list|end`` (docs/interfaces.md): the same faults as ``/sim/v1/faults``, in
business time from the store's clock, set here to 2026-04-01 09:00 JST (frozen)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from simulator import create_app
from simulator.cli import main
from simulator.clock import FixedClock
from tests.builders import at
from tests.e2e import medical_world as mw
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, SEARCH, login

BUSINESS_NOW = "2026-04-01T09:00:00+09:00"


def run(*args: str, db: str):
    return CliRunner().invoke(main, [*args, "--db", db], catch_exceptions=False)


@pytest.fixture
def db(database_url, engine) -> str:
    """The fixed world of tests/e2e/world.py, its business clock at 2026-04-01 09:00."""
    world.build(engine)
    result = run("clock", "set", "2026-04-01T09:00", "--frozen", db=database_url)
    assert result.exit_code == 0, result.output
    return database_url


def lines(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_start_list_and_end_an_outage(db) -> None:
    started = run("fault", "start", "outage", "--name", "core-down", db=db)
    listing = run("fault", "list", db=db)
    run("clock", "advance", "PT30M", db=db)
    ended = run("fault", "end", "core-down", db=db)
    after = run("fault", "list", db=db)

    line = f"core-down  active     outage  all  outage as segment  {BUSINESS_NOW} → until ended"
    assert lines(started) == lines(listing) == [line]
    stopped = ("core-down  ended      outage  all  outage as segment  "
               f"{BUSINESS_NOW} → until ended  ended 2026-04-01T09:30:00+09:00")
    assert lines(ended) == lines(after) == [stopped]


def test_each_kind_is_shown_with_its_scope_and_parameters(db) -> None:
    run("fault", "start", "maintenance", "--system", "jpki", "--from", "2026-04-01T12:00",
        "--to", "2026-04-01T13:00", db=db)
    run("fault", "start", "latency", "--latency-ms", "150", "--jitter-ms", "20",
        "--distribution", "uniform", "--route", "files", db=db)
    run("fault", "start", "errors", "--rate", "0.5", "--seed", "7", "--answer", "http",
        "--http-status", "502", "--institution", mw.CLINIC_B, db=db)

    assert lines(run("fault", "list", db=db)) == [
        f"errors-1  active     errors  all {mw.CLINIC_B}  outage as http at rate 0.5  "
        f"{BUSINESS_NOW} → until ended",
        f"latency-1  active     latency  files  +150ms ±20 uniform  {BUSINESS_NOW} → until ended",
        "maintenance-1  scheduled  maintenance  card  jpki_maintenance as segment  "
        "2026-04-01T12:00:00+09:00 → 2026-04-01T13:00:00+09:00",
    ]


def test_a_scheduled_fault_ended_before_it_begins_is_cancelled(db) -> None:
    run("fault", "start", "outage", "--name", "tonight", "--from", "2026-04-01T22:00", db=db)

    ended = run("fault", "end", "tonight", db=db)

    assert lines(ended)[0].startswith("tonight  cancelled  outage")


#: Bad options of ``fault start``, each with what its one-line error says.
BAD_OPTIONS = {
    "rate out of range": (("errors", "--rate", "1.5"),
                          "rate: must be a number from 0 to 1, got 1.5"),
    "rate on an outage": (("outage", "--rate", "0.5"), "rate: does not apply"),
    "latency without latency_ms": (("latency",), "latency_ms: is required"),
    "http_status 418": (("outage", "--http-status", "418"),
                        "http_status: must be one of 500, 502, 503, 504"),
    "jpki on an outage": (("outage", "--system", "jpki"),
                          "system: jpki applies only to a maintenance window"),
    "jpki on the files route": (("maintenance", "--system", "jpki", "--route", "files"),
                                "route: a JPKI window touches only the card route"),
    "bad check digit": (("outage", "--institution", "1311000003"), "institution:"),
    "institution not registered": (("outage", "--institution", mw.PHARMACY),
                                   "institution: no institution"),
    "name with a space": (("outage", "--name", "core down"), "name: must be 1–64 letters"),
    "impossible date": (("outage", "--from", "2026-02-30"), "--from:"),
    "to before from": (("outage", "--from", "2026-04-01T12:00", "--to", "2026-04-01T11:00"),
                       "to: must be after from"),
    "unknown route": (("outage", "--route", "fax"), "Invalid value for '--route'"),
}


def test_each_bad_option_exits_2_naming_the_field_and_nothing_is_stored(db) -> None:
    answers = {}
    for case, (args, message) in BAD_OPTIONS.items():
        refused = run("fault", "start", *args, db=db)
        answers[case] = (refused.exit_code, message in refused.output,
                         "Traceback" in refused.output)

    assert answers == {case: (2, True, False) for case in BAD_OPTIONS}
    assert lines(run("fault", "list", db=db)) == []


def test_a_duplicate_name_and_a_second_end_are_refused(db) -> None:
    run("fault", "start", "outage", "--name", "core-down", db=db)
    duplicate = run("fault", "start", "latency", "--name", "core-down", "--latency-ms", "5",
                    db=db)
    run("clock", "advance", "PT1M", db=db)
    run("fault", "end", "core-down", db=db)

    again = run("fault", "end", "core-down", db=db)
    unknown = run("fault", "end", "no-such-fault", db=db)

    assert (duplicate.exit_code, again.exit_code, unknown.exit_code) == (2, 2, 2)
    assert "a fault named 'core-down' exists" in duplicate.output
    assert "has already stopped" in again.output
    assert "no fault named 'no-such-fault'" in unknown.output
    assert len(lines(run("fault", "list", db=db))) == 1


def test_a_fault_started_on_the_command_line_refuses_the_next_request_of_a_server(
        db, wall) -> None:
    app = create_app({"database_url": db, "admin_token": ADMIN_TOKEN,
                      "secret_key": "test-secret", "fault_refresh_ms": 0},
                     clock=FixedClock(at(2026, 4, 1, 9, 0)), wall=wall)
    try:
        client = app.test_client()
        token = login(client)

        def ask():
            return client.post(SEARCH, json=world.request_tree(world.SEARCHES["1"]),
                               headers={"Authorization": token})

        assert ask().status_code == 200

        run("fault", "start", "outage", "--route", "webapi", db=db)
        refused = ask()
        run("fault", "end", "outage-1", db=db)

        assert refused.status_code == 503
        assert refused.get_json()["XmlMsg"]["MessageHeader"]["ErrorCode"] == "E9001"
        assert ask().status_code == 200
    finally:
        app.extensions["oqs"].engine.dispose()
