"""What an error answer can still say about the request it refuses.

A request may be refused before its body is read (its token, its file name, an injected fault)
or because the body is broken. A strict client still wants its own header echoed in the answer
(QualificationConfirmationDate, MedicalInstitutionCode, ArbitraryFileIdentifier) and the answer
in the encoding it wrote. The functions here read what they can of the body, leniently, and
never raise: they serve only the error path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from flask import g, request
from lxml import etree

from ..messages.encoding import UTF8, Charset, declared_charset
from ..messages.jsonbody import decode_json
from ..messages.xmlparse import parse_document
from ..registry.errors import OqsError

__all__ = ["remember_body", "body_bytes", "echo_charset", "echo_request"]


def remember_body(body: bytes) -> bytes:
    """Keep the body read by a view, for an error answer that may follow."""
    g.oqs_body = body
    return body


def body_bytes(limit: int) -> bytes:
    """The request body (read now if no view read it yet), or nothing past ``limit`` bytes."""
    body = g.get("oqs_body")
    if body is None:
        body = b""
        if request.content_length is None or request.content_length <= limit:
            with contextlib.suppress(Exception):  # a client that hangs up: nothing to echo
                body = request.stream.read(limit + 1)
        g.oqs_body = body = body if len(body) <= limit else b""
    return body


def echo_charset(limit: int) -> Charset:
    """The charset an XML answer is written in: the one the request declared, else UTF-8."""
    charset = g.get("oqs_charset")
    if charset is None:
        charset = UTF8
        with contextlib.suppress(OqsError):
            charset = declared_charset(body_bytes(limit))
    return charset


def _leaves(element: etree._Element | None) -> dict[str, str]:
    if element is None:
        return {}
    found: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str) and not len(child):
            found.setdefault(child.tag, (child.text or "").strip())
    return found


def _from_xml(body: bytes, limit: int) -> tuple[dict[str, str], dict[str, str]]:
    try:
        root = parse_document(body, max_bytes=limit).root
    except OqsError:
        return {}, {}
    return (_leaves(root.find("MessageHeader")),
            _leaves(root.find("MessageBody/QualificationConfirmSearchInfo")))


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _from_json(body: bytes) -> tuple[dict[str, str], dict[str, str]]:
    try:
        document = decode_json(body)
    except OqsError:
        return {}, {}
    message = document.get("XmlMsg") if isinstance(document, Mapping) else None
    if not isinstance(message, Mapping):
        return {}, {}
    message_body = message.get("MessageBody")
    search = message_body.get("QualificationConfirmSearchInfo") if isinstance(
        message_body, Mapping) else None
    return _strings(message.get("MessageHeader")), _strings(search)


def echo_request(limit: int, *, xml: bool) -> tuple[dict[str, str], dict[str, str]]:
    """The request's MessageHeader and QualificationConfirmSearchInfo values, as far as they can
    be read (``{}`` where they cannot); what a view already read (``g.oqs_header``) wins."""
    body = body_bytes(limit)
    header, search = _from_xml(body, limit) if xml else _from_json(body)
    header.update(g.get("oqs_header") or {})
    return header, search
