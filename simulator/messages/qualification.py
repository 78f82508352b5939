"""The single qualification request and its result (docs/interfaces.md).

Reading gives raw strings (validation is the registry's job). Building follows the reference's
element order; absent values are omitted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from ..codes import ResultCode
from ..registry.errors import MalformedMessage, MissingField
from ..registry.identifiers import format_insurer_number
from ..registry.lookup import Confirmation, ConsentShown
from ..registry.model import JST, InsurerKind, Qualification
from .encoding import Charset
from .reading import child, leaves
from .tree import Node, branch, leaf

__all__ = [
    "SingleRequest",
    "read_single_request",
    "confirmation_tree",
    "item_error_tree",
    "envelope_error_tree",
    "SEARCH_FIELDS",
    "core_fields",
    "search_echo",
    "echoable_header",
]

SEARCH_FIELDS = (
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "Birthdate",
    "LimitApplicationCertificateRelatedConsFlg",
    "ArbitraryIdentifier",
)
HEADER_FIELDS = (
    "QualificationConfirmationDate", "MedicalInstitutionCode", "ArbitraryFileIdentifier"
)
LIMIT_CONSENT = "LimitApplicationCertificateRelatedConsFlg"
#: The consent flag a request without one is read as (OQSCD001 0 未同意), and echoed as.
DEFAULT_LIMIT_CONSENT = "0"
INSURANCE_CARD = "2"  # ReferenceClassification OQSCD002
MY_NUMBER_CARD = "1"
#: Consent groups in element order, by InfoKind value (docs/interfaces.md).
CONSENT_ELEMENTS = (
    ("checkup", "SpecificHealthCheckupsInfo"),
    ("drug", "PharmacistsInfo"),
    ("diagnosis", "DiagnosisInfo"),
    ("operation", "OperationInfo"),
)


@dataclass(frozen=True, slots=True)
class SingleRequest:
    """The raw strings of an ``OQSsiquc01req`` (or Web API search) request."""

    header: Mapping[str, str]
    search: Mapping[str, str]

    @property
    def confirm_date(self) -> str:
        return self.header["QualificationConfirmationDate"]

    @property
    def institution_code(self) -> str:
        return self.header["MedicalInstitutionCode"]


def read_single_request(root: etree._Element) -> SingleRequest:
    """Read the request tree.

    :raises MalformedMessage: wrong root, nesting or repetition (``field`` is the XPath).
    :raises MissingField: a required element or header value is absent.
    """
    if root.tag != "XmlMsg":
        raise MalformedMessage(f"/{root.tag}", "ルート要素はXmlMsgにしてください。")
    header = leaves(child(root, "MessageHeader"))
    search = leaves(child(child(root, "MessageBody"), "QualificationConfirmSearchInfo"))
    for field in ("QualificationConfirmationDate", "MedicalInstitutionCode"):
        if not header.get(field):
            raise MissingField(f"/XmlMsg/MessageHeader/{field}", "この要素は必須です。")
    return SingleRequest(header, search)


# -- building ----------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat().replace("-", "")  # 3× strftime


def _instant(value: dt.datetime) -> str:
    return value.astimezone(JST).strftime("%Y%m%d%H%M%S")


def _header(
    header: Mapping[str, str], *, processed_at: dt.datetime, charset: Charset,
    segment: str, error: tuple[ResultCode, str] | None = None,
    reference_classification: str | None = INSURANCE_CARD,
) -> Node | None:
    return branch("MessageHeader", [
        leaf("ProcessExecutionTime", _instant(processed_at)),
        leaf("QualificationConfirmationDate", header.get("QualificationConfirmationDate")),
        leaf("MedicalInstitutionCode", header.get("MedicalInstitutionCode")),
        leaf("ArbitraryFileIdentifier", header.get("ArbitraryFileIdentifier") or None),
        leaf("ReferenceClassification", reference_classification),
        leaf("SegmentOfResult", segment),
        leaf("ErrorCode", error[0].code if error else None),
        leaf("ErrorMessage", error[1] if error else None),
        leaf("CharacterCodeIdentifier", charset.identifier),
    ])


_ECHO_FORMS = {
    "QualificationConfirmationDate": re.compile(r"[0-9]{8}"),
    "MedicalInstitutionCode": re.compile(r"[0-9]{10}"),
    "ArbitraryFileIdentifier": re.compile(r".{1,100}", re.DOTALL),
}


def echoable_header(header: Mapping[str, object]) -> dict[str, str]:
    """The request's header values an answer may echo: those of the header fields that have
    their element's form (a date of 8 digits, a code of 10), so a strict reader of the answer
    never meets a value it cannot parse."""
    return {
        name: value for name, form in _ECHO_FORMS.items()
        if isinstance(value := header.get(name), str) and form.fullmatch(value)
    }


def search_echo(search: Mapping[str, str]) -> Node | None:
    """QualificationConfirmSearchInfo as the answer echoes it: the fields the request gave, and
    always the 限度額 consent flag (``0`` when the request left it out, as it was read)."""
    if not search:
        return None
    values = {**search, LIMIT_CONSENT: search.get(LIMIT_CONSENT) or DEFAULT_LIMIT_CONSENT}
    return branch(
        "QualificationConfirmSearchInfo",
        [leaf(f, values[f]) for f in SEARCH_FIELDS if values.get(f)],
    )


def _elderly(q: Qualification) -> Node | None:
    if not q.elderly:
        return None
    cert = q.elderly[0]
    return branch("ElderlyRecipientCertificateInfo", [
        leaf("ElderlyRecipientCertificateDate", _date(cert.issued_on)),
        leaf("ElderlyRecipientValidStartDate", _date(cert.valid_start)),
        leaf("ElderlyRecipientValidEndDate", _date(cert.valid_end)),
        leaf("ElderlyRecipientContributionRatio", cert.ratio),
    ])


def _limit(q: Qualification) -> Node | None:
    if not q.limits:
        return None
    cert = q.limits[0]
    return branch("LimitApplicationCertificateRelatedInfo", [
        leaf("LimitApplicationCertificateClassification", cert.classification),
        leaf("LimitApplicationCertificateClassificationFlag", cert.classification_flag),
        leaf("LimitApplicationCertificateDate", _date(cert.issued_on)),
        leaf("LimitApplicationCertificateValidStartDate", _date(cert.valid_start)),
        leaf("LimitApplicationCertificateValidEndDate", _date(cert.valid_end)),
        leaf("LimitApplicationCertificateLongTermDate", _date(cert.long_term_date)),
    ])


def _specific_diseases(q: Qualification) -> Node | None:
    return branch("SpecificDiseasesCertificateList", [
        branch("SpecificDiseasesCertificateInfo", [
            leaf("SpecificDiseasesDiseaseCategory", cert.category),
            leaf("SpecificDiseasesCertificateDate", _date(cert.issued_on)),
            leaf("SpecificDiseasesValidStartDate", _date(cert.valid_start)),
            leaf("SpecificDiseasesValidEndDate", _date(cert.valid_end)),
            leaf("SpecificDiseasesSelfPay", None if cert.self_pay is None else str(cert.self_pay)),
        ])
        for cert in q.specific_diseases
    ])


def _consent_groups(consents: tuple[ConsentShown, ...]) -> list[Node | None]:
    by_kind = {c.kind: c for c in consents}
    nodes: list[Node | None] = []
    for kind, element in CONSENT_ELEMENTS:
        shown = by_kind.get(kind)
        if shown is None:
            continue
        nodes += [
            leaf(f"{element}ConsFlg", shown.state),
            leaf(f"{element}ConsTime", _instant(shown.given_at) if shown.given_at else None),
            leaf(f"{element}AvailableTime",
                 _instant(shown.available_until) if shown.available_until else None),
        ]
    return nodes


def core_fields(q: Qualification) -> list[Node | None]:
    """The card, person, dates, ratio and 高齢受給者証 of a result — what a bulk unit's
    ResultOfQualificationConfirmation holds too.

    InsuredPartialContributionRatio is the 後期高齢 element: clients read any value there as
    後期高齢's, so other records (whose 負担割合 the registry still knows) leave it out."""
    return [
        leaf("InsuredCardClassification", q.card_class),
        leaf("InsurerNumber", format_insurer_number(q.insurer.number)),
        leaf("InsuredCardSymbol", q.symbol),
        leaf("InsuredIdentificationNumber", q.number),
        leaf("InsuredBranchNumber", q.branch),
        leaf("PersonalFamilyClassification", q.family.value),
        leaf("InsuredName", q.insured_name),
        leaf("Name", q.name),
        leaf("NameOfOther", q.name_other),
        leaf("NameKana", q.kana),
        leaf("NameOfOtherKana", q.kana_other),
        leaf("Sex1", q.sex.value),
        leaf("Sex2", q.sex2.value if q.sex2 else None),
        leaf("Birthdate", _date(q.birthdate)),
        leaf("Address", q.address),
        leaf("PostNumber", q.post_number),
        leaf("QualificationDate", _date(q.qualification_date)),
        leaf("DisqualificationDate", _date(q.valid_to)),
        leaf("InsuredCertificateIssuanceDate", _date(q.card_issued_on)),
        leaf("InsuredCardValidDate", _date(q.card_valid_start)),
        leaf("InsuredCardExpirationDate", _date(q.card_valid_end)),
        leaf("InsuredPartialContributionRatio",
             q.ratio if q.insurer.kind is InsurerKind.KOKI else None),
        leaf("PreschoolClassification", "1" if q.preschool else None),
        leaf("ReasonOfLoss", q.reason_of_loss.value if q.reason_of_loss else None),
        leaf("InsurerName", q.insurer.name),
        _elderly(q),
    ]


