"""Consents and medical information (薬剤情報, 特定健診情報): plain values and pure rules.

Standard library only; time is an argument of every rule.

- ``Consent``: 閲覧同意 given by a patient, for one institution and one kind of information
  (OQSCD036), from ``given_at`` (ConsTime) until ``available_until`` (AvailableTime). It may be
  withdrawn earlier (OQSCD031 reason). A consent is *live* at T when
  ``given_at <= T < available_until`` and it was not withdrawn by T. Its state at T is the
  OQSCD016 value: 1 同意あり while live, 2 同意有効期限切れ after, 0 同意なし when none was given.
- ``DrugRecord``: one drug line from a claim (レセプト, source 1), a dispensing result
  (調剤結果, 2) or an electronic prescription (電子処方箋, 3), visible from ``visible_at``.
- ``Checkup``: one 特定健診 with its item results, visible from the insurer's upload.

Information leaves only within its window: drugs dispensed in the last :data:`DRUG_YEARS`
years, checkups done in the last :data:`CHECKUP_YEARS` years, both counted back from the
business date (the same calendar day, so the window includes that day N years ago).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ..registry.model import JST

__all__ = [
    "InfoKind",
    "ConsentState",
    "TreatmentFlag",
    "WithdrawReason",
    "Consent",
    "consent_state",
    "live_consent",
    "consents_given",
    "DrugSource",
    "DrugRecord",
    "CheckupResult",
    "Checkup",
    "DRUG_YEARS",
    "CHECKUP_YEARS",
    "CHECKUP_AGES",
    "years_before",
    "claims_visible_at",
    "drugs_shown",
    "checkups_shown",
    "month_of",
    "age_on",
    "checkup_age_ok",
]

DRUG_YEARS = 3
CHECKUP_YEARS = 5
#: 特定健診 is for people aged 40 to 74 on the day of the checkup.
CHECKUP_AGES = range(40, 75)


class InfoKind(StrEnum):
    """A kind of information a patient consents to (閲覧同意情報種別, OQSCD036)."""

    DRUG = "drug"  # YZK 薬剤情報
    CHECKUP = "checkup"  # TKK 特定健診情報
    DIAGNOSIS = "diagnosis"  # SRJ 診療情報
    OPERATION = "operation"  # SHJ 手術情報
    LIMIT = "limit"  # 限度額適用認定証 (OQSCD001)
    SPECIFIC_DISEASE = "specific_disease"  # TSR 特定疾病療養受療証

    @property
    def code(self) -> str | None:
        """The OQSCD036 code (None for 限度額, which has its own flag)."""
        return _OQSCD036[self]


_OQSCD036 = {
    InfoKind.DRUG: "YZK",
    InfoKind.CHECKUP: "TKK",
    InfoKind.DIAGNOSIS: "SRJ",
    InfoKind.OPERATION: "SHJ",
    InfoKind.LIMIT: None,
    InfoKind.SPECIFIC_DISEASE: "TSR",
}


class ConsentState(StrEnum):
    """同意区分 (OQSCD016)."""

    NONE = "0"  # 同意なし
    GIVEN = "1"  # 同意あり
    EXPIRED = "2"  # 同意有効期限切れ
    DIFFICULT = "3"  # 同意取得困難


class TreatmentFlag(StrEnum):
    """診療区分 MedicalTreatmentFlag (OQSCD028)."""

    OUTPATIENT = "1"  # 外来
    HOME_VISIT = "2"  # 訪問診療等
    ONLINE = "3"  # オンライン診療等
    EMERGENCY = "4"  # 救急時


class WithdrawReason(StrEnum):
    """同意有効期限切れ理由 (OQSCD031)."""

    SETTING = "0"  # depends on the care setting (expiry)
    BY_INSTITUTION = "1"  # 医療機関による同意取消
    BY_PATIENT = "2"  # 患者による同意取消
    PURPOSE_CHANGED = "3"  # 用途変更による同意取消


@dataclass(frozen=True, slots=True)
class Consent:
    person_id: int
    institution_code: str
    kind: InfoKind
    given_at: dt.datetime  # ConsTime
    available_until: dt.datetime | None  # AvailableTime; None: while care continues
    treatment_flag: TreatmentFlag = TreatmentFlag.OUTPATIENT
    withdrawn_at: dt.datetime | None = None
    withdraw_reason: WithdrawReason | None = None
    source: str = "reader"
    id: int | None = None

    def live_at(self, at: dt.datetime) -> bool:
        """Tell whether the consent allows viewing at ``at``."""
        if at < self.given_at:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return False
        return self.available_until is None or at < self.available_until

    def ended_by(self, at: dt.datetime) -> bool:
        """Tell whether the consent was given and is over (expired or withdrawn) at ``at``."""
        return self.given_at <= at and not self.live_at(at)


def _matching(consents: Iterable[Consent], *, institution: str, kind: InfoKind,
              person_id: int | None) -> list[Consent]:
    return [
        c for c in consents
        if c.institution_code == institution and c.kind == kind
        and (person_id is None or c.person_id == person_id)
    ]


def live_consent(
    consents: Iterable[Consent], *, institution: str, kind: InfoKind, at: dt.datetime,
    person_id: int | None = None,
) -> Consent | None:
    """The live consent for (institution, kind) at ``at`` that lasts longest, or None."""
    live = [c for c in _matching(consents, institution=institution, kind=kind,
                                 person_id=person_id) if c.live_at(at)]
    return max(live, key=_end_key, default=None)


def consents_given(
    *, person_id: int, institution: str, kinds: Iterable[InfoKind], at: dt.datetime,
    flag: TreatmentFlag, hours: Mapping[str, int], source: str = "reader",
) -> list[Consent]:
    """The consents a patient gives at ``at`` (on the reader, or as if there): each lasts the
    hours configured for the care setting ``flag`` (24 for 外来)."""
    until = at + dt.timedelta(hours=hours[flag.value])
    return [Consent(person_id, institution, kind, at, until, flag, source=source)
            for kind in dict.fromkeys(kinds)]


def _end_key(consent: Consent) -> tuple[bool, dt.datetime]:
    end = consent.available_until
    return (end is None, end or consent.given_at)


def consent_state(
    consents: Iterable[Consent], *, institution: str, kind: InfoKind, at: dt.datetime,
    person_id: int | None = None,
) -> tuple[ConsentState, Consent | None]:
    """The OQSCD016 state at ``at`` and the consent it comes from (the live one, else the
    latest that ended)."""
    matching = _matching(consents, institution=institution, kind=kind, person_id=person_id)
    live = live_consent(matching, institution=institution, kind=kind, at=at)
    if live is not None:
        return ConsentState.GIVEN, live
    ended = [c for c in matching if c.ended_by(at)]
    if ended:
        return ConsentState.EXPIRED, max(ended, key=lambda c: c.given_at)
    return ConsentState.NONE, None


class DrugSource(StrEnum):
    """Where a drug record comes from (the three parts of the 薬剤情報 XML)."""

    CLAIMS = "1"  # レセプト: MeTrMonthInf
    DISPENSING = "2"  # 調剤結果: CzDiMonthInf
    EPRESCRIPTION = "3"  # 電子処方箋: ShPrMonthInf


@dataclass(frozen=True, slots=True)
class DrugRecord:
    person_id: int
    source: DrugSource
    dispensed_on: dt.date  # 調剤日 (処方日 for an e-prescription)
    drug_code: str  # 医薬品コード
    drug_name: str
    visible_at: dt.datetime
    prescribed_on: dt.date | None = None
    dispensing_code: str | None = None  # 医療機関・薬局コード
    dispensing_name: str | None = None
    prescribing_code: str | None = None
    prescribing_name: str | None = None
    in_out: str | None = None  # 1 院内, 2 院外
    ingredient: str | None = None
    quantity: str | None = None  # 用量
    unit: str | None = None
    usage: str | None = None  # 用法
    special: str | None = None  # 特別指示
    days: str | None = None  # 調剤数量・日数
    usage_class: str | None = None  # 使用区分
    id: int | None = None

    @property
    def month(self) -> str:
        """診療年月 / 調剤年月 as YYYYMM."""
        return month_of(self.dispensed_on)


@dataclass(frozen=True, slots=True)
class CheckupResult:
    code: str  # 17-character item code (datasets/masters/checkup_items.yaml)
    value: str


@dataclass(frozen=True, slots=True)
class Checkup:
    person_id: int
    exam_date: dt.date  # 健診実施日 (EffectiveTime)
    results: tuple[CheckupResult, ...]
    visible_at: dt.datetime  # the insurer's upload
    insurer_number: str | None = None
    id: int | None = None


def month_of(day: dt.date) -> str:
    return day.strftime("%Y%m")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def claims_visible_at(dispensed_on: dt.date, *, months: int = 2, day: int = 10) -> dt.datetime:
    """When a claims-derived record reaches OQS: the ``day`` of the ``months``-th month after
    the month of care, at 00:00 JST (claims are filed by the 10th of the next month and
    processed within the following one)."""
    month_index = dispensed_on.year * 12 + dispensed_on.month - 1 + months
    return dt.datetime(month_index // 12, month_index % 12 + 1, day, tzinfo=JST)


def drugs_shown(
    records: Iterable[DrugRecord], *, as_of: dt.datetime,
    start_month: str | None = None, end_month: str | None = None,
) -> list[DrugRecord]:
    """The records a lookup at ``as_of`` may show: known by then, dispensed in the last
    :data:`DRUG_YEARS` years (and not in the future), within [start_month, end_month]
    (YYYYMM, inclusive) when given; ordered by date."""
    today = as_of.astimezone(JST).date()
    oldest = years_before(today, DRUG_YEARS)
    shown = [
        r for r in records
        if r.visible_at <= as_of and oldest <= r.dispensed_on <= today
        and (start_month is None or r.month >= start_month)
        and (end_month is None or r.month <= end_month)
    ]
    return sorted(shown, key=_drug_order)


def _drug_order(record: DrugRecord) -> tuple:
    return (record.dispensed_on, record.source, record.id or 0)


def checkups_shown(checkups: Iterable[Checkup], *, as_of: dt.datetime) -> list[Checkup]:
    """The checkups a lookup at ``as_of`` may show: uploaded by then and done in the last
    :data:`CHECKUP_YEARS` years; newest first."""
    today = as_of.astimezone(JST).date()
    oldest = years_before(today, CHECKUP_YEARS)
    shown = [c for c in checkups if c.visible_at <= as_of and oldest <= c.exam_date <= today]
    return sorted(shown, key=lambda c: (c.exam_date, c.id or 0), reverse=True)


def age_on(birthdate: dt.date, day: dt.date) -> int:
    """Age in completed years on ``day``."""
    return day.year - birthdate.year - ((day.month, day.day) < (birthdate.month, birthdate.day))


def checkup_age_ok(birthdate: dt.date, exam_date: dt.date) -> bool:
    """Tell whether a person born on ``birthdate`` is in the 特定健診 ages on ``exam_date``."""
    return age_on(birthdate, exam_date) in CHECKUP_AGES
