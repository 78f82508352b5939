"""災害時医療情報閲覧: while a declaration covers an institution, it
reads 薬剤 and 特定健診 information without consent — audited with the disaster as its basis;
outside the area or the period the same request gets the consent-required code.

The store is the known one of ``medical_world``: hanako consented at clinic A only; clinic B
(ひまわり歯科医院, Tokyo, prefecture 13) has no consent. Business now is 2026-04-01 09:00.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from tests.builders import at
from tests.e2e import medical_world as mw
from tests.e2e.conftest import ADMIN_TOKEN
from tests.e2e.test_medical_files import audit_rows, post

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DECLARED_FROM = at(2026, 3, 31, 0, 0)
DECLARED_TO = at(2026, 4, 7, 0, 0)  # exclusive


def declare(client, prefectures: list[str], *, name: str = "令和8年関東豪雨") -> int:
    response = client.post("/sim/v1/disasters", headers=ADMIN, json={
        "name": name, "prefectures": prefectures,
        "from": DECLARED_FROM.isoformat(), "to": DECLARED_TO.isoformat()})
    assert response.status_code == 201, response.data
    return response.get_json()["id"]


def ask(client, kind: str):
    response = post(client, kind, mw.request_xml(kind, mw.HANAKO_CARD, institution=mw.CLINIC_B),
                    user="dental")
    return etree.fromstring(response.data)


@pytest.mark.parametrize("kind", ["drug", "checkup"])
def test_a_covered_institution_reads_without_consent_and_the_disaster_is_audited(
    medical, kind
) -> None:
    disaster_id = declare(medical, ["13"])

    answer = ask(medical, kind)

    assert answer.findtext(".//ResultCode") == "1"
    assert answer.find("MessageBody") is not None
    last = audit_rows(medical)[-1]
    assert (last.institution_code, last.kind, last.basis, last.basis_id, last.outcome) == (
        mw.CLINIC_B, kind, "disaster", disaster_id, "ok")
    assert last.count == (mw.SHOWN_DRUGS if kind == "drug" else mw.SHOWN_CHECKUPS)


def test_a_declaration_elsewhere_does_not_open_anything(medical) -> None:
    declare(medical, ["17"], name="令和8年能登地震")

    answer = ask(medical, "drug")

    assert answer.findtext(".//ResultCode") == medical.application.extensions[
        "oqs"].catalogue["consent_missing"].code
    assert answer.find("MessageBody") is None
    assert audit_rows(medical)[-1].basis == "none"


def test_the_end_of_the_period_closes_it_again(medical) -> None:
    declare(medical, ["13"])
    medical.clock.instant = DECLARED_TO - dt.timedelta(seconds=1)
    assert ask(medical, "drug").findtext(".//ResultCode") == "1"

    medical.clock.instant = DECLARED_TO

    assert ask(medical, "drug").find("MessageBody") is None


def test_a_live_consent_stays_the_basis_inside_a_declared_area(medical) -> None:
    declare(medical, ["13"])

    post(medical, "drug", mw.request_xml("drug", mw.HANAKO_CARD))  # clinic A: consent

    assert audit_rows(medical)[-1].basis == "consent"