def _qualification(q: Qualification, c: Confirmation, search: Mapping[str, str]) -> Node | None:
    consent = c.consent_time
    flag, time = ("1", _instant(consent)) if consent else ("0", None)
    return branch("ResultOfQualificationConfirmation", [
        *core_fields(q),
        leaf("LimitApplicationCertificateRelatedConsFlg", flag),
        leaf("LimitApplicationCertificateRelatedConsTime", time),
        _limit(q),
        # one consent covers 限度額適用認定証等: the 特定疾病療養受療証 comes with it (OQSCD016)
        leaf("SpecificDiseasesCertificateRelatedConsFlg", flag),
        leaf("SpecificDiseasesCertificateRelatedConsTime", time),
        _specific_diseases(q),
        *_consent_groups(c.consents),
        leaf("ArbitraryIdentifier", search.get("ArbitraryIdentifier") or None),
        leaf("ReferenceNumber", c.reference_number_of(q.person_id)),
    ])


def confirmation_tree(
    confirmation: Confirmation, request: SingleRequest, *, charset: Charset,
    reference_classification: str = INSURANCE_CARD,
    notice: tuple[ResultCode, str] | None = None,
) -> Node:
    """The ``OQSsiquc01res`` tree for a processed confirmation.

    For the face result (``reference_classification`` 1) the request has no search item and
    ``request.header`` carries the system-generated ArbitraryFileIdentifier. ``notice`` is extra
    information on a normal end (ProcessingResultCode with status 1, e.g. card_expiring).
    """
    body = branch("MessageBody", [
        search_echo(request.search),
        leaf("ProcessingResultStatus", "1"),
        leaf("ProcessingResultCode", notice[0].code if notice else None),
        leaf("ProcessingResultMessage", notice[1] if notice else None),
        leaf("QualificationValidity", confirmation.validity.value),
        branch("ResultList", [
            _qualification(q, confirmation, request.search) for q in confirmation.results
        ]),
    ])
    header = _header(request.header, processed_at=confirmation.as_of, charset=charset,
                     segment="1", reference_classification=reference_classification)
    return ("XmlMsg", [header, body])


