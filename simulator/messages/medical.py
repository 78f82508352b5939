"""The 薬剤情報 and 特定健診 request files and their results (docs/interfaces.md).

Reading gives raw strings by element name (validation is the registry's). Both results share a
header, decided here since only OD's reading of it is public (``//ResultCode`` = 1 on success,
else the error text in ``//MessageContents``)::

    MessageHeader
      ProcessExecutionTime, MedicalInstitutionCode (echo), ArbitraryFileIdentifier (echo),
      ResultCode (1, or the catalogue code of the refusal), MessageContents (on refusal),
      CharacterCodeIdentifier,
      QuaInf (drug: Name, KanaName, Birth, AdmGendCode) |
      QualificationsInfo (checkup: Name, KanasName, Birthday, AdministrativeGenderCode)

The person block and the MessageBody come only with a success; the person is the current record
as the insurer registered it. Drug lines are grouped by source (claims MeTrMonthInf, dispensing
CzDiInf/CzDiMonthInf, e-prescriptions ShPrInf/ShPrMonthInf), then by month and institution
(dispensing and prescribing), then by day. The Org / IsOrg flags say whether that institution is
the requesting one (1) or another (2); InOut / PrCl carry 院内 1 / 院外 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from lxml import etree

from ..codes import ResultCode
from ..medical.model import Checkup, DrugRecord, DrugSource
from ..registry.model import JST, Qualification
from .encoding import Charset
from .reading import child, leaves, read_header
from .tree import Node, branch, leaf

if TYPE_CHECKING:
    from ..medical.masters import CheckupItems

__all__ = ["MedicalRequest", "read_medical_request", "drug_tree", "checkup_tree", "SUCCESS"]

SUCCESS = "1"  # ResultCode of a processed request
HEADER_FIELDS = ("MedicalInstitutionCode", "InsurerNumber", "InsuranceCardSymbol",
                 "InsuredPersonIdentificationNumber", "BranchNumber", "ArbitraryFileIdentifier")


@dataclass(frozen=True, slots=True)
class MedicalRequest:
    """The raw strings of a ``YZKsiquc01req`` or ``TKKsiquc01req`` file."""

    header: Mapping[str, str]
    body: Mapping[str, str]

    @property
    def values(self) -> dict[str, str]:
        """Header and body values by element name (the names do not overlap)."""
        return {**self.body, **self.header}


def read_medical_request(root: etree._Element) -> MedicalRequest:
    """Read the request tree.

    :raises MalformedMessage: wrong root, nesting or repetition (``field`` is the XPath).
    :raises MissingField: MessageHeader, MessageBody or MedicalInstitutionCode is absent.
    """
    header = read_header(root)
    return MedicalRequest(header, leaves(child(root, "MessageBody")))


# -- shared ------------------------------------------------------------------------------------


def _instant(value: dt.datetime) -> str:
    return value.astimezone(JST).strftime("%Y%m%d%H%M%S")


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.strftime("%Y%m%d")


def _header(request: MedicalRequest, *, processed_at: dt.datetime, charset: Charset,
            refusal: tuple[ResultCode, str] | None, person: Node | None) -> Node | None:
    return branch("MessageHeader", [
        leaf("ProcessExecutionTime", _instant(processed_at)),
        leaf("MedicalInstitutionCode", request.header.get("MedicalInstitutionCode")),
        leaf("ArbitraryFileIdentifier", request.header.get("ArbitraryFileIdentifier") or None),
        leaf("ResultCode", refusal[0].code if refusal else SUCCESS),
        leaf("MessageContents", refusal[1] if refusal else None),
        leaf("CharacterCodeIdentifier", charset.identifier),
        None if refusal else person,
    ])


def _message(header: Node | None, body: list[Node | None] | None) -> Node:
    children = [header] if body is None else [header, ("MessageBody", [
        node for node in body if node is not None])]
    return ("XmlMsg", children)


# -- drugs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Names:
    """The element names of one drug source (docs/interfaces.md)."""

    wrapper: str | None
    month: tuple[str, ...]  # MonthInf, Org, DiHCd, DiHNm, Month, HCd, HNm, IsOrg, Cl
    days: tuple[str, ...]  # DateInfs, DateInf, DiDate, PrDate (None for Sh)
    drug: tuple[str, ...]  # DrugInfs, DrugInf, C, N, IngreN, Qua1, Unit, UsageN, SpInst,
    #                        Times, UsageCl


_NAMES = {
    DrugSource.CLAIMS: _Names(None, (
        "MeTrMonthInf", "DiOrg", "MeTrDiHCd", "MeTrDiHNm", "MeTrMonth", "PrlsHCd", "PrlsHNm",
        "PrIsOrg", "InOut"), ("DiDateInfs", "DiDateInf", "DiDate", "PrDate"), (
        "DrugInfs", "DrugInf", "DrugC", "DrugN", "IngreN", "Qua1", "Unit", "UsageN", "SpInst",
        "Times", "MeTrIdCl")),
    DrugSource.DISPENSING: _Names("CzDiInf", (
        "CzDiMonthInf", "CzDiOrg", "CzMeTrDiHCd", "CzMeTrDiHNm", "CzDiMonth", "CzPrlsHCd",
        "CzPrlsHNm", "CzPrIsOrg", "CzPrCl"), (
        "CzDiDateInfs", "CzDiDateInf", "CzDiDate", "CzPrDate"), (
        "CzDrugInfs", "CzDrugInf", "CzDrugC", "CzDrugN", "CzIngreN", "CzQua1", "CzUnit",
        "CzUsageN", "CzSpInst", "CzTimes", "CzUsageCl")),
    DrugSource.EPRESCRIPTION: _Names("ShPrInf", (
        "ShPrMonthInf", "ShPrOrg", "ShMeTrDiHCd", "ShMeTrDiHNm", "ShPrMonth", "ShPrHCd",
        "ShPrHNm", "ShPrIsOrg", "ShPrCl"), ("ShPrDateInfs", "ShPrDateInf", "ShPrDate", None), (
        "ShDrugInfs", "ShDrugInf", "ShDrugC", "ShDrugN", "ShIngreN", "ShQua1", "ShUnit",
        "ShUsageN", "ShSpInst", "ShTimes", "ShUsageCl")),
}


def _own(code: str | None, institution: str) -> str | None:
    if code is None:
        return None
    return "1" if code == institution else "2"


def _drug_line(r: DrugRecord, names: _Names) -> Node | None:
    values = (r.drug_code, r.drug_name, r.ingredient, r.quantity, r.unit, r.usage, r.special,
              r.days, r.usage_class)
    return branch(names.drug[1], [leaf(tag, v) for tag, v in zip(names.drug[2:], values,
                                                                strict=True)])


def _day(day: dt.date, lines: list[DrugRecord], names: _Names) -> Node | None:
    dates_tag, date_tag, di_date, pr_date = names.days
    return branch(date_tag, [
        leaf(di_date, _date(day)),
        leaf(pr_date, _date(lines[0].prescribed_on)) if pr_date else None,
        branch(names.drug[0], [_drug_line(r, names) for r in lines]),
    ])


def _month(lines: list[DrugRecord], names: _Names, institution: str) -> Node | None:
    first = lines[0]
    tag, org, di_code, di_name, month, pr_code, pr_name, is_org, in_out = names.month
    days = [_day(day, list(group), names)
            for day, group in groupby(lines, key=lambda r: r.dispensed_on)]
    return branch(tag, [
        leaf(org, _own(first.dispensing_code, institution)),
        leaf(di_code, first.dispensing_code), leaf(di_name, first.dispensing_name),
        leaf(month, first.month),
        leaf(pr_code, first.prescribing_code), leaf(pr_name, first.prescribing_name),
        leaf(is_org, _own(first.prescribing_code, institution)), leaf(in_out, first.in_out),
        branch(names.days[0], days),
    ])


def _group_key(r: DrugRecord) -> tuple:
    return (r.month, r.dispensing_code or "", r.prescribing_code or "")


def _source(records: list[DrugRecord], source: DrugSource, institution: str) -> list[Node]:
    names = _NAMES[source]
    mine = sorted((r for r in records if r.source is source),
                  key=lambda r: (_group_key(r), r.dispensed_on, r.id or 0))
    months = [_month(list(group), names, institution)
              for _, group in groupby(mine, key=_group_key)]
    if names.wrapper is None:
        return [m for m in months if m is not None]
    wrapped = branch(names.wrapper, months)
    return [] if wrapped is None else [wrapped]


def _qua_inf(record: Qualification | None) -> Node | None:
    if record is None:
        return None
    return branch("QuaInf", [
        leaf("Name", record.name), leaf("KanaName", record.kana),
        leaf("Birth", _date(record.birthdate)), leaf("AdmGendCode", record.sex.value),
    ])


def drug_tree(request: MedicalRequest, *, processed_at: dt.datetime, charset: Charset,
              institution: str, record: Qualification | None = None,
              drugs: Iterable[DrugRecord] = (),
              refusal: tuple[ResultCode, str] | None = None) -> Node:
    """The ``YZKsiquc01res`` tree: the drug lines, or the refusal's ResultCode and message."""
    header = _header(request, processed_at=processed_at, charset=charset, refusal=refusal,
                     person=_qua_inf(record))
    if refusal:
        return _message(header, None)
    lines = list(drugs)
    body = [node for source in DrugSource for node in _source(lines, source, institution)]
    return _message(header, body)


