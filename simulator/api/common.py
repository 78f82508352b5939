"""Helpers the OQS interfaces share: bodies, the client certificate, the single-lookup flow."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import ClientDisconnected

from ..codes import ResultCode
from ..messages.encoding import Charset
from ..messages.jsonbody import decode_json
from ..messages.qualification import (
    INSURANCE_CARD,
    confirmation_tree,
    envelope_error_tree,
    item_error_tree,
    read_single_request,
)
from ..messages.tree import Node
from ..registry import services
from ..registry.errors import Forbidden, InvalidInput, MalformedMessage, OqsError, TooLarge
from ..registry.identifiers import parse_date, parse_institution_code
from ..registry.queries import insurance_card_query
from ..runtime import Runtime, current_runtime
from .echo import remember_body
from .read_deadline import ReadDeadline

__all__ = [
    "read_body", "json_body", "client_certificate", "check_institution", "answer_single",
    "error_tree", "error_message", "register_unexpected",
]


def read_body(limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes without reading it all, and refused when
    it has not all arrived within the ``body_read_seconds`` setting (a client trickling its
    body must not hold a server thread).

    :raises TooLarge: over ``limit``. :raises MalformedMessage: ``body`` not received in time.
    """
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(limit)
    seconds = current_runtime().settings.body_read_seconds
    with ReadDeadline(request.environ.get("gunicorn.socket"), seconds) as deadline:
        try:
            body = request.stream.read(limit + 1)
        except (ClientDisconnected, OSError):
            if not deadline.expired:
                raise  # the client went away: nobody to answer
            body = b""
    if deadline.expired:
        raise MalformedMessage("body", f"{seconds}秒以内に受信できませんでした。")
    if len(body) > limit:
        raise TooLarge(limit)
    return remember_body(body)


def json_body(limit: int) -> object:
    """The body as JSON (UTF-8, nesting bounded).

    :raises EncodingError / MalformedMessage: naming what is wrong.
    """
    return decode_json(read_body(limit))


def client_certificate(header: str) -> bytes | str | None:
    """The caller's certificate: the TLS peer's when served over TLS, else the proxy header."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None and hasattr(sock, "getpeercert"):
        return sock.getpeercert(binary_form=True)
    return request.headers.get(header)


def check_institution(header, institution: str) -> None:
    """Refuse a request whose MedicalInstitutionCode is not the logged-in ``institution``.

    :raises InvalidInput / CheckDigitError: a malformed code. :raises Forbidden: another one.
    """
    code = parse_institution_code(header["MedicalInstitutionCode"]).code
    if code != institution:
        raise Forbidden(code, code="institution_mismatch")


def _check_header(header, institution: str) -> None:
    check_institution(header, institution)
    parse_date(header["QualificationConfirmationDate"], field="QualificationConfirmationDate")


def answer_single(root, *, institution: str, charset: Charset, runtime: Runtime) -> Node:
    """Answer one qualification request tree for the logged-in ``institution``.

    Problems with the envelope raise (the caller renders them); a refused search item is a
    normal answer with ProcessingResultStatus 2 (not audited: nothing was looked up).
    """
    request_ = read_single_request(root)
    g.oqs_header = request_.header
    _check_header(request_.header, institution)
    try:
        query = insurance_card_query(request_.search, confirm_date=request_.confirm_date)
    except InvalidInput as error:
        entry = runtime.catalogue[error.code]
        return item_error_tree(request_, result=entry, message=error_message(error, entry),
                               processed_at=runtime.clock.now(), charset=charset)
    confirmation = services.confirm_by_insurance_card(
        uow=runtime.uow(), clock=runtime.clock, query=query, institution=institution
    )
    return confirmation_tree(confirmation, request_, charset=charset)


def error_message(error: OqsError, entry: ResultCode) -> str:
    """The catalogue's message for ``error``, its placeholders filled from the error."""
    field = getattr(error, "field", None)
    return entry.text(field=field, path=field, detail=getattr(error, "reason", error.message),
                      limit=getattr(error, "limit", None))


def error_tree(
    error: OqsError, *, runtime: Runtime, charset: Charset, header: Mapping[str, str],
    search: Mapping[str, str] | None = None,
    reference_classification: str | None = INSURANCE_CARD,
) -> tuple[Node, int]:
    """The envelope error (SegmentOfResult 9) for ``error`` and the catalogue's HTTP status
    (500 for an internal error), echoing ``header`` and ``search`` as far as they were read."""
    entry = runtime.catalogue[error.code]
    node = envelope_error_tree(
        header, result=entry, message=error_message(error, entry),
        processed_at=runtime.clock.now(), charset=charset, search=search,
        reference_classification=reference_classification,
    )
    return node, 500 if error.code == "internal_error" else entry.http


def xml_response(body: bytes, charset: Charset, *, name: str, status: int = 200) -> Response:
    response = Response(body, status=status,
                        content_type=f"application/xml; charset={charset.declared}")
    response.headers["X-OQS-File-Name"] = name
    return response


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="application/json; charset=UTF-8")


def register_unexpected(bp: Blueprint, refused: Callable[[OqsError], Response]) -> None:
    """Answer an unexpected exception in ``bp`` as ``refused`` renders internal_error (logged);
    HTTP errors raised by Flask itself (405, ...) pass through unchanged."""
    log = logging.getLogger(f"simulator.api.{bp.name}")

    def failed(error: Exception):
        if hasattr(error, "get_response"):
            return error
        log.exception("unexpected error", exc_info=error)
        return refused(OqsError("internal error"))

    bp.register_error_handler(Exception, failed)