def item_error_tree(
    request: SingleRequest, *, result: ResultCode, message: str, processed_at: dt.datetime,
    charset: Charset, reference_classification: str = INSURANCE_CARD,
) -> Node:
    """A processed request whose search item (or card) was refused (ProcessingResultStatus 2)."""
    body = branch("MessageBody", [
        search_echo(request.search),
        leaf("ProcessingResultStatus", "2"),
        leaf("ProcessingResultCode", result.code),
        leaf("ProcessingResultMessage", message),
    ])
    header = _header(request.header, processed_at=processed_at, charset=charset, segment="1",
                     reference_classification=reference_classification)
    return ("XmlMsg", [header, body])


def envelope_error_tree(
    header: Mapping[str, str], *, result: ResultCode, message: str, processed_at: dt.datetime,
    charset: Charset, reference_classification: str | None = INSURANCE_CARD,
    search: Mapping[str, str] | None = None,
) -> Node:
    """A request that could not be processed: SegmentOfResult 9 with ErrorCode/ErrorMessage in
    the header, and a MessageBody a strict reader can read — the search echoed when it could be
    read, ProcessingResultStatus 2 and the same code and message.

    ``header`` holds what could be read of the request's header; only values of the right form
    are echoed (:func:`echoable_header`).
    """
    body = branch("MessageBody", [
        search_echo(search or {}),
        leaf("ProcessingResultStatus", "2"),
        leaf("ProcessingResultCode", result.code),
        leaf("ProcessingResultMessage", message),
    ])
    return ("XmlMsg", [_header(
        echoable_header(header), processed_at=processed_at, charset=charset, segment="9",
        error=(result, message), reference_classification=reference_classification,
    ), body])
