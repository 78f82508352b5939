"""The card reader's request (JSON) and its face result (``OQSsiquc01res_face_…``).

Request body of ``/oqs/card/present`` and ``/oqs/card/register``::

    {"nonce": "...", "certificate": "<PEM>", "signature": "<base64>", "method": "face"|"pin",
     "pin": "NNNN" (method pin), "face_matched": true, "consents": ["drug", "checkup",
     "diagnosis", "operation"], "limit_consent": false, "confirmation_date": "YYYYMMDD",
     "medical_treatment_flag": "1".."4", "charset": "utf-8"|"shift_jis"}

``signature`` is base64 of the card key's signature (RSASSA-PKCS1-v1_5, SHA-256) of the nonce's
ASCII bytes, as :func:`simulator.pki.sign_nonce` makes it.

The face result is the single result tree with ReferenceClassification 1, no
QualificationConfirmSearchInfo, and a system-generated ArbitraryFileIdentifier (16 characters of
base64, as the real sample ``ArnHCeDfNjMCFzg=``). Its file name, after OD2's imitation of the
real one: ``OQSsiquc01res_face_<医療機関コード 10><処理コード 3><17-digit sequence>_
<yyyyMMddHHmmss>.xml``; the 処理コード follows the presentation's MedicalTreatmentFlag
(``datasets/codes/face_file_names.yaml``), the sequence is the presentation's audit entry id
(unique across workers), the time is ProcessExecutionTime (business time, JST).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from typing import Any

from ..cards.reader import CardOutcome, Presentation
from ..codes import Catalogue
from ..consent.model import InfoKind, TreatmentFlag
from ..datasets import DATASETS, DatasetError, load_yaml
from ..registry.errors import InvalidInput, MissingField
from ..registry.identifiers import parse_date
from ..registry.model import JST
from .encoding import SHIFT_JIS, UTF8, Charset
from .qualification import MY_NUMBER_CARD, SingleRequest, confirmation_tree, item_error_tree
from .tree import Node

__all__ = ["FACE_PREFIX", "read_charset", "read_presentation", "face_tree", "face_file_name"]

FACE_PREFIX = "OQSsiquc01res_face_"
CHARSETS = {"utf-8": UTF8, "shift_jis": SHIFT_JIS}
METHODS = ("face", "pin")
CONSENT_KINDS = {kind.value: kind for kind in
                 (InfoKind.DRUG, InfoKind.CHECKUP, InfoKind.DIAGNOSIS, InfoKind.OPERATION)}
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PIN = re.compile(r"[0-9]{4}")
_KEYS = frozenset({"nonce", "certificate", "signature", "method", "pin", "face_matched",
                   "consents", "limit_consent", "confirmation_date", "medical_treatment_flag",
                   "charset"})
MAX_SIGNATURE = 2048  # characters of base64; an RSA-2048 signature takes 344


def _processing_codes() -> dict[TreatmentFlag, str]:
    """The face file names' 処理コード by MedicalTreatmentFlag, checked at start-up."""
    path = DATASETS / "codes" / "face_file_names.yaml"
    raw = load_yaml(path)["processing_codes"]
    codes = {TreatmentFlag(str(flag)): str(code) for flag, code in raw.items()}
    if set(codes) != set(TreatmentFlag) or not all(
            len(c) == 3 and c.isdigit() for c in codes.values()):
        raise DatasetError(f"{path}: give a 3-digit code for each of {list(TreatmentFlag)}")
    return codes


PROCESSING_CODES = _processing_codes()


def read_charset(body: object) -> Charset:
    """The charset the answer is wanted in (UTF-8 when absent or unreadable; the body's
    reader reports a bad value)."""
    value = body.get("charset", "utf-8") if isinstance(body, Mapping) else "utf-8"
    return CHARSETS.get(value.lower(), UTF8) if isinstance(value, str) else UTF8


def read_presentation(body: object) -> Presentation:
    """Read the request body.

    :raises InvalidInput / MissingField: naming the field that is wrong.
    """
    if not isinstance(body, Mapping):
        raise InvalidInput("(document)", "JSONのオブジェクトにしてください。")
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise InvalidInput(unknown[0], "この項目は使えません。")
    _choice(body, "charset", tuple(CHARSETS), "utf-8", lower=True)
    method = _choice(body, "method", METHODS, None)
    return Presentation(
        nonce=_nonce(body),
        certificate=_text(body, "certificate", limit=64 * 1024),
        signature=_signature(body),
        method=method,
        pin=_pin(body) if method == "pin" else None,
        face_matched=_flag(body, "face_matched", True),
        consents=_consents(body),
        limit_consent=_flag(body, "limit_consent", False),
        confirm_date=_date(body),
        treatment_flag=TreatmentFlag(_choice(body, "medical_treatment_flag",
                                             tuple(TreatmentFlag), "1")),
    )


