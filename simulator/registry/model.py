"""The domain of the registry: plain, immutable values. Standard library only.

Glossary (the names the XML messages use are given where they differ):

- ``Person``: the true person as J-LIS (住基) knows them — 基本4情報 plus カナ氏名.
- ``Insurer``: 保険者 (保険者番号, 名称, kind).
- ``Qualification``: one 資格 as the insurer registered it in OQS. Its personal values
  (氏名, カナ, 生年月日, 性別, 住所) are *as registered* and may differ from the Person's.
  Valid time is ``[valid_from, valid_to)`` (資格取得日 .. 資格喪失日). Knowledge time is
  ``registered_at`` (OQSに登録された時刻) for the acquisition and ``loss_registered_at`` for the
  loss, which may be registered later than the acquisition and later than the loss itself.
- ``Hold``: 連携保留 — while a hold covers an instant the record is withheld from lookups.
- Certificates attached to a qualification: 高齢受給者証 (``ElderlyCertificate``),
  限度額適用認定証 (``LimitCertificate``), 特定疾病療養受療証 (``SpecificDiseaseCertificate``).
  Their ``valid_end`` is the end date printed on the certificate (inclusive), as the messages
  carry it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .identifiers import InstitutionKind

__all__ = [
    "JST",
    "Validity",
    "Sex",
    "Family",
    "ReasonOfLoss",
    "InsurerKind",
    "Insurer",
    "Institution",
    "Person",
    "Hold",
    "ElderlyCertificate",
    "LimitCertificate",
    "SpecificDiseaseCertificate",
    "Qualification",
]

#: Japan Standard Time. Japan keeps no daylight saving time, so a fixed offset is exact.
JST = dt.timezone(dt.timedelta(hours=9), "JST")


class Validity(StrEnum):
    """資格有効性 QualificationValidity (OQSCD006)."""

    VALID = "1"  # 有効
    INVALID = "2"  # 無効
    INVALID_NEWER_EXISTS = "3"  # 無効（新しい資格あり）
    NOT_FOUND = "4"  # 該当資格なし
    MULTIPLE = "5"  # 複数該当


class Sex(StrEnum):
    """性別 (OQSCD007)."""

    MALE = "1"
    FEMALE = "2"
    UNSET = "3"


class Family(StrEnum):
    """本人・家族の別 (OQSCD009)."""

    INSURED = "1"  # 本人
    DEPENDENT = "2"  # 家族


class ReasonOfLoss(StrEnum):
    """資格喪失事由 ReasonOfLoss (OQSCD008)."""

    DEATH = "01"  # 死亡
    WELFARE = "02"  # 生活保護受給開始
    OTHER_INSURANCE = "03"  # 医療保険等の資格取得
    OTHER = "99"  # その他


class InsurerKind(StrEnum):
    """The kind of insurer, as the simulator groups them (from 法別番号)."""

    KYOKAI = "kyokai"  # 協会けんぽ (01)
    SENIN = "senin"  # 船員保険 (02)
    HIYATOI = "hiyatoi"  # 日雇特例 (03, 04)
    KUMIAI = "kumiai"  # 健康保険組合 (06)
    JIEIKAN = "jieikan"  # 自衛官等 (07)
    KYOSAI = "kyosai"  # 共済組合 (31-34)
    KOKI = "koki"  # 後期高齢者医療広域連合 (39)
    TOKUREI = "tokurei"  # 特例退職 (63, 72-75)
    KOKUHO = "kokuho"  # 国民健康保険 (6 digits) and 国保組合


@dataclass(frozen=True, slots=True)
class Insurer:
    number: str  # canonical: 8 digits, or 6 for 国保
    name: str
    kind: InsurerKind


@dataclass(frozen=True, slots=True)
class Institution:
    """保険医療機関・薬局: 医療機関コード (10 digits), its 点数表 kind and where it is."""

    code: str
    name: str
    kind: InstitutionKind  # third digit of the code
    prefecture: str  # first two digits of the code
    municipality: str | None = None  # 市区町村コード (6 digits), for disaster areas
    account: str | None = None  # Web API userId


@dataclass(frozen=True, slots=True)
class Person:
    """The true person (住基の基本4情報 + カナ)."""

    name: str  # 漢字氏名, full-width space between family and given name
    kana: str  # カナ氏名, half-width katakana
    birthdate: dt.date
    sex: Sex
    address: str
    post_number: str | None = None  # NNN-NNNN
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """連携保留: the record is withheld from lookups during ``[held_from, held_until)``."""

    held_from: dt.datetime
    held_until: dt.datetime | None = None
    reason: str = ""
    id: int | None = None

    def covers(self, instant: dt.datetime) -> bool:
        """Tell whether the hold is in force at ``instant``."""
        return self.held_from <= instant and (self.held_until is None or instant < self.held_until)


def _in_certificate_period(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True, slots=True)
class ElderlyCertificate:
    """高齢受給者証情報."""

    ratio: str  # ElderlyRecipientContributionRatio, 3-digit percent ("020")
    issued_on: dt.date | None = None
    valid_start: dt.date | None = None
    valid_end: dt.date | None = None  # inclusive, as printed

    def valid_on(self, day: dt.date) -> bool:
        return _in_certificate_period(self.valid_start, self.valid_end, day)


@dataclass(frozen=True, slots=True)
class LimitCertificate:
    """限度額適用認定証関連情報."""

    classification: str  # OQSCD011
    classification_flag: str  # OQSCD012 (A01..A06, B01..B10)
    issued_on: dt.date | None = None
    valid_start: dt.date | None = None
    valid_end: dt.date | None = None  # inclusive, as printed
    long_term_date: dt.date | None = None  # 長期入院該当年月日

    def valid_on(self, day: dt.date) -> bool:
        return _in_certificate_period(self.valid_start, self.valid_end, day)


@dataclass(frozen=True, slots=True)
class SpecificDiseaseCertificate:
    """特定疾病療養受療証情報."""

    category: str  # OQSCD013
    self_pay: int | None = None  # 自己負担限度額 (yen a month)
    issued_on: dt.date | None = None
    valid_start: dt.date | None = None
    valid_end: dt.date | None = None  # inclusive; also the date a certificate was withdrawn

    def valid_on(self, day: dt.date) -> bool:
        return _in_certificate_period(self.valid_start, self.valid_end, day)


@dataclass(frozen=True, slots=True)
class Qualification:
    """One 資格 as registered by its insurer (values as the insurer typed them)."""

    person_id: int
    insurer: Insurer
    number: str  # 被保険者証番号
    symbol: str | None  # 被保険者証記号
    branch: str | None  # 枝番, 2 digits
    family: Family
    card_class: str  # 被保険者証区分 OQSCD010
    name: str
    kana: str
    birthdate: dt.date
    sex: Sex
    valid_from: dt.date  # start of this version of the record (資格取得年月日 unless acquired_on)
    registered_at: dt.datetime  # when OQS learned of the acquisition (or of this version)
    valid_to: dt.date | None = None  # 資格喪失年月日 (exclusive end of valid time)
    reason_of_loss: ReasonOfLoss | None = None
    loss_registered_at: dt.datetime | None = None  # when OQS learned of the loss
    address: str | None = None
    post_number: str | None = None
    insured_name: str | None = None  # 被保険者氏名（世帯主氏名）
    name_other: str | None = None
    kana_other: str | None = None
    sex2: Sex | None = None
    card_issued_on: dt.date | None = None  # 被保険者証交付年月日
    card_valid_start: dt.date | None = None  # 被保険者証有効開始年月日
    card_valid_end: dt.date | None = None  # 被保険者証有効終了年月日
    ratio: str | None = None  # 一部負担金割合, 3-digit percent ("030")
    preschool: bool = False  # 未就学区分
    elderly: tuple[ElderlyCertificate, ...] = ()
    limits: tuple[LimitCertificate, ...] = ()
    specific_diseases: tuple[SpecificDiseaseCertificate, ...] = ()
    holds: tuple[Hold, ...] = ()
    #: 資格取得年月日 when this record is a later version of the qualification (terms changed
    #: on valid_from: 負担割合, 未就学, 高齢受給者証); None when valid_from is the acquisition
    acquired_on: dt.date | None = None
    id: int | None = None

    @property
    def qualification_date(self) -> dt.date:
        """資格取得年月日 (QualificationDate)."""
        return self.acquired_on or self.valid_from

    def valid_on(self, day: dt.date) -> bool:
        """Tell whether the qualification holds in law on ``day`` (``[valid_from, valid_to)``)."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def valid_on_or_after(self, day: dt.date) -> bool:
        """Tell whether the qualification holds on ``day`` or starts after it."""
        return self.valid_to is None or day < self.valid_to
