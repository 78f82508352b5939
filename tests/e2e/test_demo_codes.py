"""Every code value a qualification result uses appears in some Web API answer of the demo world.

The demo world is saved into a fresh store; each record is looked up by its own card items
(with its 枝番 and, when it has one, without: twins answer 複数該当) through the Web API search,
on the demo business date, with the 限度額 consent so the 限度額 and 特定疾病 certificates are
shown. The code lists come from ``datasets/codes/oqscd.yaml``, so the test follows the tables.
The README's gallery rows are looked up the same way and must show their value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator import create_app
from simulator.auth import hash_password
from simulator.clock import FixedClock
from simulator.codes import load_code_tables
from simulator.loaders.demo import DEFAULT_BUSINESS_NOW, generate_demo_world, save_demo_world
from simulator.registry.identifiers import format_insurer_number
from simulator.registry.model import Qualification
from simulator.store import SqlUnitOfWork
from tests.e2e.conftest import LOGIN, SEARCH

README = Path(__file__).parents[2] / "README.md"
CONFIRM_DATE = DEFAULT_BUSINESS_NOW.strftime("%Y%m%d")
PERSONS = 60  # the notable people and the gallery, and a few households

#: The result elements whose every value the demo shows, with their OQSCD table.
ELEMENTS = {
    "QualificationValidity": "OQSCD006",
    "ReasonOfLoss": "OQSCD008",
    "PersonalFamilyClassification": "OQSCD009",
    "InsuredCardClassification": "OQSCD010",
    "LimitApplicationCertificateClassification": "OQSCD011",
    "LimitApplicationCertificateClassificationFlag": "OQSCD012",
    "SpecificDiseasesDiseaseCategory": "OQSCD013",
    "PreschoolClassification": "OQSCD015",
}
#: Values no qualification of an insurer carries, or the simulator never answers.
NOT_SHOWN = {
    "QualificationValidity": {"6"},  # 有効（未登録）: the simulator's rules never decide it
    "InsuredCardClassification": {"A1"},  # 医療扶助: a 公費 (生活保護), not an insurer's card
}


@pytest.fixture
def demo(database_url):
    """A Web API client over the saved demo world (clock frozen at its business time)."""
    world = generate_demo_world(persons=PERSONS)
    app = create_app({"database_url": database_url, "admin_token": "test-admin-token",
                      "secret_key": "test-secret"}, clock=FixedClock(world.business_now))
    engine = app.extensions["oqs"].engine
    save_demo_world(world, uow=SqlUnitOfWork(engine), password_hash=hash_password)
    client = app.test_client()
    clinic = next(a for a in world.accounts if a.user == "clinic")
    answer = client.post(LOGIN, json={"userId": clinic.user, "password": clinic.password})
    client.token = answer.get_json()["result"]["idToken"]
    client.institution = clinic.institution_code
    client.world = world
    yield client
    engine.dispose()


def search(client, items: dict[str, str]) -> dict:
    """The MessageBody the Web API answers for these card items, with the 限度額 consent."""
    body = {"XmlMsg": {
        "MessageHeader": {"QualificationConfirmationDate": CONFIRM_DATE,
                          "MedicalInstitutionCode": client.institution},
        "MessageBody": {"QualificationConfirmSearchInfo": {
            **{k: v for k, v in items.items() if v},
            "LimitApplicationCertificateRelatedConsFlg": "1"}}}}
    response = client.post(SEARCH, json=body, headers={"Authorization": client.token})
    assert response.status_code == 200, response.data
    return response.get_json()["XmlMsg"]["MessageBody"]


def card_items(record: Qualification, *, branch: bool = True) -> dict[str, str]:
    return {
        "InsurerNumber": format_insurer_number(record.insurer.number),
        "InsuredCardSymbol": record.symbol or "",
        "InsuredIdentificationNumber": record.number,
        "InsuredBranchNumber": (record.branch or "") if branch else "",
        "Birthdate": record.birthdate.strftime("%Y%m%d"),
    }


def leaves(tree) -> Iterator[tuple[str, str]]:
    """Every (element, value) of an answer tree, at any depth."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree)
    for key, value in items:
        if isinstance(value, dict | list):
            yield from leaves(value)
        elif isinstance(key, str):
            yield key, value


def demo_answers(client) -> Iterator[dict]:
    """The answer to every record of the world, with its 枝番 and, if it has one, without."""
    for demo in client.world.persons:
        for record in demo.qualifications:
            yield search(client, card_items(record))
            if record.branch:
                yield search(client, card_items(record, branch=False))


def test_every_code_value_of_a_result_appears_in_a_demo_answer(demo) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    results = []
    for answer in demo_answers(demo):
        results += [r["ResultOfQualificationConfirmation"] for r in answer.get("ResultList", [])]
        for element, value in leaves(answer):
            seen[element].add(value)

    tables = load_code_tables()
    for element, table in ELEMENTS.items():
        expected = set(tables.values(table)) - NOT_SHOWN.get(element, set())
        assert expected - seen[element] == set(), element
    assert all("InsuredCardValidDate" in r and "InsuredCertificateIssuanceDate" in r
               for r in results)
    assert "InsuredCardExpirationDate" in seen


def gallery_rows() -> list[tuple[str, str, dict[str, str]]]:
    """(element, value, card items) of each row of the README's demo gallery."""
    text = README.read_text()
    section = text[text.index("The demo gallery"):]
    section = section[:section.index("\n\n", section.index("|---"))]
    rows = re.findall(r"^\| `(\w+)` (\w+) .*?\| (\d+) \| (\S+) \| (\d+) \| (\S+) \| (\d{8}) \|",
                      section, re.M)
    assert rows, "no gallery rows in the README"
    return [(element, value, {
        "InsurerNumber": insurer, "InsuredCardSymbol": "" if symbol == "–" else symbol,
        "InsuredIdentificationNumber": number,
        "InsuredBranchNumber": "" if branch == "–" else branch, "Birthdate": born,
    }) for element, value, insurer, symbol, number, branch, born in rows]


def test_each_readme_gallery_row_answers_its_code_value(demo) -> None:
    rows = gallery_rows()
    for element, value, items in rows:
        assert (element, value) in set(leaves(search(demo, items))), (element, value, items)

    tables = load_code_tables()
    listed = {(element, value) for element, value, _ in rows}
    for element, table in ELEMENTS.items():
        if element != "QualificationValidity":  # the demo table above the gallery lists it
            expected = set(tables.values(table)) - NOT_SHOWN.get(element, set())
            assert {(element, v) for v in expected} <= listed, element
