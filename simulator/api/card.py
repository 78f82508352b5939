"""The virtual card reader (docs/interfaces.md): the My Number card route, ``/oqs/card/...``.

- ``POST /oqs/card/challenge`` → ``{"nonce": "...", "expires": "<wall ISO>"}``.
- ``POST /oqs/card/present`` with the card's certificate and its signature of the nonce (body in
  :mod:`.messages.face`) → the face result XML, named in ``X-OQS-File-Name``.
- ``POST /oqs/card/register`` → the same, after 初回登録 (保険証利用登録).

The institution is the one the Web API idToken in ``Authorization`` names. A refused card is a
normal answer (ProcessingResultStatus 2). Envelope problems (bad JSON, a missing or invalid
field, an unknown/used/expired nonce, token problems) answer the envelope error tree
(SegmentOfResult 9, ErrorCode/ErrorMessage naming the field) with the catalogue's HTTP status,
and leave the store unchanged.
"""

from __future__ import annotations

from flask import Blueprint, g, request

from ..cards import service as card_service
from ..config import consent_hours
from ..faults.model import Route
from ..messages.encoding import UTF8
from ..messages.face import face_file_name, face_tree, read_charset, read_presentation
from ..messages.qualification import MY_NUMBER_CARD
from ..messages.tree import to_xml
from ..registry.errors import OqsError
from ..runtime import current_runtime
from .common import error_tree, json_body, register_unexpected, xml_response
from .fault_gate import install

bp = Blueprint("card", __name__, url_prefix="/oqs/card")
install(bp, Route.CARD)


def _institution() -> str:
    runtime = current_runtime()
    code = runtime.signer.institution(request.headers.get("Authorization"))
    g.oqs_header = {"MedicalInstitutionCode": code}
    return code


@bp.post("/challenge")
def challenge():
    runtime = current_runtime()
    issued = card_service.new_challenge(uow=runtime.uow(), wall=runtime.signer.wall(),
                                        institution=_institution())
    return {"nonce": issued.nonce, "expires": issued.expires.isoformat()}


def _answer(*, register: bool):
    runtime = current_runtime()
    institution = _institution()
    body = json_body(runtime.settings.max_body_bytes)
    g.oqs_charset = charset = read_charset(body)
    presentation = read_presentation(body)
    outcome = card_service.present_card(
        uow=runtime.uow(), clock=runtime.clock, wall=runtime.signer.wall(),
        ca=runtime.jpki.ca(), hours=consent_hours(runtime.settings), institution=institution,
        presentation=presentation, register=register)
    node = face_tree(outcome, catalogue=runtime.catalogue, charset=charset)
    return xml_response(to_xml(node, charset), charset, name=face_file_name(outcome))


@bp.post("/present")
def present():
    return _answer(register=False)


@bp.post("/register")
def register():
    return _answer(register=True)


@bp.errorhandler(OqsError)
def refused(error: OqsError):
    charset = g.get("oqs_charset", UTF8)
    node, status = error_tree(error, runtime=current_runtime(), charset=charset,
                              header=g.get("oqs_header", {}),
                              reference_classification=MY_NUMBER_CARD)
    response = xml_response(to_xml(node, charset), charset, name="", status=status)
    del response.headers["X-OQS-File-Name"]  # nothing goes to the face folder
    return response


register_unexpected(bp, refused)
