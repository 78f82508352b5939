"""Medical information (薬剤情報, 特定健診情報): plain values and pure rules.

Standard library only; time is an argument of every rule.

- ``DrugRecord``: one drug line from a claim (レセプト, source 1), a dispensing result
  (調剤結果, 2) or an electronic prescription (電子処方箋, 3), visible from ``visible_at``.
- ``Checkup``: one 特定健診 with its item results, visible from the insurer's upload.

Information leaves only within its window: drugs dispensed in the last :data:`DRUG_YEARS`
years, checkups done in the last :data:`CHECKUP_YEARS` years, both counted back from the
business date (the same calendar day, so the window includes that day N years ago).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..registry.model import JST

__all__ = [
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
