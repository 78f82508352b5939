"""``oqs-sim import persons``: the example files go in, and their persons are found through the
Web API as a clinic would look them up; a refused file prints every problem and exits 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.db import make_engine
from simulator.pki.card_files import KEY_FILE
from simulator.store import SqlUnitOfWork
from tests.e2e import world
from tests.e2e.conftest import SEARCH, login

EXAMPLES = Path(__file__).parents[2] / "datasets" / "import"
SUMMARY = "imported 5 persons, 6 qualifications, 1 cards, {drugs} drugs, {checkups} checkups"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def lookup(client, token: str, **search: str) -> dict:
    response = client.post(SEARCH, json=world.request_tree(search),
                           headers={"Authorization": token})
    return response.get_json()["XmlMsg"]["MessageBody"]


@pytest.mark.parametrize(("name", "counts"), [
    ("example-persons.json", {"drugs": 2, "checkups": 1}),
    ("example-persons.csv", {"drugs": 0, "checkups": 0}),
])
def test_an_example_file_is_imported_and_its_persons_are_found_by_the_web_api(
        oqs, database_url, tmp_path, monkeypatch, name, counts) -> None:
    monkeypatch.setenv("OQS_PKI_DIR", str(tmp_path))
    run("clock", "set", "2026-04-01T09:00", "--frozen", "--db", database_url)

    result = run("import", "persons", str(EXAMPLES / name), "--db", database_url)

    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"{EXAMPLES / name}: {SUMMARY.format(**counts)}; 2 insurers created")
    assert (tmp_path / "cards" / "_imported" / "yoko" / KEY_FILE).is_file()
    token = login(oqs)
    child = lookup(oqs, token, InsurerNumber="06130025", InsuredCardSymbol="2001",
                   InsuredIdentificationNumber="15", InsuredBranchNumber="02",
                   Birthdate="20211103")
    elderly = lookup(oqs, token, InsurerNumber="39131016",
                     InsuredIdentificationNumber="12345674", Birthdate="19480211")
    (found,) = child["ResultList"]
    assert (child["QualificationValidity"], elderly["QualificationValidity"]) == ("1", "1")
    assert found["ResultOfQualificationConfirmation"]["PreschoolClassification"] == "1"


def test_a_refused_file_prints_each_problem_and_the_summary_and_exits_1(
        database_url, tmp_path) -> None:
    text = (EXAMPLES / "example-persons.csv").read_text(encoding="utf-8")
    broken = tmp_path / "broken.csv"
    broken.write_bytes(text.replace("1982-09-20", "1982-09-31").replace(
        "12345674", "12345679").encode("cp932"))

    result = CliRunner().invoke(main, ["import", "persons", str(broken), "--db", database_url])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{broken}: 3行目 birthdate: 存在しない日付です（YYYYMMDD）。",
        f"{broken}: 6行目 number: 検証番号9が一致しません（正しくは4）。",
        f"{broken}: 2件の誤りがあるため、何も取り込みませんでした。",
    ]
    engine = make_engine(database_url)
    with SqlUnitOfWork(engine) as uow:
        assert uow.repo.counts()["persons"] == 0
    engine.dispose()


def test_the_format_option_overrides_the_file_name(database_url, tmp_path) -> None:
    plain = tmp_path / "persons.txt"
    plain.write_bytes((EXAMPLES / "example-persons.json").read_bytes())

    guessed = run("import", "persons", str(plain), "--db", database_url)
    given = run("import", "persons", str(plain), "--format", "json", "--db", database_url)

    assert guessed.exit_code == 1
    assert "--format csv|json" in guessed.stderr
    assert given.exit_code == 0, given.output


def test_importing_again_is_refused_naming_the_ids_unless_replace(database_url, tmp_path,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("OQS_PKI_DIR", str(tmp_path))
    path = str(EXAMPLES / "example-persons.json")
    run("import", "persons", path, "--db", database_url)

    again = run("import", "persons", path, "--db", database_url)
    replaced = run("import", "persons", path, "--replace", "--db", database_url)

    assert again.exit_code == 1
    assert [line.split(": ")[1] for line in again.stderr.splitlines()[:-1]] == [
        f"persons[{n}].id" for n in range(5)]
    assert replaced.exit_code == 0
    assert "; 5 persons replaced" in replaced.stdout
