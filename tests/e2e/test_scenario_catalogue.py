"""The scenario catalogue (datasets/scenarios) and ``oqs-sim scenario list|load|check``.

Every shipped story must pass its own expectations in a fresh store, read well to a trainer
(Japanese title and description), and be loadable next to the others in one server. The
checker itself must fail loudly and readably: a diff line per wrong key, JUnit XML for CI, and
a file that does not validate reported by its name and the place inside it.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select

from simulator import create_app
from simulator.cli import main
from simulator.db import make_engine
from simulator.scenarios.check import check_files, render_table
from simulator.scenarios.load import catalogue, parse_scenario, read_scenario
from simulator.schema import metadata
from simulator.timeline import KINDS

CATALOGUE = catalogue()
SCENARIOS = {path.stem: path for path in CATALOGUE}
EXAMPLE = SCENARIOS["job-change-lag"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
# expect[1] of job-change-lag: the new card two days into the lag answers 4 該当資格なし.
ANSWERED_NOT_FOUND = '    result: {validity: "4", ok: true}\n'
EXPECTED_VALID = '    result: {validity: "1", ok: true}\n'
WRONG_VALIDITY_DIFF = "validity: expected '1', got '4'"
LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def document(path: Path) -> dict:
    return read_scenario(path.read_text(encoding="utf-8"), str(path))


def copy_with(tmp_path: Path, old: str, new: str, name: str = "wrong.yaml") -> Path:
    """The job-change-lag example with the one occurrence of ``old`` replaced by ``new``."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# -- the catalogue -----------------------------------------------------------------------------


def test_the_catalogue_holds_the_stories_of_issue_4() -> None:
    assert {path.stem for path in CATALOGUE} >= {
        "job-change-lag", "normal-valid-lookup", "loss-registered-first",
        "loss-not-yet-registered", "retire-to-kokuho", "turn-75-koki", "elderly-70-ratio",
        "preschool-to-school", "death", "welfare-start", "twins", "hold-kana-typo-corrected",
        "hold-released", "newborn-lag", "limit-certificate-consent",
    }


@pytest.mark.parametrize("path", CATALOGUE, ids=lambda path: path.stem)
def test_a_catalogue_scenario_passes_its_own_expectations(path: Path) -> None:
    (report,) = check_files([path])

    assert report.ok, render_table([report])
    assert report.outcomes, "a catalogue scenario states what the clinic sees"


@pytest.mark.parametrize("path", CATALOGUE, ids=lambda path: path.stem)
def test_a_catalogue_scenario_reads_as_a_japanese_story_named_after_its_file(path) -> None:
    scenario = parse_scenario(path.read_text(encoding="utf-8"), str(path))

    assert scenario.name == path.stem
    assert JAPANESE.search(scenario.title), scenario.title
    assert JAPANESE.search(scenario.description), "the trainer reads the description aloud"


def test_the_catalogue_uses_every_event_kind_but_dependent_add() -> None:
    used = {event["event"] for path in CATALOGUE for event in document(path).get("timeline", [])}

    assert used | {"dependent_add"} == set(KINDS)


def test_catalogue_files_can_share_one_server() -> None:
    """A code keeps one name, an insurer one name, an account user one code, across files."""
    institution_names, insurer_names, account_codes = (defaultdict(set) for _ in range(3))
    for path in CATALOGUE:
        found = document(path)
        for item in found.get("institutions", []):
            institution_names[item["code"]].add(item["name"])
            if "account" in item:
                account_codes[item["account"]["user"]].add(item["code"])
        for item in found.get("insurers", []):
            insurer_names[item["number"].strip()].add(item["name"])

    for mapping in (institution_names, insurer_names, account_codes):
        assert {key: values for key, values in mapping.items() if len(values) > 1} == {}


# -- oqs-sim scenario check --------------------------------------------------------------------


def test_a_wrong_expectation_fails_the_check_with_a_readable_diff(tmp_path) -> None:
    wrong = copy_with(tmp_path, ANSWERED_NOT_FOUND, EXPECTED_VALID)

    result = CliRunner().invoke(main, ["scenario", "check", str(wrong)])

    assert result.exit_code == 1
    assert WRONG_VALIDITY_DIFF in result.output
    assert "FAIL expect[1]" in result.output
    assert result.output.rstrip().endswith(
        "1 files, 6 expectations, 1 failed, 0 files in error")


def test_the_check_passes_the_unchanged_example_with_exit_0(tmp_path) -> None:
    shutil.copyfile(EXAMPLE, tmp_path / "copy.yaml")

    result = run("scenario", "check", str(tmp_path / "copy.yaml"))

    assert result.exit_code == 0
    assert "1 files, 6 expectations, 0 failed, 0 files in error" in result.output


def test_junit_xml_has_one_testcase_per_expectation_and_the_failure_message(tmp_path) -> None:
    wrong = copy_with(tmp_path, ANSWERED_NOT_FOUND, EXPECTED_VALID)
    report = tmp_path / "junit.xml"

    result = CliRunner().invoke(main, ["scenario", "check", str(wrong), "--junit", str(report)])

    root = etree.parse(str(report)).getroot()
    cases = root.findall("testsuite/testcase")
    failures = root.findall("testsuite/testcase/failure")
    assert result.exit_code == 1
    assert len(cases) == len(document(EXAMPLE)["expect"]) == 6
    assert len(failures) == 1
    assert failures[0].get("message") == WRONG_VALIDITY_DIFF
    assert failures[0].getparent().get("name").startswith("expect[1] ")
    assert root.find("testsuite").get("failures") == "1"


