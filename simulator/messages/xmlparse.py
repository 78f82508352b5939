"""The one place where XML from outside is parsed.

No DTD, no entities, no network, bounded size and depth. lxml's exceptions never escape: every
problem becomes :class:`MalformedMessage`, :class:`EncodingError` or :class:`TooLarge`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..registry.errors import MalformedMessage, TooLarge
from .encoding import Charset, declared_charset, decode

__all__ = ["Document", "parse_document", "MAX_DEPTH"]

MAX_DEPTH = 16  # the deepest OQS message (bulk result) is 6 levels


@dataclass(frozen=True, slots=True)
class Document:
    root: etree._Element
    charset: Charset


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        encoding="utf-8",  # the text was decoded here; its declaration no longer applies
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _check_depth(root: etree._Element, limit: int) -> None:
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > limit:
            path = root.getroottree().getpath(element)
            raise MalformedMessage(path, f"入れ子が深すぎます（上限{limit}階層）。")


def parse_document(body: bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Document:
    """Parse a request file.

    :raises TooLarge: over ``max_bytes``.
    :raises EncodingError: undeclarable or undecodable bytes.
    :raises MalformedMessage: not well-formed, a DTD or entity, too deep.
    """
    if len(body) > max_bytes:
        raise TooLarge(max_bytes)
    charset = declared_charset(body)
    text = decode(body, charset)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise MalformedMessage("(document)", "DTD・実体参照は使えません。")
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=_parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise MalformedMessage(
            "(document)", f"XMLとして読めません（{line}行{column}列）。") from error
    _check_depth(root, max_depth)
    return Document(root, charset)
