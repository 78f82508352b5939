"""How ``scenario check`` asks each query route through the public interfaces (docs/scenarios.md).

- ``insurance_card``: the Web API (login with the institution's account, then search);
- ``card``: the virtual card reader — challenge, the card signs the nonce with its private key
  (held in memory by the checker, never stored), then present (or register);
- ``drug`` / ``checkup``: the XML file interface (``YZKsiquc01req_`` / ``TKKsiquc01req_``),
  identifying the person by the items of the insurance card they hold at business now;
- ``disaster_search``: the terminal's search without a card (``/oqs/emergency/search``);
- ``bulk``: 一括照会 through the file interface. An expectation with ``items`` uploads them
  (``OQSmuquc01req_``) and downloads at once (``OQSmuquc02req_``: 処理中 until the job runs);
  one without downloads the upload named ``reception`` after running the ``bulk_queries`` job
  at the expectation's instant, so the units tell what OQS knows then (``process: false``:
  the job has not run, still 処理中).

Every summary carries ``http``, the HTTP status the client got (an injected fault may answer
a bare 503 or a 504 with no OQS message at all).

Each answer is reduced to the comparable keys of ``expect[].result``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from ..jobs import run_job
from ..messages.encoding import UTF8
from ..messages.tree import to_xml
from ..pki.jpki import sign_nonce
from ..registry import rules
from ..registry.errors import InvalidInput
from ..registry.identifiers import format_insurer_number
from ..registry.model import JST

__all__ = ["Asker", "summarize", "search_summary", "bulk_summary"]

LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"
CHALLENGE = "/oqs/card/challenge"
PRESENT = "/oqs/card/present"
REGISTER = "/oqs/card/register"
FILES = "/oqs/files/"
SEARCH_WITHOUT_CARD = "/oqs/emergency/search"
_DRUG_LINES = ("DrugInf", "CzDrugInf", "ShDrugInf")


def _iso(value: str | None) -> str | None:
    if not value or len(value) != 8:
        return value
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def _compact(value: str) -> str:
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


def _xml_as_json(element: ElementTree.Element) -> Any:
    """The face XML read back into the JSON shape ``summarize`` reads (ResultList as list)."""
    if len(element) == 0:
        return element.text or ""
    if element.tag == "ResultList":
        return [{child.tag: _xml_as_json(child)} for child in element]
    return {child.tag: _xml_as_json(child) for child in element}


def _medical_summary(content: bytes, http_status: int) -> dict[str, Any]:
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


class Asker:
    """Asks one file's expectations through a Flask test client of its fresh store."""

    def __init__(self, *, client, runtime, scenario: str, passwords: Mapping[str, tuple],
                 bundles: Mapping[str, Any]) -> None:
        self.client = client
        self.runtime = runtime
        self.scenario = scenario
        self.passwords = passwords
        self.bundles = bundles  # person handle → card bundle (key in memory only)
        self.tokens: dict[str, str] = {}
        self.files = 0
        self.receptions: dict[str, str | None] = {}  # upload handle → 受付番号 (None: refused)

    def ask(self, institution: str, query: Mapping[str, Any]) -> dict[str, Any]:
        route = query["route"]
        if route == "insurance_card":
            return self._insurance_card(institution, query)
        if route == "card":
            return self._card(institution, query)
        if route == "disaster_search":
            return self._search(institution, query)
        if route == "bulk":
            return self._bulk(institution, query)
        return self._medical(institution, query)

    def login(self, institution: str) -> None:
        """Log the institution in now (the idToken is kept for its later queries)."""
        self._token(institution)

    def _token(self, institution: str) -> str:
        if institution not in self.tokens:
            user, password = self.passwords[institution]
            response = self.client.post(LOGIN, json={"userId": user, "password": password})
            if response.status_code != 200:
                return ""
            self.tokens[institution] = response.get_json()["result"]["idToken"]
        return self.tokens[institution]

    def _auth(self, institution: str) -> dict[str, str]:
        return {"Authorization": self._token(institution)}

    def _insurance_card(self, institution: str, query: Mapping[str, Any]) -> dict[str, Any]:
        search = {
            "InsurerNumber": query["insurer"],
            "InsuredCardSymbol": query.get("symbol"),
            "InsuredIdentificationNumber": query["number"],
            "InsuredBranchNumber": query.get("branch"),
            "Birthdate": _compact(query["birthdate"]),
            "LimitApplicationCertificateRelatedConsFlg":
                "1" if query.get("limit_consent") else "0",
        }
        body = {"XmlMsg": {
            "MessageHeader": {"QualificationConfirmationDate": _compact(query["date"]),
                              "MedicalInstitutionCode": institution},
            "MessageBody": {"QualificationConfirmSearchInfo": {
                k: v for k, v in search.items() if v is not None}},
        }}
        response = self.client.post(SEARCH, json=body, headers=self._auth(institution))
        document = response.get_json(silent=True) or {}
        return summarize(document.get("XmlMsg", {}), response.status_code)

    def _search(self, institution: str, query: Mapping[str, Any]) -> dict[str, Any]:
        search = {"KanaName": query["kana"], "Birthdate": _compact(query["birthdate"]),
                  "Sex": query["sex"], "Address": query.get("address")}
        body = {"XmlMsg": {
            "MessageHeader": {"MedicalInstitutionCode": institution},
            "MessageBody": {k: v for k, v in search.items() if v is not None},
        }}
        response = self.client.post(SEARCH_WITHOUT_CARD, json=body,
                                    headers=self._auth(institution))
        document = response.get_json(silent=True) or {}
        return search_summary(document.get("XmlMsg", {}), response.status_code)

    # -- the card reader -------------------------------------------------------------------

    def _card(self, institution: str, query: Mapping[str, Any]) -> dict[str, Any]:
        bundle = self.bundles.get(query["person"])
        if bundle is None:
            raise InvalidInput("query.person",
                               f"{query['person']!r} holds no card (give persons[].card)")
        headers = self._auth(institution)
        challenge = self.client.post(CHALLENGE, headers=headers)
        nonce = (challenge.get_json(silent=True) or {}).get("nonce", "")
        body = {
            "nonce": nonce,
            "certificate": bundle.cert_pem.decode("ascii"),
            "signature": base64.b64encode(sign_nonce(bundle.key_pem, nonce.encode())).decode(),
            "method": query.get("method", "face"),
            "consents": list(query.get("consents", [])),
            "limit_consent": bool(query.get("limit_consent")),
            "medical_treatment_flag": query.get("medical_treatment_flag", "1"),
        }
        if "pin" in query:
            body["pin"] = query["pin"]
        if "face_matched" in query:
            body["face_matched"] = query["face_matched"]
        if "date" in query:
            body["confirmation_date"] = _compact(query["date"])
        url = REGISTER if query.get("register") else PRESENT
        response = self.client.post(url, json=body, headers=headers)
        try:
            document = _xml_as_json(ElementTree.fromstring(response.data))
        except ElementTree.ParseError:
            document = {}
        return summarize(document, response.status_code)

    # -- drug and checkup information --------------------------------------------------------

    def _keys(self, query: Mapping[str, Any], *, field: str = "query.person"
              ) -> dict[str, Any]:
        """The insurance-card items of the query, or of the card the person holds at business
        now (the record OQS shows valid today, else the latest it shows)."""
        if "person" not in query:
            return {k: query.get(k) for k in ("insurer", "symbol", "number", "branch")}
        now = self.runtime.clock.now()
        with self.runtime.uow() as uow:
            person = uow.repo.person_by_handle(self.scenario, query["person"])
            records = rules.visible_records(uow.repo.records_of(person.id), as_of=now)
        today = now.astimezone(JST).date()
        held = [r for r in records if r.valid_on(today)] or records
        if not held:
            raise InvalidInput(field, f"{query['person']!r} has no record OQS shows at "
                               f"{now.isoformat()} to take the card items from")
        record = max(held, key=lambda r: r.valid_from)
        return {"insurer": record.insurer.number, "symbol": record.symbol,
                "number": record.number, "branch": record.branch,
                "birthdate": record.birthdate.isoformat()}

    def _medical(self, institution: str, query: Mapping[str, Any]) -> dict[str, Any]:
        keys = self._keys(query)
        drug = query["route"] == "drug"
        header = [
            ("MedicalInstitutionCode", institution),
            ("InsurerNumber", format_insurer_number(keys["insurer"])),
            ("InsuranceCardSymbol", keys.get("symbol")),
            ("InsuredPersonIdentificationNumber", keys["number"]),
            ("BranchNumber", keys.get("branch")),
            ("ArbitraryFileIdentifier", f"check{self.files:04d}"),
        ]
        body = []
        if drug:
            body += [("StartDate", _month(query.get("from"))), ("EndDate", _month(query.get("to")))]
        body += [("FileCategory", query.get("file_category", "2")),
                 ("PrDiInfClassification", "1"),
                 ("MedicalTreatmentFlag", query.get("medical_treatment_flag", "1"))]
        node = ("XmlMsg", [
            ("MessageHeader", [(k, v) for k, v in header if v is not None]),
            ("MessageBody", [(k, v) for k, v in body if v is not None]),
        ])
        response = self._file(institution, "YZKsiquc01req_" if drug else "TKKsiquc01req_", node)
        return _medical_summary(response.data, response.status_code)

    # -- 一括照会 ------------------------------------------------------------------------------

    def _file(self, institution: str, prefix: str, node) -> Any:
        self.files += 1
        stamp = self.runtime.clock.now().astimezone(JST).strftime("%Y%m%d%H%M%S")
        return self.client.post(f"{FILES}{prefix}{stamp}{self.files:04d}.xml",
                                data=to_xml(node, UTF8), headers=self._auth(institution))

    def _bulk_item(self, index: int, item: Mapping[str, Any]) -> list[tuple[str, str]]:
        if "person" in item:
            keys = self._keys(item, field=f"query.items[{index}].person")
            identifier = item.get("id", item["person"])
        else:
            keys, identifier = item, item.get("id", f"item-{index + 1}")
        search = [
            ("InsurerNumber", keys["insurer"]),
            ("InsuredCardSymbol", keys.get("symbol")),
            ("InsuredIdentificationNumber", keys["number"]),
            ("InsuredBranchNumber", keys.get("branch")),
            ("Birthdate", _compact(str(keys["birthdate"]))),
            ("LimitApplicationCertificateRelatedConsFlg",
             None if "limit_consent" not in item else "1" if item["limit_consent"] else "0"),
            ("ArbitraryIdentifier", identifier),
        ]
        return [(k, v) for k, v in search if v is not None]

    @staticmethod
    def _bulk_date(query: Mapping[str, Any]) -> str:
        """The upload's one QualificationConfirmationDate: the query's ``date``, else the one
        its items (insurance-card queries) share."""
        date = query.get("date")
        for index, item in enumerate(query["items"]):
            if "date" not in item:
                continue
            if date is None:
                date = item["date"]
            elif str(item["date"]) != str(date):
                raise InvalidInput(f"query.items[{index}].date",
                                   f"{item['date']} differs from {date}: an upload has one "
                                   "QualificationConfirmationDate")
        if date is None:
            raise InvalidInput("query.date", "give the upload's confirmation date")
        return str(date)

    def _bulk(self, institution: str, query: Mapping[str, Any]) -> dict[str, Any]:
        handle = query["reception"]
        if "items" in query:
            node = ("XmlMsg", [
                ("MessageHeader", [
                    ("QualificationConfirmationDate", _compact(self._bulk_date(query))),
                    ("MedicalInstitutionCode", institution),
                    ("ArbitraryFileIdentifier", handle)]),
                ("MessageBody", [("QualificationConfirmSearchInfo", self._bulk_item(i, item))
                                 for i, item in enumerate(query["items"])]),
            ])
            response = self._file(institution, "OQSmuquc01req_", node)
            answer = bulk_summary(response.data, response.status_code)
            number = answer.pop("reception_number")
            self.receptions[handle] = number
            if number is None:  # the upload itself was refused: that is the answer
                return answer
        elif handle not in self.receptions:
            raise InvalidInput("query.reception",
                               f"no upload named {handle!r} before this expectation")
        elif self.receptions[handle] is None:
            raise InvalidInput("query.reception",
                               f"the upload named {handle!r} was refused: nothing to download")
        elif query.get("process", True):
            run_job("bulk_queries", engine=self.runtime.engine, clock=self.runtime.clock,
                    settings=self.runtime.settings)
        node = ("XmlMsg", [("MessageHeader", [("MedicalInstitutionCode", institution)]),
                           ("MessageBody", [("ReceptionNumber", self.receptions[handle])])])
        response = self._file(institution, "OQSmuquc02req_", node)
        answer = bulk_summary(response.data, response.status_code)
        answer.pop("reception_number")
        return answer


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


def _month(value: str | None) -> str | None:
    return None if value is None else _compact(value)

