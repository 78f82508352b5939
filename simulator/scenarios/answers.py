"""The answers ``scenario check`` gets, reduced to the keys an expectation compares
(``expect[].result``): validity, status, segment, code, names, counts, bulk units.

Every summary carries ``http``, the HTTP status the client got (an injected fault may answer a
bare 503 or a 504 with no OQS message at all).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

__all__ = ["summarize", "search_summary", "medical_summary", "bulk_summary", "compact",
           "xml_as_json"]

_DRUG_LINES = ("DrugInf", "CzDrugInf", "ShDrugInf")


def _iso(value: str | None) -> str | None:
    if not value or len(value) != 8:
        return value
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def compact(value: str) -> str:
    return value.replace("-", "")


def _outcome(document: Mapping[str, Any], http_status: int) -> dict[str, Any]:
    """What every JSON answer tells: HTTP status, SegmentOfResult, ProcessingResultStatus, the
    code (processing result, else envelope error) and whether it succeeded."""
    header = document.get("MessageHeader", {})
    body = document.get("MessageBody", {})
    segment, status = header.get("SegmentOfResult"), body.get("ProcessingResultStatus")
    return {
        "http": http_status,
        "segment": segment,
        "status": status,
        "code": body.get("ProcessingResultCode") or header.get("ErrorCode"),
        "ok": http_status == 200 and segment == "1" and status == "1",
    }


def summarize(document: Mapping[str, Any], http_status: int) -> dict[str, Any]:
    """The comparable keys of a qualification answer (``XmlMsg`` as JSON)."""
    body = document.get("MessageBody", {})
    results = [item["ResultOfQualificationConfirmation"] for item in body.get("ResultList", [])]
    first = results[0] if results else {}
    elderly = first.get("ElderlyRecipientCertificateInfo") or {}
    return {
        **_outcome(document, http_status),
        "validity": body.get("QualificationValidity"),
        "results": len(results),
        "insurer": (first.get("InsurerNumber") or "").strip() or None,
        "reason_of_loss": first.get("ReasonOfLoss"),
        "name": first.get("Name"),
        "kana": first.get("NameKana"),
        "ratio": first.get("InsuredPartialContributionRatio"),
        "elderly_ratio": elderly.get("ElderlyRecipientContributionRatio"),
        "preschool": first.get("PreschoolClassification") == "1",
        "limit_certificate": "LimitApplicationCertificateRelatedInfo" in first,
        "qualification_date": _iso(first.get("QualificationDate")),
        "disqualification_date": _iso(first.get("DisqualificationDate")),
        "branch": first.get("InsuredBranchNumber"),
        "reference_number": first.get("ReferenceNumber"),
        "drug_consent": first.get("PharmacistsInfoConsFlg"),
        "checkup_consent": first.get("SpecificHealthCheckupsInfoConsFlg"),
    }


def xml_as_json(element: ElementTree.Element) -> Any:
    """The face XML read back into the JSON shape ``summarize`` reads (ResultList as list)."""
    if len(element) == 0:
        return element.text or ""
    if element.tag == "ResultList":
        return [{child.tag: xml_as_json(child)} for child in element]
    return {child.tag: xml_as_json(child) for child in element}


def medical_summary(content: bytes, http_status: int) -> dict[str, Any]:
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return {"http": http_status, "ok": False, "code": None, "count": 0}
    code = root.findtext(".//ResultCode") or root.findtext(".//ErrorCode")
    lines = sum(len(root.findall(f".//{tag}")) for tag in _DRUG_LINES)
    checkups = len(root.findall(".//SpecificHealthCheckupInfo"))
    ok = http_status == 200 and code == "1"
    return {"http": http_status, "ok": ok, "code": None if ok else code,
            "count": lines or checkups, "segment": root.findtext(".//SegmentOfResult")}


def search_summary(document: Mapping[str, Any], http_status: int) -> dict[str, Any]:
    """The comparable keys of a search without a card (``XmlMsg`` as JSON)."""
    outcome = _outcome(document, http_status)
    body = document.get("MessageBody", {})
    found = body.get("CandidateList", [])
    first = found[0]["Candidate"] if found else {}
    return {
        **outcome,
        "candidates": len(found) if outcome["status"] == "1" else 0,
        "basis": body.get("AccessBasis"),
        "name": first.get("Name"),
        "kana": first.get("NameKana"),
        "insurer": (first.get("InsurerNumber") or "").strip() or None,
    }


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _unit_summary(unit: ElementTree.Element) -> dict[str, Any]:
    results = unit.findall("ResultOfQualificationConfirmation")
    first = results[0] if results else ElementTree.Element("none")
    return {
        "status": unit.findtext("ProcessingResultStatus"),
        "code": unit.findtext("ProcessingResultCode"),
        "validity": unit.findtext("QualificationValidity"),
        "results": len(results),
        "insurer": (first.findtext("InsurerNumber") or "").strip() or None,
        "name": first.findtext("Name"),
        "reason_of_loss": first.findtext("ReasonOfLoss"),
        "limit_changed": first.findtext("LimitApplicationCertificateChanged"),
        "reference_number": unit.findtext("ReferenceNumber"),
    }


def bulk_summary(content: bytes, http_status: int) -> dict[str, Any]:
    """The comparable keys of a 一括照会 answer (``01res``, ``02res`` or ``.err``)."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return {"http": http_status, "ok": False, "segment": None, "code": None,
                "reception_number": None}
    header = root.find("MessageHeader")
    header = header if header is not None else ElementTree.Element("MessageHeader")
    segment = header.findtext("SegmentOfResult")
    units = root.findall("MessageBody/BulkConfirmUnit")
    validities: dict[str, int] = {}
    for unit in units:
        validity = unit.findtext("QualificationValidity")
        if validity:
            validities[validity] = validities.get(validity, 0) + 1
    return {
        "http": http_status,
        "segment": segment,
        "code": header.findtext("ErrorCode"),
        "ok": http_status == 200 and segment == "1",
        "reception_number": root.findtext("MessageBody/ReceptionNumber")
                            or header.findtext("ReceptionNumber"),
        "processed": _count(header.findtext("NumberOfProcessingResult")),
        "normal": _count(header.findtext("NumberOfNormalProcessing")),
        "errors": _count(header.findtext("NumberOfError")),
        "validities": validities,
        "units": {unit.findtext("QualificationConfirmSearchInfo/ArbitraryIdentifier")
                  or f"#{n + 1}": _unit_summary(unit) for n, unit in enumerate(units)},
    }
