"""薬剤情報 and 特定健診情報 for an institution (docs/interfaces.md, docs/architecture.md).

One request, at the business time now, in one transaction:

1. The request is validated (:func:`medical_query`): a missing or malformed value raises
   :class:`InvalidInput` naming the element, before anything is read; the interface answers
   with its ``.err`` file and nothing is audited.
2. The card items name the person (保険者番号, 記号, 番号, 枝番; no birthdate): nobody →
   ``person_not_found``, several (twins without 枝番) → ``person_multiple``.
3. The file must be XML (FileCategory 2, or 4 for 薬剤＋診療, answered with the drug XML since
   no 診療 data is held); PDF (1, 3) → ``file_category_unsupported``.
4. A basis must allow the viewing (:func:`basis_for`): a live consent of that kind given for
   that institution, else a disaster declaration covering the institution now (災害時医療情報
   閲覧: no card, no consent), else the institution's emergency mode (緊急時医療情報・資格確認
   機能); none → ``consent_missing``.
5. The records OQS knows now within their window (3 years of drugs, in StartDate..EndDate;
   5 years of checkups) and the person's current record (the header's name and birthdate).

Refusals (steps 2–4) are business answers, not errors: :class:`MedicalAnswer` carries the
result-code name. Every answer is written to the audit trail in the same transaction: kind
drug/checkup, route file, basis consent (or disaster) with its id when allowed, else basis none
with the refusal as outcome; count = lines or checkups returned; the person when one was named.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..clock import Clock
from ..consent.model import (
    Consent,
    InfoKind,
    TreatmentFlag,
    live_consent,
)
from ..disaster_mode.access import Basis, special_basis_in
from ..registry import rules
from ..registry.errors import InvalidInput, MissingField
from ..registry.lookup import AuditEntry
from ..registry.model import JST, Qualification
from ..registry.queries import MEDICAL_NAMES, card_items
from ..registry.services import UnitOfWork
from .model import (
    Checkup,
    DrugRecord,
    checkups_shown,
    drugs_shown,
)

if TYPE_CHECKING:
    from ..store import Repository

__all__ = [
    "MedicalQuery",
    "MedicalAnswer",
    "medical_query",
    "basis_for",
    "drug_information",
    "checkup_information",
]

#: FileCategory values by kind: 1 PDF, 2 XML; for drugs also 3/4 薬剤＋診療 PDF/XML.
FILE_CATEGORIES = {InfoKind.DRUG: ("1", "2", "3", "4"), InfoKind.CHECKUP: ("1", "2")}
PDF = frozenset({"1", "3"})
#: What a disaster declaration or emergency mode opens without consent (薬剤, 特定健診, 診療;
#: docs/decisions.md).
SPECIAL_KINDS = frozenset({InfoKind.DRUG, InfoKind.CHECKUP, InfoKind.DIAGNOSIS})
_MONTH = re.compile(r"[0-9]{4}(0[1-9]|1[0-2])")


@dataclass(frozen=True, slots=True)
class MedicalQuery:
    """A validated drug or checkup request."""

    kind: InfoKind
    insurer_number: str  # canonical
    number: str
    symbol: str | None
    branch: str | None
    file_category: str
    treatment_flag: TreatmentFlag = TreatmentFlag.OUTPATIENT
    start_month: str | None = None  # YYYYMM, drugs only
    end_month: str | None = None


@dataclass(frozen=True, slots=True)
class MedicalAnswer:
    """What a request gets: the records, or the name of the result code that refused it."""

    as_of: dt.datetime  # ProcessExecutionTime
    refusal: str | None = None
    detail: str | None = None  # fills the refusal message ({detail})
    person_id: int | None = None
    basis: Basis | None = None
    record: Qualification | None = None  # the person's current record, as registered
    drugs: tuple[DrugRecord, ...] = ()
    checkups: tuple[Checkup, ...] = ()

    @property
    def count(self) -> int:
        return len(self.drugs) + len(self.checkups)


# -- the request ---------------------------------------------------------------------------


def _text(request: Mapping[str, object], field: str) -> str | None:
    value = request.get(field)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(field, "文字列にしてください。")
    return (value or "").strip() or None


def _choice(request: Mapping[str, object], field: str, allowed: Iterable[str]) -> str:
    value = _text(request, field)
    if value is None:
        raise MissingField(field, "値を設定してください。")
    allowed = tuple(allowed)
    if value not in allowed:
        raise InvalidInput(field, f"{'・'.join(allowed)}のいずれかにしてください。")
    return value


def _month(request: Mapping[str, object], field: str) -> str | None:
    value = _text(request, field)
    if value is not None and not _MONTH.fullmatch(value):
        raise InvalidInput(field, "年月はYYYYMM（例 202604）の形式にしてください。")
    return value


def _months(request: Mapping[str, object]) -> tuple[str | None, str | None]:
    start, end = _month(request, "StartDate"), _month(request, "EndDate")
    if start and end and end < start:
        raise InvalidInput("EndDate", f"{end}はStartDate（{start}）より前です。")
    return start, end


def medical_query(request: Mapping[str, object], *, kind: InfoKind) -> MedicalQuery:
    """Read a drug or checkup request: the header and body values by element name.

    :raises InvalidInput: naming the first element that is missing or malformed.
    """
    items = card_items(request, MEDICAL_NAMES)
    category = _choice(request, "FileCategory", FILE_CATEGORIES[kind])
    flag = _text(request, "MedicalTreatmentFlag")
    if flag is not None and flag not in {f.value for f in TreatmentFlag}:
        raise InvalidInput("MedicalTreatmentFlag",
                           "1・2・3・4のいずれかにしてください（OQSCD028）。")
    start, end = _months(request) if kind is InfoKind.DRUG else (None, None)
    return MedicalQuery(kind, items.insurer, items.number, items.symbol, items.branch, category,
                        TreatmentFlag(flag or TreatmentFlag.OUTPATIENT.value), start, end)


# -- deciding ------------------------------------------------------------------------------


def basis_for(consents: Iterable[Consent], *, institution: str, query: MedicalQuery,
              at: dt.datetime) -> Basis | None:
    """The consent on which ``institution`` may see the information at ``at``, or None: a live
    consent of the query's kind given for the institution."""
    consent = live_consent(consents, institution=institution, kind=query.kind, at=at)
    return None if consent is None else Basis("consent", consent.id)


