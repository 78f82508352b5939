"""The search without a card (disaster or emergency mode) and its answer — the simulator's own
shape, since the real function is a screen of the terminal (docs/decisions.md).

Request (JSON, the tree rendered as the Web API renders XML)::

    XmlMsg
      MessageHeader: MedicalInstitutionCode
      MessageBody:   KanaName, Birthdate (YYYYMMDD), Sex (1/2), Address (optional)

Answer::

    XmlMsg
      MessageHeader: ProcessExecutionTime, MedicalInstitutionCode, SegmentOfResult (1),
                     CharacterCodeIdentifier
      MessageBody:   SearchInfo (echo), ProcessingResultStatus (1, or 2 when refused),
                     ProcessingResultCode / ProcessingResultMessage (refused),
                     AccessBasis (disaster | emergency), NumberOfCandidates,
                     CandidateList: Candidate*
                       Name, NameKana, Birthdate, Sex1, Address, InsurerNumber,
                       InsuredCardSymbol, InsuredIdentificationNumber, InsuredBranchNumber,
                       QualificationDate, DisqualificationDate

A candidate carries the insurance-card items of the record it is shown by: the terminal then
asks 薬剤情報 / 特定健診情報 with them (``YZKsiquc01req_`` / ``TKKsiquc01req_``), which the same
basis opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..codes import ResultCode
from ..disaster_mode.search import Candidate
from ..disaster_mode.search_service import SearchAnswer
from ..registry.model import JST
from .encoding import Charset
from .tree import Node, branch, leaf

__all__ = ["SEARCH_FIELDS", "search_tree"]

SEARCH_FIELDS = ("KanaName", "Birthdate", "Sex", "Address")


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.strftime("%Y%m%d")


def _candidate(candidate: Candidate) -> Node | None:
    r = candidate.record
    return branch("Candidate", [
        leaf("Name", r.name), leaf("NameKana", r.kana), leaf("Birthdate", _date(r.birthdate)),
        leaf("Sex1", r.sex.value), leaf("Address", r.address),
        leaf("InsurerNumber", r.insurer.number), leaf("InsuredCardSymbol", r.symbol),
        leaf("InsuredIdentificationNumber", r.number), leaf("InsuredBranchNumber", r.branch),
        leaf("QualificationDate", _date(r.qualification_date)),
        leaf("DisqualificationDate", _date(r.valid_to)),
    ])


def search_tree(header: Mapping[str, str], body: Mapping[str, str], answer: SearchAnswer, *,
                charset: Charset, refusal: tuple[ResultCode, str] | None) -> Node:
    """The answer to a processed search (refused: ProcessingResultStatus 2 with the code)."""
    found = answer.candidates
    message_body = branch("MessageBody", [
        branch("SearchInfo", [leaf(f, body.get(f) or None) for f in SEARCH_FIELDS]),
        leaf("ProcessingResultStatus", "2" if refusal else "1"),
        leaf("ProcessingResultCode", refusal[0].code if refusal else None),
        leaf("ProcessingResultMessage", refusal[1] if refusal else None),
        leaf("AccessBasis", answer.basis.name if answer.basis else None),
        leaf("NumberOfCandidates", None if refusal else str(len(found))),
        branch("CandidateList", [_candidate(c) for c in found]),
    ])
    message_header = branch("MessageHeader", [
        leaf("ProcessExecutionTime", answer.as_of.astimezone(JST).strftime("%Y%m%d%H%M%S")),
        leaf("MedicalInstitutionCode", header.get("MedicalInstitutionCode")),
        leaf("SegmentOfResult", "1"),
        leaf("CharacterCodeIdentifier", charset.identifier),
    ])
    return ("XmlMsg", [message_header, message_body])
