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

Each answer is reduced to the comparable keys of ``expect[].result`` by :mod:`.answers`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from ..jobs import run_job
from ..messages.encoding import UTF8
from ..messages.tree import to_xml
from ..pki.card_check import sign_nonce
from ..registry import rules
from ..registry.errors import InvalidInput
from ..registry.identifiers import format_insurer_number
from ..registry.model import JST
from .answers import (
    bulk_summary,
    compact,
    medical_summary,
    search_summary,
    summarize,
    xml_as_json,
)

__all__ = ["Asker"]

LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"
CHALLENGE = "/oqs/card/challenge"
PRESENT = "/oqs/card/present"
REGISTER = "/oqs/card/register"
FILES = "/oqs/files/"
SEARCH_WITHOUT_CARD = "/oqs/emergency/search"


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
            "Birthdate": compact(query["birthdate"]),
            "LimitApplicationCertificateRelatedConsFlg":
                "1" if query.get("limit_consent") else "0",
        }
        body = {"XmlMsg": {
            "MessageHeader": {"QualificationConfirmationDate": compact(query["date"]),
                              "MedicalInstitutionCode": institution},
            "MessageBody": {"QualificationConfirmSearchInfo": {
                k: v for k, v in search.items() if v is not None}},
        }}
        response = self.client.post(SEARCH, json=body, headers=self._auth(institution))
        document = response.get_json(silent=True) or {}
        return summarize(document.get("XmlMsg", {}), response.status_code)

    def _search(self, institution: str, query: Mapping[str, Any]) -> dict[str, Any]:
        search = {"KanaName": query["kana"], "Birthdate": compact(query["birthdate"]),
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
            body["confirmation_date"] = compact(query["date"])
        url = REGISTER if query.get("register") else PRESENT
        response = self.client.post(url, json=body, headers=headers)
        try:
            document = xml_as_json(ElementTree.fromstring(response.data))
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
        return medical_summary(response.data, response.status_code)

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
            ("Birthdate", compact(str(keys["birthdate"]))),
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
                    ("QualificationConfirmationDate", compact(self._bulk_date(query))),
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


def _month(value: str | None) -> str | None:
    return None if value is None else compact(value)

