"""The terminal's search without a card in disaster or emergency mode: ``/oqs/emergency``.

``POST /oqs/emergency/search`` with the Web API idToken in ``Authorization`` and the request of
:mod:`.messages.search` as JSON → the candidates as JSON. A search outside any covering
declaration or emergency mode is a processed answer (ProcessingResultStatus 2, E2002). Envelope
problems (bad JSON, another institution's code, a malformed KanaName/Birthdate/Sex/Address, token
problems) answer the envelope error tree (SegmentOfResult 9, ErrorCode/ErrorMessage naming the
field) with the catalogue's HTTP status, and leave the store unchanged.
"""

from __future__ import annotations

from flask import Blueprint, g, request

from ..disaster_mode.search_service import search_without_card
from ..faults.model import Route
from ..messages.encoding import UTF8
from ..messages.medical import read_medical_request
from ..messages.search import search_tree
from ..messages.tree import element_from_json, to_json
from ..registry.errors import OqsError
from ..runtime import current_runtime
from .common import check_institution, error_tree, json_body, json_response, register_unexpected
from .echo import echo_request
from .fault_gate import install

bp = Blueprint("emergency", __name__, url_prefix="/oqs/emergency")
install(bp, Route.EMERGENCY)


@bp.post("/search")
def search():
    runtime = current_runtime()
    institution = runtime.signer.institution(request.headers.get("Authorization"))
    asked = read_medical_request(element_from_json(json_body(runtime.settings.max_body_bytes)))
    g.oqs_header = asked.header
    check_institution(asked.header, institution)
    answer = search_without_card(uow=runtime.uow(), clock=runtime.clock,
                                 institution=institution, request=asked.body)
    refusal = None
    if answer.refusal is not None:
        entry = runtime.catalogue[answer.refusal]
        refusal = (entry, entry.text())
    node = search_tree(asked.header, asked.body, answer, charset=UTF8, refusal=refusal)
    return json_response(to_json(node, UTF8))


@bp.errorhandler(OqsError)
def refused(error: OqsError):
    runtime = current_runtime()
    header, _ = echo_request(runtime.settings.max_body_bytes, xml=False)
    node, status = error_tree(error, runtime=runtime, charset=UTF8, header=header,
                              reference_classification=None)
    return json_response(to_json(node, UTF8), status)


register_unexpected(bp, refused)