def _current(records: Iterable[Qualification], *, as_of: dt.datetime) -> Qualification | None:
    """The record to show the person by: valid today, else the latest one OQS shows."""
    visible = rules.visible_records(records, as_of=as_of)
    today = as_of.astimezone(JST).date()
    valid = [r for r in visible if r.valid_on(today)]
    return max(valid or visible, key=lambda r: r.valid_from, default=None)


Fetch = Callable[["Repository", int, MedicalQuery, dt.datetime], dict]


def _decide(repo: Repository, *, institution: str, query: MedicalQuery, as_of: dt.datetime,
            fetch: Fetch) -> MedicalAnswer:
    records = repo.records_under(query.insurer_number, query.number)
    persons = rules.identify(records, insurer=query.insurer_number, number=query.number,
                             symbol=query.symbol, branch=query.branch, as_of=as_of)
    if len(persons) != 1:
        return MedicalAnswer(as_of, "person_multiple" if persons else "person_not_found")
    (person_id,) = persons
    if query.file_category in PDF:
        return MedicalAnswer(as_of, "file_category_unsupported", query.file_category,
                             person_id=person_id)
    consents = repo.consents_of(person_id, institution=institution)
    basis = basis_for(consents, institution=institution, query=query, at=as_of)
    if basis is None and query.kind in SPECIAL_KINDS:
        basis = special_basis_in(repo, institution=institution, at=as_of)
    if basis is None:
        return MedicalAnswer(as_of, "consent_missing", person_id=person_id)
    return MedicalAnswer(as_of, person_id=person_id, basis=basis,
                         record=_current(repo.records_of(person_id), as_of=as_of),
                         **fetch(repo, person_id, query, as_of))


def _audit(answer: MedicalAnswer, *, institution: str, kind: InfoKind) -> AuditEntry:
    basis = answer.basis
    return AuditEntry(
        answer.as_of, institution, kind.value, "file",
        basis=basis.name if basis else "none", person_id=answer.person_id,
        basis_id=basis.id if basis else None, outcome=answer.refusal or "ok",
        count=answer.count,
    )


def _answer(*, uow: UnitOfWork, clock: Clock, institution: str, query: MedicalQuery,
            fetch: Fetch) -> MedicalAnswer:
    as_of = clock.now()
    with uow:
        answer = _decide(uow.repo, institution=institution, query=query, as_of=as_of,
                         fetch=fetch)
        uow.repo.add_audit(_audit(answer, institution=institution, kind=query.kind))
        uow.commit()
    return answer


def _drugs(repo: Repository, person_id: int, query: MedicalQuery, as_of: dt.datetime) -> dict:
    shown = drugs_shown(repo.drugs_of(person_id), as_of=as_of, start_month=query.start_month,
                        end_month=query.end_month)
    return {"drugs": tuple(shown)}


def _checkups(repo: Repository, person_id: int, query: MedicalQuery,
              as_of: dt.datetime) -> dict:
    return {"checkups": tuple(checkups_shown(repo.checkups_of(person_id), as_of=as_of))}


def drug_information(*, uow: UnitOfWork, clock: Clock, institution: str,
                     request: Mapping[str, object]) -> MedicalAnswer:
    """Answer a 薬剤情報 request of ``institution`` (values by element name) at business now.

    :raises InvalidInput: for a malformed request (nothing is read or audited).
    """
    query = medical_query(request, kind=InfoKind.DRUG)
    return _answer(uow=uow, clock=clock, institution=institution, query=query, fetch=_drugs)


def checkup_information(*, uow: UnitOfWork, clock: Clock, institution: str,
                        request: Mapping[str, object]) -> MedicalAnswer:
    """Answer a 特定健診情報 request of ``institution`` (values by element name) at business now.

    :raises InvalidInput: for a malformed request (nothing is read or audited).
    """
    query = medical_query(request, kind=InfoKind.CHECKUP)
    return _answer(uow=uow, clock=clock, institution=institution, query=query, fetch=_checkups)
