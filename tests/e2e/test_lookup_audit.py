"""Every insurance-card lookup leaves one audit entry per person shown; refusals leave none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from simulator import schema
from tests.e2e import world
from tests.e2e.conftest import SEARCH, login

QUALIFICATION_FILE = "/oqs/files/OQSsiquc01req_20260401090000001.xml"


def web_search(client, token: str, search: dict[str, str], **header):
    return client.post(SEARCH, json=world.request_tree(search, **header),
                       headers={"Authorization": token})


def file_search(client, token: str, search: dict[str, str]):
    return client.post(QUALIFICATION_FILE, data=world.request_xml(search),
                       headers={"Authorization": token}, content_type="application/xml")


def audit(client) -> list:
    engine = client.application.extensions["oqs"].engine
    with engine.connect() as connection:
        return connection.execute(
            select(schema.audit_entries).order_by(schema.audit_entries.c.id)).all()


def persons_under(client, number: str) -> list[int]:
    engine = client.application.extensions["oqs"].engine
    q = schema.qualifications
    with engine.connect() as connection:
        return sorted(set(connection.execute(
            select(q.c.person_id).where(q.c.number == number)).scalars()))


def _summary(entry) -> tuple:
    return (entry.at, entry.institution_code, entry.person_id, entry.kind, entry.route,
            entry.basis, entry.basis_id, entry.outcome, entry.count)


@pytest.mark.parametrize("search", [web_search, file_search], ids=["web api", "file"])
def test_a_found_person_is_audited_once_with_the_lookup_instant(oqs, search) -> None:
    search(oqs, login(oqs), world.SEARCHES["1"])

    (entry,) = audit(oqs)
    (person_id,) = persons_under(oqs, "5678")
    assert _summary(entry) == (world.BUSINESS_NOW, world.CLINIC.code, person_id,
                               "qualification", "insurance_card", "none", None, "ok", 1)


def test_a_lookup_that_finds_nobody_is_audited_without_a_person(oqs) -> None:
    response = web_search(oqs, login(oqs), world.SEARCHES["4"])

    assert response.get_json()["XmlMsg"]["MessageBody"]["QualificationValidity"] == "4"
    (entry,) = audit(oqs)
    assert (entry.person_id, entry.kind, entry.route, entry.count, entry.outcome) == (
        None, "qualification", "insurance_card", 0, "ok")


def test_a_multiple_result_is_audited_once_per_person_shown(oqs) -> None:
    response = web_search(oqs, login(oqs), world.SEARCHES["5"])

    assert response.get_json()["XmlMsg"]["MessageBody"]["QualificationValidity"] == "5"
    entries = audit(oqs)
    assert sorted(e.person_id for e in entries) == persons_under(oqs, "21")
    assert {(e.kind, e.route, e.basis, e.count) for e in entries} == {
        ("qualification", "insurance_card", "none", 2)}


def test_every_lookup_adds_its_own_entry(oqs) -> None:
    clinic, dental = login(oqs), login(oqs, "dental")

    web_search(oqs, clinic, world.SEARCHES["1"])
    web_search(oqs, dental, world.SEARCHES["1"], institution_code=world.DENTAL.code)
    file_search(oqs, clinic, world.SEARCHES["3"])

    assert [e.institution_code for e in audit(oqs)] == [
        world.CLINIC.code, world.DENTAL.code, world.CLINIC.code]


@pytest.mark.parametrize(
    "change",
    [{"InsurerNumber": "06130018"}, {"Birthdate": "19850532"}, {"Birthdate": ""}],
    ids=["bad check digit", "no such day", "no birthdate"],
)
def test_an_item_refused_before_the_lookup_is_not_audited(oqs, change) -> None:
    response = web_search(oqs, login(oqs), {**world.SEARCHES["1"], **change})

    assert response.get_json()["XmlMsg"]["MessageBody"]["ProcessingResultStatus"] == "2"
    assert audit(oqs) == []


def test_a_request_for_another_institution_is_not_audited(oqs) -> None:
    response = web_search(oqs, login(oqs), world.SEARCHES["1"],
                          institution_code=world.DENTAL.code)

    assert response.status_code == 403
    assert audit(oqs) == []