def _text(body: Mapping[str, Any], key: str, *, limit: int) -> str:
    value = body.get(key)
    if value is None or value == "":
        raise MissingField(key)
    if not isinstance(value, str):
        raise InvalidInput(key, "文字列にしてください。")
    if len(value) > limit:
        raise InvalidInput(key, f"{limit}文字以内にしてください。")
    return value


def _nonce(body: Mapping[str, Any]) -> str:
    value = _text(body, "nonce", limit=64)
    if not _NONCE.fullmatch(value):
        raise InvalidInput(
            "nonce", "/oqs/card/challengeが返した値（base64url）にしてください。")
    return value


def _signature(body: Mapping[str, Any]) -> bytes:
    value = _text(body, "signature", limit=MAX_SIGNATURE)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("signature", "base64にしてください。") from None


def _pin(body: Mapping[str, Any]) -> str:
    value = _text(body, "pin", limit=4)
    if not _PIN.fullmatch(value):
        raise InvalidInput("pin", "数字4桁にしてください。")
    return value


def _choice(body: Mapping[str, Any], key: str, choices: tuple[str, ...], default: str | None,
            *, lower: bool = False) -> str:
    value = body.get(key, default)
    if value is None:
        raise MissingField(key)
    if isinstance(value, str) and lower:
        value = value.lower()
    if value not in choices:
        raise InvalidInput(key, f"{'・'.join(choices)}のいずれかにしてください。")
    return value


def _flag(body: Mapping[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(key, "trueまたはfalseにしてください。")
    return value


def _consents(body: Mapping[str, Any]) -> tuple[InfoKind, ...]:
    value = body.get("consents", [])
    if not isinstance(value, list):
        raise InvalidInput(
            "consents", f"{'・'.join(CONSENT_KINDS)}のリストにしてください。")
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in CONSENT_KINDS:
            raise InvalidInput(f"consents[{index}]",
                               f"{'・'.join(CONSENT_KINDS)}のいずれかにしてください。")
    return tuple(CONSENT_KINDS[item] for item in dict.fromkeys(value))


def _date(body: Mapping[str, Any]):
    value = body.get("confirmation_date")
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("confirmation_date", "文字列（YYYYMMDD）にしてください。")
    return parse_date(value, field="confirmation_date")


# -- the face result ---------------------------------------------------------------------------


def file_identifier() -> str:
    """A system-generated ArbitraryFileIdentifier: base64 of 11 random bytes (16 characters)."""
    return base64.b64encode(secrets.token_bytes(11)).decode("ascii")


def face_tree(outcome: CardOutcome, *, catalogue: Catalogue, charset: Charset) -> Node:
    """The face result for a presentation: the confirmation, or the refused card
    (ProcessingResultStatus 2 with the code and its message)."""
    request = SingleRequest(header={
        "QualificationConfirmationDate": outcome.confirm_date.strftime("%Y%m%d"),
        "MedicalInstitutionCode": outcome.institution,
        "ArbitraryFileIdentifier": file_identifier(),
    }, search={})
    if outcome.refusal is not None:
        entry = catalogue[outcome.refusal]
        return item_error_tree(request, result=entry, message=entry.text(detail=outcome.detail),
                               processed_at=outcome.as_of, charset=charset,
                               reference_classification=MY_NUMBER_CARD)
    notice = None
    if outcome.notice is not None:
        entry = catalogue[outcome.notice]
        notice = (entry, entry.text())
    return confirmation_tree(outcome.confirmation, request, charset=charset,
                             reference_classification=MY_NUMBER_CARD, notice=notice)


def face_file_name(outcome: CardOutcome) -> str:
    """``OQSsiquc01res_face_<医療機関コード><処理コード><17-digit counter>_<time>.xml``."""
    stamp = outcome.as_of.astimezone(JST).strftime("%Y%m%d%H%M%S")
    code = PROCESSING_CODES[outcome.treatment_flag]
    return f"{FACE_PREFIX}{outcome.institution}{code}{outcome.sequence:017d}_{stamp}.xml"
