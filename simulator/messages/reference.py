"""照会番号 registration: the ``OQSsiimm01req`` request and its result (docs/interfaces.md).

Request::

    XmlMsg
     MessageHeader      MedicalInstitutionCode, ArbitraryFileIdentifier?
     MessageBody
       ReferenceNumberRegistrationInfo
         ReferenceNumber (max 50), InsurerNumber, InsuredCardSymbol?,
         InsuredIdentificationNumber, InsuredBranchNumber?

Result (``OQSsiimm01res``)::

    XmlMsg
     MessageHeader      ProcessExecutionTime, MedicalInstitutionCode, ArbitraryFileIdentifier?,
                        SegmentOfResult, CharacterCodeIdentifier
     MessageBody        ProcessingResultStatus, ProcessingResultCode?, ProcessingResultMessage?,
                        ReferenceNumber

A request that cannot be processed at all is answered by the shared envelope error tree
(SegmentOfResult 9 with ErrorCode/ErrorMessage in the header).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from ..codes import ResultCode
from ..registry.model import JST
from .encoding import Charset
from .reading import child, leaves, read_header
from .tree import Node, branch, leaf

__all__ = ["ReferenceRequest", "read_header", "read_reference_request",
           "reference_result_tree"]

INFO = "ReferenceNumberRegistrationInfo"


@dataclass(frozen=True, slots=True)
class ReferenceRequest:
    """The raw strings of an ``OQSsiimm01req`` request."""

    header: Mapping[str, str]
    info: Mapping[str, str]


def read_reference_request(root: etree._Element) -> ReferenceRequest:
    """Read the request tree.

    :raises MalformedMessage / MissingField: as :func:`read_header`, or the registration info
        is absent or repeated.
    """
    header = read_header(root)
    info = leaves(child(child(root, "MessageBody"), INFO))
    return ReferenceRequest(header, info)


def reference_result_tree(
    request: ReferenceRequest, *, processed_at: dt.datetime, charset: Charset,
    reference_number: str | None = None, refused: tuple[ResultCode, str] | None = None,
) -> Node:
    """The ``OQSsiimm01res`` tree: registered (status 1), or ``refused`` with its code and
    message (status 2). ReferenceNumber is the number stored, else the one the request sent."""
    header = request.header
    number = reference_number or request.info.get("ReferenceNumber") or None
    return ("XmlMsg", [
        branch("MessageHeader", [
            leaf("ProcessExecutionTime", processed_at.astimezone(JST).strftime("%Y%m%d%H%M%S")),
            leaf("MedicalInstitutionCode", header.get("MedicalInstitutionCode")),
            leaf("ArbitraryFileIdentifier", header.get("ArbitraryFileIdentifier") or None),
            leaf("SegmentOfResult", "1"),
            leaf("CharacterCodeIdentifier", charset.identifier),
        ]),
        branch("MessageBody", [
            leaf("ProcessingResultStatus", "2" if refused else "1"),
            leaf("ProcessingResultCode", refused[0].code if refused else None),
            leaf("ProcessingResultMessage", refused[1] if refused else None),
            leaf("ReferenceNumber", number),
        ]),
    ])
