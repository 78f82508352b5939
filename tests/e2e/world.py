"""A small fixed world for the interface tests: one person per validity value, twins, and
names that exercise the character rules (髙 → ●, half-width kana)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from simulator.auth import hash_password
from simulator.registry.model import Family, LimitCertificate, ReasonOfLoss
from simulator.store import SqlUnitOfWork
from tests.builders import KOKUHO, KUMIAI, KYOKAI, at, institution, person, record

CLINIC = institution("1311000002", "さくら内科クリニック")
DENTAL = institution("1331000008", "ひまわり歯科医院")
PASSWORDS = {"clinic": "sakura-pw", "dental": "himawari-pw"}
_HASHES = {account: hash_password(password) for account, password in PASSWORDS.items()}
BUSINESS_NOW = at(2026, 4, 1, 9, 0)
CONFIRM_DATE = "20260401"

VALID = record(
    name="髙橋　德子", kana="ﾀｶﾊｼ ﾄｸｺ", sex=record().sex, address="東京都千代田区千代田1-1",
    limits=(LimitCertificate("01", "A03", dt.date(2026, 1, 5), dt.date(2026, 1, 1),
                             dt.date(2026, 12, 31)),),
)
LOST = record(
    insurer=KYOKAI, symbol="7001", number="99", birthdate=dt.date(1950, 1, 1),
    name="佐藤　一郎", kana="ｻﾄｳ ｲﾁﾛｳ", valid_to=dt.date(2026, 3, 1),
    reason_of_loss=ReasonOfLoss.DEATH, loss_registered_at=at(2026, 3, 5),
)
OLD_JOB = record(
    symbol="2000", number="11", birthdate=dt.date(1990, 1, 1), name="鈴木　花子",
    kana="ｽｽﾞｷ ﾊﾅｺ", valid_to=dt.date(2026, 3, 1),
    reason_of_loss=ReasonOfLoss.OTHER_INSURANCE, loss_registered_at=at(2026, 3, 3),
)
NEW_JOB = replace(
    OLD_JOB, insurer=KYOKAI, symbol="7001", number="12", valid_from=dt.date(2026, 3, 1),
    valid_to=None, reason_of_loss=None, loss_registered_at=None, registered_at=at(2026, 3, 6),
)
TWIN = record(symbol="3000", number="21", birthdate=dt.date(2020, 6, 1), family=Family.DEPENDENT,
              insured_name="山田　太郎", ratio="020", preschool=True)
TWIN_A = replace(TWIN, branch="01", name="山田　一郎", kana="ﾔﾏﾀﾞ ｲﾁﾛｳ")
TWIN_B = replace(TWIN, branch="02", name="山田　二郎", kana="ﾔﾏﾀﾞ ｼﾞﾛｳ")

# The insurance-card items that find each case (QualificationConfirmSearchInfo).
SEARCHES = {
    "1": {"InsurerNumber": "06130017", "InsuredCardSymbol": "1234",
          "InsuredIdentificationNumber": "5678", "Birthdate": "19850510"},
    "2": {"InsurerNumber": "01130012", "InsuredCardSymbol": "7001",
          "InsuredIdentificationNumber": "99", "Birthdate": "19500101"},
    "3": {"InsurerNumber": "06130017", "InsuredCardSymbol": "2000",
          "InsuredIdentificationNumber": "11", "Birthdate": "19900101"},
    "4": {"InsurerNumber": "06130017", "InsuredCardSymbol": "1234",
          "InsuredIdentificationNumber": "0000", "Birthdate": "19850510"},
    "5": {"InsurerNumber": "06130017", "InsuredCardSymbol": "3000",
          "InsuredIdentificationNumber": "21", "Birthdate": "20200601"},
}


def build(engine) -> None:
    """Store the world (insurers, institutions with accounts, persons, qualifications)."""
    with SqlUnitOfWork(engine) as uow:
        for insurer in (KUMIAI, KYOKAI, KOKUHO):
            uow.repo.add_insurer(insurer)
        for inst, account in ((CLINIC, "clinic"), (DENTAL, "dental")):
            uow.repo.add_institution(inst)
            uow.repo.set_account(inst.code, account=account, password_hash=_HASHES[account])
        for records in ([VALID], [LOST], [OLD_JOB, NEW_JOB], [TWIN_A], [TWIN_B]):
            person_id = uow.repo.add_person(person(birthdate=records[0].birthdate))
            for r in records:
                uow.repo.add_qualification(replace(r, person_id=person_id))
        uow.commit()


def request_tree(search: dict[str, str], *, institution_code: str = CLINIC.code,
                 confirm_date: str = CONFIRM_DATE, **header: str) -> dict:
    """A Web API search body (the XmlMsg tree as JSON)."""
    return {"XmlMsg": {
        "MessageHeader": {"QualificationConfirmationDate": confirm_date,
                          "MedicalInstitutionCode": institution_code, **header},
        "MessageBody": {"QualificationConfirmSearchInfo": {
            "LimitApplicationCertificateRelatedConsFlg": "0", **search}},
    }}


def request_xml(search: dict[str, str], *, encoding: str = "UTF-8", **header: str) -> bytes:
    """An OQSsiquc01req file in ``encoding`` (UTF-8 or Shift_JIS)."""
    tree = request_tree(search, **header)["XmlMsg"]

    def elements(mapping: dict) -> str:
        return "".join(
            f"<{k}>{elements(v) if isinstance(v, dict) else v}</{k}>" for k, v in mapping.items()
        )

    text = (f'<?xml version="1.0" encoding="{encoding}" standalone="no"?>\n'
            f"<XmlMsg>{elements(tree)}</XmlMsg>")
    return text.encode("cp932" if encoding == "Shift_JIS" else "utf-8")