def test_a_file_that_does_not_validate_is_an_error_naming_file_and_path(tmp_path) -> None:
    broken = copy_with(tmp_path, ANSWERED_NOT_FOUND, '    result: {validity: "7"}\n',
                       name="broken.yaml")

    result = CliRunner().invoke(main, ["scenario", "check", str(EXAMPLE), str(broken)])

    assert result.exit_code == 1
    assert f"ERROR {broken}: expect[1].result.validity: '7' is not one of" in result.output
    assert "2 files, 6 expectations, 0 failed, 1 files in error" in result.output


def test_a_file_in_error_is_a_junit_error_naming_the_file(tmp_path) -> None:
    broken = copy_with(tmp_path, "event: job_change", "event: job_move", name="broken.yaml")
    report = tmp_path / "junit.xml"

    result = CliRunner().invoke(main, ["scenario", "check", str(broken), "--junit", str(report)])

    (error,) = etree.parse(str(report)).getroot().findall("testsuite/testcase/error")
    assert result.exit_code == 1
    assert error.get("message").startswith(f"{broken}: timeline[0].event: 'job_move'")


def test_an_expectation_can_state_that_a_value_is_absent(tmp_path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        ANSWERED_NOT_FOUND, '    result: {validity: "4", insurer: null, elderly_ratio: null}\n')
    path = tmp_path / "absent.yaml"
    path.write_text(text, encoding="utf-8")

    (report,) = check_files([path])

    assert report.ok, render_table([report])


def test_a_ratio_change_keeps_the_date_the_qualification_was_acquired(tmp_path) -> None:
    text = SCENARIOS["elderly-70-ratio"].read_text(encoding="utf-8")
    assert text.endswith("\n    note: 5月の受診分を後から照会すると3割\n")
    path = tmp_path / "acquired.yaml"
    path.write_text(text + (
        "  - at: 2026-06-03T09:00:00+09:00\n"
        '    institution: "1311234569"\n'
        '    query: {route: insurance_card, insurer: "01130012", symbol: "30580412",\n'
        '            number: "9", branch: "00", birthdate: 1956-05-20, date: 2026-06-03}\n'
        '    result: {ratio: null, elderly_ratio: "020",\n'
        '             qualification_date: 2016-10-01}\n'), encoding="utf-8")

    (report,) = check_files([path])

    assert report.ok, render_table([report])


# -- oqs-sim scenario list | load --------------------------------------------------------------


def test_scenario_list_names_every_catalogue_scenario_with_its_title() -> None:
    result = run("scenario", "list")

    listed = {line.split()[0]: line for line in result.output.splitlines()}
    assert result.exit_code == 0
    for path in CATALOGUE:
        found = document(path)
        assert found["title"] in listed[found["name"]]


def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: connection.scalar(select(func.count()).select_from(table))
                    for table in metadata.sorted_tables}
    finally:
        engine.dispose()


def test_scenario_load_is_idempotent_and_sets_the_business_clock(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/load.db"
    path = SCENARIOS["newborn-lag"]
    scenario = parse_scenario(path.read_text(encoding="utf-8"), str(path))
    upgraded = run("db", "upgrade", "--db", url)

    first = run("scenario", "load", "newborn-lag", "--db", url)
    after_first = row_counts(url)
    second = run("scenario", "load", "newborn-lag", "--db", url)
    after_second = row_counts(url)
    shown = run("clock", "show", "--db", url)

    assert upgraded.exit_code == first.exit_code == second.exit_code == 0
    assert first.output == second.output
    assert first.output.startswith("loaded newborn-lag: 1 insurers, 1 institutions, 2 persons, "
                                   "1 events; business clock at 2026-05-12T09:00:00+09:00")
    assert after_second == after_first
    assert after_first["persons"] == 3  # the parent, the brother, and the newborn of the event
    assert after_first["qualifications"] == 3
    assert shown.output.strip() == f"{scenario.clock.isoformat()}  frozen"


def test_deleting_one_scenario_keeps_the_clinic_another_loaded_scenario_declares(
        tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    run("db", "upgrade", "--db", url)
    run("scenario", "load", "elderly-70-ratio", "--db", url)  # loads さくら内科クリニック
    run("scenario", "load", "normal-valid-lookup", "--db", url)  # declares it too
    app = create_app({"database_url": url, "admin_token": "admin", "secret_key": "secret"})
    client = app.test_client()

    deleted = client.delete("/sim/v1/scenarios/elderly-70-ratio",
                            headers={"Authorization": "Bearer admin"})
    login = client.post(LOGIN, json={"userId": "sakura", "password": "sakura-pw"})
    app.extensions["oqs"].engine.dispose()

    assert deleted.status_code == 200
    assert login.status_code == 200, login.get_json()
