"""閲覧同意: the consents a patient gives, as plain values and pure rules.

Standard library only; time is an argument of every rule.

A ``Consent`` is given by a patient, for one institution and one kind of information
(OQSCD036), from ``given_at`` (ConsTime) until ``available_until`` (AvailableTime). It may be
withdrawn earlier (OQSCD031 reason). A consent is *live* at T when
``given_at <= T < available_until`` and it was not withdrawn by T. Its state at T is the
OQSCD016 value: 1 同意あり while live, 2 同意有効期限切れ after, 0 同意なし when none was given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "InfoKind",
    "ConsentState",
    "TreatmentFlag",
    "WithdrawReason",
    "Consent",
    "consent_state",
    "live_consent",
    "consents_given",
]


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