# -- checkups ----------------------------------------------------------------------------------


def _qualifications_info(record: Qualification | None) -> Node | None:
    if record is None:
        return None
    return branch("QualificationsInfo", [
        leaf("Name", record.name), leaf("KanasName", record.kana),
        leaf("Birthday", _date(record.birthdate)),
        leaf("AdministrativeGenderCode", record.sex.value),
    ])


def _result(code: str, value: str, items: CheckupItems) -> Node | None:
    item = items.find(code)
    if item is None:  # a code outside the master: shown as stored
        return branch("HealthCheckupResultAndQuestionInfo",
                      [leaf("ItemCode", code), leaf("DataValue", value)])
    return branch("HealthCheckupResultAndQuestionInfo", [
        leaf("ItemCode", item.code), leaf("ItemName", item.label),
        leaf("DataType", item.data_type), leaf("DataValue", value), leaf("Unit", item.unit),
        leaf("Oid", item.oid), leaf("DataValueName", item.value_name(value)),
    ])


def _checkup(checkup: Checkup, items: CheckupItems) -> Node | None:
    results = sorted(checkup.results, key=lambda r: items.order(r.code))
    return branch("SpecificHealthCheckupInfo", [
        leaf("EffectiveTime", _date(checkup.exam_date)),
        branch("HealthCheckupResultAndQuestionInfos",
               [_result(r.code, r.value, items) for r in results]),
    ])


def checkup_tree(request: MedicalRequest, *, processed_at: dt.datetime, charset: Charset,
                 items: CheckupItems, record: Qualification | None = None,
                 checkups: Iterable[Checkup] = (),
                 refusal: tuple[ResultCode, str] | None = None) -> Node:
    """The ``TKKsiquc01res`` tree: the checkups, or the refusal's ResultCode and message."""
    header = _header(request, processed_at=processed_at, charset=charset, refusal=refusal,
                     person=_qualifications_info(record))
    if refusal:
        return _message(header, None)
    return _message(header, [_checkup(c, items) for c in checkups])
