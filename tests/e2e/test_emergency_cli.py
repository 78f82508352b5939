"""``oqs-sim emergency start|list|end``: emergency mode (緊急時医療情報・資格確認機能) from the
command line, in business time, over the fixed world of ``world.py`` (clinic and dental)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from simulator import schema
from simulator.cli import main
from tests.e2e import world

CLINIC = world.CLINIC.code
DENTAL = world.DENTAL.code
UNREGISTERED = "1312000019"  # a well-formed code no institution has
NOW = "2026-04-01T09:00:00+09:00"


@pytest.fixture
def cli(database_url, engine):
    world.build(engine)
    runner = CliRunner(env={"OQS_CONFIG": None})

    def run(*args: str):
        return runner.invoke(main, [*args, "--db", database_url], catch_exceptions=False)

    assert run("clock", "set", "2026-04-01T09:00", "--frozen").exit_code == 0
    return run


def stored(engine) -> list[tuple]:
    m = schema.emergency_modes
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(m.c.id, m.c.institution_code, m.c.reason, m.c.ended_at).order_by(m.c.id))]


def test_start_list_and_end_a_mode(cli) -> None:
    started = cli("emergency", "start", DENTAL, "--reason", "端末故障", "--from",
                  "2026-04-01T08:00")
    listed = cli("emergency", "list")
    ended = cli("emergency", "end", "1")

    assert started.exit_code == listed.exit_code == ended.exit_code == 0, started.output
    assert started.output.split() == ["1", DENTAL, "active", "2026-04-01T08:00:00+09:00", "→",
                                      "until", "ended", "端末故障"]
    assert listed.output == started.output
    assert ended.output.split() == ["1", DENTAL, "ended", "2026-04-01T08:00:00+09:00", "→",
                                    "until", "ended", "ended", NOW, "端末故障"]
    assert cli("emergency", "list").output == ended.output


def test_start_defaults_to_business_now_and_shows_a_period_end(cli) -> None:
    result = cli("emergency", "start", CLINIC, "--to", "2026-04-03")

    assert result.exit_code == 0, result.output
    assert result.output.split() == ["1", CLINIC, "active", NOW, "→",
                                     "2026-04-03T00:00:00+09:00"]


def test_the_list_shows_each_status_at_business_now(cli) -> None:
    cli("emergency", "start", CLINIC, "--from", "2026-03-01", "--to", "2026-03-02")
    cli("emergency", "start", DENTAL, "--from", "2026-04-05")

    lines = cli("emergency", "list").output.splitlines()

    assert [line.split()[:3] for line in lines] == [["1", CLINIC, "over"],
                                                    ["2", DENTAL, "scheduled"]]


def test_end_at_a_given_instant(cli) -> None:
    cli("emergency", "start", DENTAL)

    result = cli("emergency", "end", "1", "--at", "2026-04-01T12:00")

    assert result.exit_code == 0, result.output
    assert "ended 2026-04-01T12:00:00+09:00" in result.output
    assert result.output.split()[2] == "active"  # still active at business now (09:00)


@pytest.mark.parametrize(("args", "message"), [
    (("start", UNREGISTERED), f"institution: no institution {UNREGISTERED} is registered"),
    (("start", "1311000003"), "institution: 検証番号3が一致しません"),
    (("start", DENTAL, "--from", "soon"), "--from"),
    (("start", DENTAL, "--to", "2026-04-01T08:00"), "to: must be after from"),
    (("start", DENTAL, "--reason", "あ" * 201), "reason: must be text of at most 200"),
    (("end", "7"), "no emergency mode 7"),
    (("end", "1", "--at", "later"), "--at"),
], ids=["unknown institution", "bad check digit", "bad --from", "--to before now",
        "reason too long", "unknown id", "bad --at"])
def test_a_refused_command_exits_2_with_one_line_and_stores_nothing(cli, engine, args,
                                                                    message) -> None:
    result = cli("emergency", *args)

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert stored(engine) == []
    assert cli("emergency", "list").output == ""


def test_an_overlapping_start_is_refused_and_the_first_mode_stays(cli, engine) -> None:
    cli("emergency", "start", DENTAL)

    result = cli("emergency", "start", DENTAL, "--from", "2026-04-02")

    assert result.exit_code == 2
    assert f"{DENTAL} is already in emergency mode (id 1)" in result.output
    assert stored(engine) == [(1, DENTAL, "", None)]


def test_ending_a_mode_twice_is_refused_and_keeps_the_first_end(cli, engine) -> None:
    cli("emergency", "start", DENTAL, "--from", "2026-04-01T08:00")
    cli("emergency", "end", "1")
    first = stored(engine)

    result = cli("emergency", "end", "1", "--at", "2026-04-01T10:00")

    assert result.exit_code == 2
    assert f"emergency mode 1 has already stopped ({NOW})" in result.output
    assert stored(engine) == first
