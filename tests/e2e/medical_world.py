"""A known store for the 薬剤情報 / 特定健診 files, on top of the fixed world of ``world.py``.

Business now is 2026-04-01 09:00 JST. 花子 (55) has drug lines from the three sources — one
claim still in its lag and one older than 3 years — and checkups — one not yet uploaded and one
older than 5 years; she consented at clinic A only, for 24 hours from 08:30.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from simulator.consent.model import InfoKind, TreatmentFlag, consents_given
from simulator.medical.model import (
    Checkup,
    CheckupResult,
    DrugRecord,
    DrugSource,
    claims_visible_at,
)
from simulator.registry.model import Sex
from simulator.store import SqlUnitOfWork
from tests.builders import at, person, record
from tests.e2e import world

CLINIC_A = world.CLINIC.code  # さくら内科クリニック, account "clinic"
CLINIC_B = world.DENTAL.code  # ひまわり歯科医院, account "dental"
PHARMACY = "1341000006"
OTHER_CLINIC = "1312000019"
CONSENT_GIVEN = at(2026, 4, 1, 8, 30)
CONSENT_ENDS = at(2026, 4, 2, 8, 30)

HANAKO = record(symbol="5000", number="31", branch="00", name="佐々木　花子",
                kana="ｻｻｷ ﾊﾅｺ", birthdate=dt.date(1970, 6, 15), sex=Sex.FEMALE)
#: The card items that name her (no birthdate in these requests).
HANAKO_CARD = {"InsurerNumber": "06130017", "InsuranceCardSymbol": "5000",
               "InsuredPersonIdentificationNumber": "31", "BranchNumber": "00"}
TWINS_CARD = {"InsurerNumber": "06130017", "InsuranceCardSymbol": "3000",
              "InsuredPersonIdentificationNumber": "21"}
NOBODY_CARD = dict(HANAKO_CARD, InsuredPersonIdentificationNumber="9999")


def _drug(source: DrugSource, day: dt.date, code: str, name: str, **values) -> DrugRecord:
    visible = (claims_visible_at(day) if source is DrugSource.CLAIMS
               else dt.datetime.combine(day, dt.time(12), at(2026, 1, 1).tzinfo))
    return DrugRecord(person_id=0, source=source, dispensed_on=day, prescribed_on=day,
                      drug_code=code, drug_name=name, visible_at=visible, **values)


_IN_HOUSE = dict(dispensing_code=CLINIC_A, dispensing_name="さくら内科クリニック",
                 prescribing_code=CLINIC_A, prescribing_name="さくら内科クリニック", in_out="1")
_AT_PHARMACY = dict(dispensing_code=PHARMACY, dispensing_name="あおば薬局",
                    prescribing_code=CLINIC_A, prescribing_name="さくら内科クリニック",
                    in_out="2")
_LOXONIN = dict(ingredient="ロキソプロフェンナトリウム水和物", quantity="3", unit="錠",
                usage="１日３回毎食後", days="5")

DRUGS = (
    _drug(DrugSource.CLAIMS, dt.date(2026, 1, 20), "620098801", "ロキソニン錠６０ｍｇ",
          **_IN_HOUSE, **_LOXONIN),
    _drug(DrugSource.CLAIMS, dt.date(2026, 1, 20), "610407447", "ムコダイン錠５００ｍｇ",
          **_IN_HOUSE, ingredient="Ｌ－カルボシステイン", quantity="3", unit="錠",
          usage="１日３回毎食後", days="5"),
    # in its lag: reaches OQS on 2026-04-10
    _drug(DrugSource.CLAIMS, dt.date(2026, 2, 14), "610407141", "グラケーカプセル１５ｍｇ",
          dispensing_code=PHARMACY, prescribing_code=OTHER_CLINIC, in_out="2", quantity="3",
          unit="カプセル", days="28"),
    # older than 3 years (the window starts on 2023-04-01)
    _drug(DrugSource.CLAIMS, dt.date(2023, 3, 31), "620000033", "カロナール錠３００　３００ｍｇ",
          **_IN_HOUSE, quantity="3", unit="錠", days="3"),
    _drug(DrugSource.DISPENSING, dt.date(2026, 3, 25), "620004391", "メルカゾール錠５ｍｇ",
          **_AT_PHARMACY, ingredient="チアマゾール", quantity="1", unit="錠",
          usage="１日１回朝食後", days="28"),
    _drug(DrugSource.EPRESCRIPTION, dt.date(2026, 3, 30), "620004357", "フォサマック錠３５ｍｇ",
          **_AT_PHARMACY, ingredient="アレンドロン酸ナトリウム水和物", quantity="1",
          unit="錠", usage="週１回起床時", days="4"),
)
SHOWN_DRUGS = 4

_FULL = (("9N001000000000001", "158.2"), ("9N006000000000001", "61.5"),
         ("9N011000000000001", "24.6"), ("9N016160100000001", "86.0"),
         ("9A751000000000001", "132"), ("9A761000000000001", "84"),
         ("3F015000002327101", "160"), ("3F070000002327101", "52"),
         ("3F077000002327101", "141"), ("3B035000002327201", "24"),
         ("3B045000002327201", "28"), ("3B090000002327101", "45"),
         ("3D010000001926101", "104"), ("3D046000001906202", "5.9"),
         ("1A020000000191111", "1"), ("1A010000000191111", "2"),
         ("9N501000000000011", "2"), ("9N506000000000011", "2"))


def _checkup(day: dt.date, uploaded: dt.datetime, results) -> Checkup:
    return Checkup(person_id=0, exam_date=day, insurer_number="06130017", visible_at=uploaded,
                   results=tuple(CheckupResult(code, value) for code, value in results))


CHECKUPS = (
    _checkup(dt.date(2025, 6, 10), at(2025, 8, 9, 0, 0), _FULL),
    # not yet uploaded: the insurer uploads it on 2026-04-21
    _checkup(dt.date(2026, 2, 20), at(2026, 4, 21, 0, 0), _FULL[:3]),
    # older than 5 years (the window starts on 2021-04-01)
    _checkup(dt.date(2021, 3, 31), at(2021, 5, 30, 0, 0), _FULL[:3]),
    # exactly 5 years back: still shown
    _checkup(dt.date(2021, 4, 1), at(2021, 5, 31, 0, 0), _FULL[13:]),
)
SHOWN_CHECKUPS = 2


def build(engine) -> int:
    """Add 花子, her drug lines, checkups and consents to the fixed world; return her id."""
    world.build(engine)
    with SqlUnitOfWork(engine) as uow:
        person_id = uow.repo.add_person(person(name=HANAKO.name, kana=HANAKO.kana,
                                               birthdate=HANAKO.birthdate, sex=Sex.FEMALE))
        uow.repo.add_qualification(replace(HANAKO, person_id=person_id))
        for line in DRUGS:
            uow.repo.add_drug(replace(line, person_id=person_id))
        for checkup in CHECKUPS:
            uow.repo.add_checkup(replace(checkup, person_id=person_id))
        for consent in consents_given(
                person_id=person_id, institution=CLINIC_A, kinds=[InfoKind.DRUG,
                                                                  InfoKind.CHECKUP],
                at=CONSENT_GIVEN, flag=TreatmentFlag.OUTPATIENT, hours={"1": 24}):
            uow.repo.add_consent(consent)
        uow.commit()
    return person_id


def request_xml(kind: str, card: dict[str, str], *, encoding: str = "UTF-8",
                institution: str = CLINIC_A, file_category: str = "2",
                **body: str) -> bytes:
    """A ``YZKsiquc01req`` (kind "drug") or ``TKKsiquc01req`` (kind "checkup") file."""
    header = {"MedicalInstitutionCode": institution, **card,
              "ArbitraryFileIdentifier": f"{kind.upper()}-0001"}
    months = {"StartDate": "202301", "EndDate": "202604"} if kind == "drug" else {}
    values = {**months, "FileCategory": file_category, "PrDiInfClassification": "1",
              "MedicalTreatmentFlag": "1", **body}

    def elements(mapping: dict[str, str]) -> str:
        return "".join(f"<{k}>{v}</{k}>" for k, v in mapping.items())

    text = (f'<?xml version="1.0" encoding="{encoding}" standalone="no"?>\n'
            f"<XmlMsg><MessageHeader>{elements(header)}</MessageHeader>"
            f"<MessageBody>{elements(values)}</MessageBody></XmlMsg>")
    return text.encode("cp932" if encoding == "Shift_JIS" else "utf-8")
