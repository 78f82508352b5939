"""Valid requests of every route and kind: the seeds the mutations start from.

The people are those of the demo world (README, "A first lookup"); the accounts, their
institutions and the business clock come from the running server (:class:`Target`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .documents import Obj, obj
from .mutations import Draft

LOGIN = b"/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = b"/oqs-api-pro/MSA01030/ILI01030SV01/search"
PERSONS = [  # InsurerNumber, Symbol, Number, Branch, Birthdate
    ("01130012", "87528521", "8007919", "00", "19810111"),
    ("06130025", "5683", "9015838", "", "20210913"),
    ("138057", "50-42", "8063352", "00", "19590108"),
]
FAKE_CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZnV6eg==\n-----END " \
                   "CERTIFICATE-----\n"
NOBODY = "999999999"


@dataclass
class Target:
    host: str
    port: int
    admin_token: str
    accounts: list[tuple[str, str, str]]  # userId, password, institution code
    max_body_bytes: int
    clock: dict = field(default_factory=dict)  # GET /sim/v1/clock at the start

    @property
    def institution(self) -> str:
        return self.accounts[0][2]


@dataclass
class Seed:
    route: str  # the label of the report: "POST /oqs/files/OQSsiquc01req_ (Shift_JIS)"
    interface: str  # "json", "file", "card", "admin", "health"
    method: str
    target: bytes
    tree: Obj | None = None
    body_format: str = "json"
    encoding: str = "UTF-8"
    auth: str = "bare"  # "bare" idToken, "bearer" admin token, "none"
    meta: dict = field(default_factory=dict)

    def draft(self, target: Target) -> Draft:
        headers = []
        if self.tree is not None:
            kind = b"application/xml" if self.body_format == "xml" else b"application/json"
            headers.append((b"Content-Type", kind))
        if self.auth != "none":
            headers.append((b"Authorization", b"Bearer {token}" if self.auth == "bearer"
                            else b"{token}"))
        meta = {**self.meta, "auth": self.auth, "max_body_bytes": target.max_body_bytes}
        return Draft(self.method, self.target, headers, copy.deepcopy(self.tree),
                     self.body_format, self.encoding, meta=meta)


def search_info(person: tuple[str, ...]) -> dict:
    insurer, symbol, number, branch, birthdate = person
    info = {"InsurerNumber": insurer, "InsuredCardSymbol": symbol,
            "InsuredIdentificationNumber": number, "InsuredBranchNumber": branch,
            "Birthdate": birthdate, "LimitApplicationCertificateRelatedConsFlg": "1"}
    return {k: x for k, x in info.items() if x}


def webapi_seeds(t: Target) -> list[Seed]:
    header = {"QualificationConfirmationDate": "20260401", "MedicalInstitutionCode": t.institution}
    seeds = [Seed(f"POST {LOGIN.decode()}", "json", "POST", LOGIN,
                  obj({"userId": user, "password": password}), auth="none")
             for user, password, _ in t.accounts]
    seeds += [Seed(f"POST {SEARCH.decode()}", "json", "POST", SEARCH, obj({"XmlMsg": {
        "MessageHeader": header, "MessageBody": {"QualificationConfirmSearchInfo":
                                                 search_info(p)}}})) for p in PERSONS]
    seeds.append(Seed("POST /oqs/emergency/search", "json", "POST", b"/oqs/emergency/search",
                      obj({"XmlMsg": {"MessageHeader": {"MedicalInstitutionCode": t.institution},
                                      "MessageBody": {"KanaName": "たかはし なおき",
                                                      "Birthdate": "19810111", "Sex": "1",
                                                      "Address": "杉並区"}}})))
    return seeds


def _file_trees(code: str, encoding: str) -> dict[str, dict]:
    card = {"InsurerNumber": "01130012", "InsuranceCardSymbol": "87528521",
            "InsuredPersonIdentificationNumber": "8007919", "BranchNumber": "00"}
    medical = {"FileCategory": "2", "PrDiInfClassification": "1", "MedicalTreatmentFlag": "1"}
    header = {"MedicalInstitutionCode": code, "ArbitraryFileIdentifier": "FUZZ-0001"}
    dated = {"QualificationConfirmationDate": "20260401", **header}
    items = [Obj([("QualificationConfirmSearchInfo",
                   obj({**search_info(p), "ArbitraryIdentifier": f"P{i}"}))])
             for i, p in enumerate(PERSONS)]
    return {
        "OQSsiquc01req_": {"MessageHeader": dated, "MessageBody": {
            "QualificationConfirmSearchInfo": search_info(PERSONS[1])}},
        "OQSsiimm01req_": {"MessageHeader": {"MedicalInstitutionCode": code}, "MessageBody": {
            "ReferenceNumberRegistrationInfo": {
                "ReferenceNumber": "カルテ１２３" if encoding == "Shift_JIS" else "KARTE-1",
                "InsurerNumber": "01130012", "InsuredCardSymbol": "87528521",
                "InsuredIdentificationNumber": "8007919"}}},
        "YZKsiquc01req_": {"MessageHeader": {**header, **card}, "MessageBody": {
            "StartDate": "202301", "EndDate": "202604", **medical}},
        "TKKsiquc01req_": {"MessageHeader": {**header, **card}, "MessageBody": medical},
        "OQSmuquc01req_": {"MessageHeader": dated, "MessageBody": items},
        "OQSmuquc02req_": {"MessageHeader": {"MedicalInstitutionCode": code},
                           "MessageBody": {"ReceptionNumber": "2026040100000000"}},
    }


def file_seeds(t: Target) -> list[Seed]:
    seeds = []
    for encoding in ("UTF-8", "Shift_JIS"):
        for prefix, tree in _file_trees(t.institution, encoding).items():
            body = obj({"XmlMsg": tree})
            seeds.append(Seed(f"POST /oqs/files/{prefix} ({encoding})", "file", "POST",
                              f"/oqs/files/{prefix}FUZZ0001.xml".encode(), body, "xml",
                              encoding, meta={"prefix": prefix.encode()}))
    return seeds


def card_seeds(t: Target) -> list[Seed]:
    presentation = {"nonce": "{nonce}", "certificate": FAKE_CERTIFICATE,
                    "signature": "c2lnbmF0dXJl", "method": "face", "consents": ["drug", "checkup"],
                    "limit_consent": True, "confirmation_date": "20260401",
                    "medical_treatment_flag": "1"}
    pin = {**presentation, "method": "pin", "pin": "1234", "charset": "shift_jis"}
    seeds = [Seed("POST /oqs/card/challenge", "card", "POST", b"/oqs/card/challenge")]
    for path in (b"/oqs/card/present", b"/oqs/card/register"):
        seeds += [Seed(f"POST {path.decode()}", "card", "POST", path, obj(body))
                  for body in (presentation, pin)]
    return seeds


def _admin(method: str, path: str, body: dict | None = None, *, query: str = "") -> Seed:
    meta: dict = {"query": bool(query)}
    target = f"/sim/v1{path}"
    if "{id}" in target:
        meta["template"] = target.encode()
        target = target.replace("{id}", NOBODY)
    return Seed(f"{method} /sim/v1{path}", "admin", method, (target + query).encode(),
                obj(body) if body is not None else None, auth="bearer", meta=meta)


def admin_seeds(t: Target) -> list[Seed]:
    """Admin routes that leave the run meaningful: reads, ends and releases of things that do
    not exist, creations for nobody. Not sent: reset, scenario loads, starts of faults,
    emergency modes and disasters. The clock routes are sent and the clock is put back after
    the run (:func:`clock_restore`)."""
    clock = {"now": t.clock.get("now", "2026-04-01T09:00:00+09:00"), "mode": "frozen"}
    return [
        _admin("GET", "/clock"), _admin("PUT", "/clock", clock),
        _admin("POST", "/clock/advance", {"by": "0d"}),
        _admin("GET", "/scenarios"), _admin("POST", "/scenarios/check", {"name": "no-such"}),
        _admin("DELETE", "/scenarios/{id}"),
        _admin("GET", "/events", query="?person=1"),
        _admin("POST", "/events", {"event": "death", "person": NOBODY, "date": "2026-04-01"}),
        _admin("GET", "/holds", query="?all=1"), _admin("POST", "/holds/{id}/release"),
        _admin("POST", "/holds/{id}/correct", {"fields": ["kana"]}),
        _admin("GET", "/persons/{id}"), _admin("GET", "/openapi.json"),
        _admin("GET", "/audit", query="?person=1"), _admin("GET", "/consents", query="?person=1"),
        _admin("POST", "/consents", {"person": NOBODY, "institution": t.institution,
                                     "kinds": ["drug"], "medical_treatment_flag": "1"}),
        _admin("POST", "/consents/{id}/withdraw", {"reason": "1"}),
        _admin("POST", "/cards", {"person": NOBODY, "expires": "2030-01-01", "pin": "1234"}),
        _admin("GET", "/cards", query="?person=1"),
        _admin("POST", "/cards/{id}/revoke", {"reason": "lost"}),
        _admin("POST", "/cards/{id}/resume"), _admin("POST", "/cards/{id}/expire", {}),
        _admin("POST", "/cards/{id}/register"),
        _admin("GET", "/disasters"),
        _admin("POST", "/disasters/{id}/extend", {"to": "2026-04-02T00:00:00+09:00"}),
        _admin("POST", "/disasters/{id}/end", {}),
        _admin("GET", "/faults"), _admin("POST", "/faults/{id}/end", {}),
        _admin("GET", "/emergency"), _admin("POST", "/emergency/{id}/end", {}),
    ]


def all_seeds(t: Target) -> list[Seed]:
    health = Seed("GET /healthz", "health", "GET", b"/healthz", auth="none")
    return [*webapi_seeds(t), *file_seeds(t), *card_seeds(t), *admin_seeds(t), health]
