"""The Web API (docs/interfaces.md): login and qualification search, JSON, as the real endpoints.

Login answers ``{"status": "0", "msg": "", "result": {accessToken, refreshToken, idToken,
linkSysCharCd}}``; a refused login answers ``{"status": "1", "msg": <message>, "code": <code>}``.
The search takes the bare idToken in ``Authorization`` and answers the result tree as JSON; a
refused search answers the envelope error tree (SegmentOfResult 9) as JSON. HTTP statuses come
from the result-code catalogue.
"""

from __future__ import annotations

import json

from flask import Blueprint, request

from ..auth import login
from ..faults.model import Route
from ..messages.encoding import UTF8
from ..messages.tree import element_from_json, to_json
from ..registry.errors import OqsError
from ..runtime import current_runtime
from .common import (
    answer_single,
    client_certificate,
    error_message,
    error_tree,
    json_body,
    json_response,
    register_unexpected,
)
from .echo import echo_request
from .fault_gate import install

bp = Blueprint("webapi", __name__, url_prefix="/oqs-api-pro")
install(bp, Route.WEBAPI)

LOGIN = "/MSA12020/ILI12020SV01/auth"
SEARCH = "/MSA01030/ILI01030SV01/search"


def _login_answer(document: dict, status: int):
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return json_response(body, status)


@bp.post(LOGIN)
def auth():
    runtime = current_runtime()
    body = json_body(runtime.settings.max_body_bytes)
    fields = body if isinstance(body, dict) else {}
    _, tokens = login(
        uow=runtime.uow(), signer=runtime.signer, user_id=fields.get("userId"),
        password=fields.get("password"), ca=runtime.ca,
        certificate=client_certificate(runtime.settings.client_cert_header),
    )
    return _login_answer({"status": "0", "msg": "", "result": tokens.as_result()}, 200)


@bp.post(SEARCH)
def search():
    runtime = current_runtime()
    institution = runtime.signer.institution(request.headers.get("Authorization"))
    root = element_from_json(json_body(runtime.settings.max_body_bytes))
    node = answer_single(root, institution=institution, charset=UTF8, runtime=runtime)
    return json_response(to_json(node, UTF8))


@bp.errorhandler(OqsError)
def refused(error: OqsError):
    runtime = current_runtime()
    if request.url_rule is not None and request.url_rule.rule.endswith(LOGIN):
        entry = runtime.catalogue[error.code]
        return _login_answer({"status": "1", "msg": error_message(error, entry),
                              "code": entry.code}, entry.http)
    header, search = echo_request(runtime.settings.max_body_bytes, xml=False)
    node, status = error_tree(error, runtime=runtime, charset=UTF8, header=header,
                              search=search)
    return json_response(to_json(node, UTF8), status)


register_unexpected(bp, refused)
