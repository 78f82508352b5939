"""The ``oqs-sim`` command: db, clock, and a real ``serve`` process."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.migrate import head_revision


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_db_upgrade_then_current_report_the_head_revision(sqlite_url) -> None:
    upgraded = run("db", "upgrade", "--db", sqlite_url)
    current = run("db", "current", "--db", sqlite_url)

    head = head_revision()
    assert upgraded.exit_code == 0, upgraded.output
    assert f"schema at revision {head}" in upgraded.output
    assert current.output.strip() == f"{head} (head: {head})"


def test_clock_commands_ask_for_a_migrated_database(sqlite_url) -> None:
    result = run("clock", "show", "--db", sqlite_url)

    assert result.exit_code == 1
    assert "run `oqs-sim db upgrade`" in result.output


def test_clock_set_advance_and_show(database_url) -> None:
    set_ = run("clock", "set", "2026-04-01T09:00", "--frozen", "--db", database_url)
    days = run("clock", "advance", "5d", "--db", database_url)
    hours = run("clock", "advance", "PT3H", "--db", database_url)
    shown = run("clock", "show", "--db", database_url)

    assert set_.output.strip() == "2026-04-01T09:00:00+09:00  frozen"
    assert days.output.strip() == "2026-04-06T09:00:00+09:00  frozen"
    assert hours.output.strip() == "2026-04-06T12:00:00+09:00  frozen"
    assert shown.output.strip() == "2026-04-06T12:00:00+09:00  frozen"


def test_a_running_clock_shows_its_speed(database_url) -> None:
    result = run("clock", "set", "2026-04-01", "--running", "--speed", "60", "--db", database_url)

    assert result.exit_code == 0
    assert result.output.strip().endswith("running ×60")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clock", "advance", "5x"), "DURATION: expected e.g. 5d"),
        (("clock", "advance", "--", "-1d"), "DURATION: expected e.g. 5d"),
        (("clock", "set", "2026-02-30"), "INSTANT: expected YYYY-MM-DD"),
        (("clock", "set", "2026-04-01", "--speed", "0"), "speed: must be a number greater"),
    ],
    ids=["unknown unit", "negative", "impossible date", "zero speed"],
)
def test_bad_clock_input_exits_2_naming_the_argument(database_url, args, message) -> None:
    result = run("clock", args[1], "--db", database_url, *args[2:])

    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clock", "show", "--db", "nonsense"), "database URL: Could not parse"),
        (("clock", "show", "--db", "mysql+nodriver://x/y"), "database URL:"),
        (("clock", "show", "--db", "postgresql://nobody@127.0.0.1:1/none"), "database: "),
        (("serve", "--db", "sqlite://"), "in-memory SQLite database cannot be shared"),
    ],
    ids=["unparseable url", "unknown driver", "no server", "in-memory serve"],
)
def test_database_problems_are_one_line_errors(args, message) -> None:
    result = CliRunner().invoke(main, list(args))

    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clock", "set", "9999-12-31T23:00-05:00"), "INSTANT: must lie between 1900 and 2199"),
        (("clock", "set", "0001-01-01T00:00+09:00"), "INSTANT: must lie between 1900 and 2199"),
        (("clock", "advance", "99999999999d"), "is too long a duration"),
        (("clock", "advance", "P200Y"), "duration: moves business time past the year 2199"),
    ],
    ids=["after 2199", "before 1900", "overflowing duration", "advance past 2199"],
)
def test_out_of_range_clock_input_is_refused(database_url, args, message) -> None:
    result = run("clock", args[1], "--db", database_url, *args[2:])

    assert result.exit_code == 2
    assert message in result.output


def test_a_bad_log_level_is_refused_before_anything_runs(sqlite_url, monkeypatch) -> None:
    monkeypatch.setenv("OQS_LOG_LEVEL", "loud")

    result = CliRunner().invoke(main, ["db", "upgrade", "--db", sqlite_url])

    assert result.exit_code == 1
    assert "log_level must be one of" in result.output


def test_a_config_file_chooses_the_database(tmp_path) -> None:
    config = tmp_path / "oqs-sim.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path}/from-config.db"\n')

    result = run("--config", str(config), "db", "upgrade")

    assert result.exit_code == 0
    assert (tmp_path / "from-config.db").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _console_script() -> str:
    beside_python = Path(sys.executable).with_name("oqs-sim")
    found = str(beside_python) if beside_python.exists() else shutil.which("oqs-sim")
    assert found, "the oqs-sim console script is not installed (pip install -e .)"
    return found


def _get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=2) as response:
        return response.status, json.loads(response.read())


def _wait_for(url: str, deadline: float):
    while True:
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _post_json(url: str, body: dict, headers: dict[str, str] | None = None):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_serve_seeds_the_demo_world_and_answers_a_first_lookup(tmp_path) -> None:
    from simulator.loaders.demo import Story, generate_demo_world

    demo = generate_demo_world()
    account = next(a for a in demo.accounts if a.user == "clinic")
    (person,) = demo.with_story(Story.INSURED)
    card = person.qualifications[0]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [_console_script(), "serve", "--port", str(port), "--workers", "2",
         "--db", f"sqlite:///{tmp_path}/s.db"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )
    try:
        status, body = _wait_for(f"{base}/healthz", time.monotonic() + 30)
        token = _read_admin_token(process)
        _, clock = _get(f"{base}/sim/v1/clock", {"Authorization": f"Bearer {token}"})
        _, login = _post_json(f"{base}/oqs-api-pro/MSA12020/ILI12020SV01/auth",
                              {"userId": "clinic", "password": account.password})
        _, found = _post_json(
            f"{base}/oqs-api-pro/MSA01030/ILI01030SV01/search",
            {"XmlMsg": {"MessageHeader": {"QualificationConfirmationDate": "20260401",
                                          "MedicalInstitutionCode": account.institution_code},
                        "MessageBody": {"QualificationConfirmSearchInfo": {
                            "InsurerNumber": card.insurer.number, "InsuredCardSymbol": card.symbol,
                            "InsuredIdentificationNumber": card.number,
                            "Birthdate": card.birthdate.strftime("%Y%m%d")}}}},
            {"Authorization": login["result"]["idToken"]})
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()

    assert (status, body) == (200, {"status": "ok", "database": "ok"})
    assert clock == {"now": "2026-04-01T09:00:00+09:00", "mode": "frozen", "speed": 1.0}
    assert found["XmlMsg"]["MessageBody"]["QualificationValidity"] == "1"


def _read_admin_token(process) -> str:
    for line in process.stdout:
        if line.startswith("admin token"):
            return line.rsplit(" ", 1)[-1].strip()
    raise AssertionError("serve did not print the admin token")


def test_institution_commands_issue_list_and_refuse_clearly(tmp_path) -> None:
    env = {"OQS_PKI_DIR": str(tmp_path / "pki"), "OQS_DATABASE_URL": f"sqlite:///{tmp_path}/i.db"}
    runner = CliRunner(env=env)
    runner.invoke(main, ["db", "upgrade"])
    no_ca = runner.invoke(main, ["institution", "add", "1311000002", "--name", "a",
                                 "--user", "u", "--password", "p"])
    runner.invoke(main, ["ca", "init"])
    added = runner.invoke(main, ["institution", "add", "1311000002", "--name", "さくら内科",
                                 "--user", "sakura", "--password", "pw"])
    again = runner.invoke(main, ["institution", "add", "1311000002", "--name", "x",
                                 "--user", "other", "--password", "pw"])
    bad = runner.invoke(main, ["institution", "add", "1311000003", "--name", "x",
                               "--user", "x", "--password", "pw"])
    second_ca = runner.invoke(main, ["ca", "init"])
    listed = runner.invoke(main, ["institution", "list"])

    assert no_ca.exit_code == 1 and "oqs-sim ca init" in no_ca.output
    assert added.exit_code == 0, added.output
    assert (tmp_path / "pki/institutions/1311000002/key.pem").stat().st_mode & 0o777 == 0o600
    assert again.exit_code == 2 and "already registered" in again.output
    assert bad.exit_code == 2 and "CODE: 検証番号" in bad.output
    assert second_ca.exit_code == 1 and "exist" in second_ca.output
    assert "1311000002  medical   sakura" in listed.output
    assert "certificates 1 live / 1" in listed.output


def test_serve_with_a_population_generates_it_before_serving(tmp_path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [_console_script(), "serve", "--port", str(port), "--workers", "1",
         "--population", "300", "--db", f"sqlite:///{tmp_path}/p.db"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )
    try:
        _wait_for(f"{base}/healthz", time.monotonic() + 60)
        token = _read_admin_token(process)
        _, stats = _get(f"{base}/sim/v1/population/stats", {"Authorization": f"Bearer {token}"})
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    assert stats["persons"] == 300 + 300  # the demo world, then the population
    assert stats["business_time"].startswith("2026-04-01T09:00")
