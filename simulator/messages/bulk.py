"""The 一括照会 files (docs/interfaces.md): upload ``OQSmuquc01req`` → 受付 ``01res``; download
``OQSmuquc02req`` → result ``02res`` with one BulkConfirmUnit per item.

Reading gives raw strings. An item whose own structure is broken (a nested or repeated element
inside one QualificationConfirmSearchInfo) is kept with a ``MALFORMED`` note and becomes an
error unit when processed: only a broken envelope refuses the file.

A unit's ResultOfQualificationConfirmation is the reference's subset (card, insurer, name, sex,
birthdate, address, dates, ratio, 未就学, reason of loss, insurer name, 高齢受給者証) and
LimitApplicationCertificateChanged (OQSCD014; never the certificate itself); the
ReferenceNumber stands at the unit level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..bulk.model import MALFORMED
from ..codes import ResultCode
from ..registry.errors import MalformedMessage, MissingField
from ..registry.lookup import Confirmation
from ..registry.model import JST
from .encoding import Charset
from .qualification import core_fields, search_echo
from .reading import child, leaves, read_header
from .tree import Node, branch, leaf

__all__ = ["BulkUpload", "MALFORMED", "read_bulk_upload", "read_bulk_download",
           "reception_tree", "unit_tree", "result_tree"]



@dataclass(frozen=True, slots=True)
class BulkUpload:
    header: Mapping[str, str]
    items: Sequence[Mapping[str, str]]


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(JST).strftime("%Y%m%d%H%M%S")


def _item(element: etree._Element) -> dict[str, str]:
    try:
        return leaves(element)
    except MalformedMessage as error:
        kept = {e.tag: (e.text or "").strip() for e in element if not len(e)}
        return {**kept, MALFORMED: f"{error.field}: {error.reason}"}


def read_bulk_upload(root: etree._Element) -> BulkUpload:
    """Read an upload tree.

    :raises MalformedMessage / MissingField: a broken envelope (``field`` is the XPath).
    """
    header = read_header(root)
    body = child(root, "MessageBody")
    return BulkUpload(header, [_item(e) for e in body.findall("QualificationConfirmSearchInfo")])


def read_bulk_download(root: etree._Element) -> tuple[Mapping[str, str], str]:
    """Read a download tree: its header and the ReceptionNumber."""
    header = read_header(root)
    number = leaves(child(root, "MessageBody")).get("ReceptionNumber")
    if not number:
        raise MissingField("/XmlMsg/MessageBody/ReceptionNumber", "この要素は必須です。")
    return header, number


def reception_tree(header: Mapping[str, str], *, reception_number: str,
                   received_at: dt.datetime, charset: Charset) -> Node:
    """The 受付 answer ``OQSmuquc01res``."""
    return branch("XmlMsg", [
        branch("MessageHeader", [
            leaf("ProcessExecutionTime", _stamp(received_at)),
            leaf("MedicalInstitutionCode", header.get("MedicalInstitutionCode")),
            leaf("ArbitraryFileIdentifier", header.get("ArbitraryFileIdentifier") or None),
            leaf("SegmentOfResult", "1"),
            leaf("CharacterCodeIdentifier", charset.identifier),
        ]),
        branch("MessageBody", [
            leaf("ReceptionNumber", reception_number),
            leaf("ReceptionDateTime", _stamp(received_at)),
        ]),
    ])


def unit_tree(search: Mapping[str, str], confirmation: Confirmation | None,
              refusal: tuple[ResultCode, str] | None) -> Node:
    """One BulkConfirmUnit: the echoed search, then the result or the item's refusal."""
    echo = search_echo(search)
    if confirmation is None:
        assert refusal is not None
        return branch("BulkConfirmUnit", [
            echo, leaf("ProcessingResultStatus", "2"),
            leaf("ProcessingResultCode", refusal[0].code),
            leaf("ProcessingResultMessage", refusal[1]),
        ])
    results = confirmation.results
    number = next((confirmation.reference_number_of(q.person_id) for q in results
                   if confirmation.reference_number_of(q.person_id)), None)
    return branch("BulkConfirmUnit", [
        echo, leaf("ProcessingResultStatus", "1"),
        leaf("QualificationValidity", confirmation.validity.value),
        *[branch("ResultOfQualificationConfirmation", [
            *core_fields(q),
            leaf("LimitApplicationCertificateChanged", confirmation.limit_changed(q.person_id)),
        ]) for q in results],
        leaf("ReferenceNumber", number),
    ])


def _notice_body(error: tuple[ResultCode, str]) -> Node | None:
    """The MessageBody of an answer without units: the code and message again, where clinic
    tools read them (ProcessingResultMessage); status 2 only for a refusal."""
    result, message = error
    return branch("MessageBody", [
        leaf("ProcessingResultStatus", "2" if result.level == "error" else None),
        leaf("ProcessingResultCode", result.code),
        leaf("ProcessingResultMessage", message),
    ])


def result_tree(header: Mapping[str, str], *, job: Any, segment: str, as_of: dt.datetime,
                charset: Charset, units: Sequence[Any] = (), normal: int = 0,
                error: tuple[ResultCode, str] | None = None) -> Node:
    """The download answer ``OQSmuquc02res``: SegmentOfResult 1 with the units and counts,
    2 while processing, 9 for an unknown 受付番号 (``error``); the last two carry their code
    and message in the MessageBody too."""
    done = segment == "1"
    return branch("XmlMsg", [
        branch("MessageHeader", [
            leaf("ProcessExecutionTime", _stamp(as_of)),
            leaf("QualificationConfirmationDate", job.confirm_date if job else None),
            leaf("MedicalInstitutionCode", header.get("MedicalInstitutionCode")),
            leaf("ArbitraryFileIdentifier", job.arbitrary_file_identifier if job else None),
            leaf("ReceptionNumber", job.reception_number if job else None),
            leaf("SegmentOfResult", segment),
            leaf("ErrorCode", error[0].code if error else None),
            leaf("ErrorMessage", error[1] if error else None),
            leaf("NumberOfProcessingResult", str(len(units)) if done else None),
            leaf("NumberOfNormalProcessing", str(normal) if done else None),
            leaf("NumberOfError", str(len(units) - normal) if done else None),
            leaf("CharacterCodeIdentifier", charset.identifier),
        ]),
        branch("MessageBody", list(units)) if done else (
            _notice_body(error) if error else None),
    ])
