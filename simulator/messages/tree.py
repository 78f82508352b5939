"""One message tree, two renderings: the XML file and the Web API's JSON (docs/interfaces.md).

A node is ``(tag, value)`` where value is a string (a leaf) or a list of nodes (children, in
element order). Builders write ``leaf(tag, value)``, which gives ``None`` for an absent value, and
``branch(tag, children)``, which drops the ``None`` children, so absent values are omitted, never
rendered empty.

JSON follows the real Web API: every value a string; an element that repeats becomes an array;
a list container (``ResultList``, ``SpecificDiseasesCertificateList``) is an array of one-key
objects, e.g. ``"ResultList": [{"ResultOfQualificationConfirmation": {...}}]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from lxml import etree

from ..registry.errors import MalformedMessage
from .encoding import Charset, displayable

__all__ = [
    "Node",
    "leaf",
    "branch",
    "to_xml",
    "to_json",
    "element_from_json",
    "LIST_CONTAINERS",
    "Raw",
    "fragment",
]

Node = tuple[str, str | list["Node"]]


class Raw(str):
    """An element already rendered as XML text under the UTF-8 rules (a stored bulk unit): it
    is written as it is, with only the characters the file's charset lacks replaced by ●."""

#: Containers rendered in JSON as arrays of one-key objects.
LIST_CONTAINERS = frozenset({"ResultList", "SpecificDiseasesCertificateList", "CandidateList"})


def leaf(tag: str, value: str | None) -> Node | None:
    return None if value is None else (tag, value)


def branch(tag: str, children: Iterable[Node | None]) -> Node | None:
    kept = [child for child in children if child is not None]
    return (tag, kept) if kept else None


# -- XML ---------------------------------------------------------------------------------------


def _xml_text(node: Node | Raw, charset: Charset) -> str:
    if isinstance(node, Raw):
        return displayable(node, charset)
    tag, value = node
    if isinstance(value, str):
        escaped = displayable(value, charset)
        if "&" in escaped or "<" in escaped or ">" in escaped:
            escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<{tag}>{escaped}</{tag}>"
    return f"<{tag}>{''.join([_xml_text(child, charset) for child in value])}</{tag}>"


def fragment(node: Node, charset: Charset) -> Raw:
    """The element as XML text, without a declaration (to store and write later)."""
    return Raw(_xml_text(node, charset))


def to_xml(node: Node, charset: Charset) -> bytes:
    """The file's bytes: declaration, then the compact tree, in ``charset``."""
    declaration = f'<?xml version="1.0" encoding="{charset.declared}" standalone="no"?>\n'
    return (declaration + _xml_text(node, charset) + "\n").encode(charset.codec)


# -- JSON --------------------------------------------------------------------------------------


def _json_value(node: Node, charset: Charset) -> Any:
    tag, value = node
    if isinstance(value, str):
        return displayable(value, charset)
    if tag in LIST_CONTAINERS:
        return [{child[0]: _json_value(child, charset)} for child in value]
    out: dict[str, Any] = {}
    for child in value:
        rendered = _json_value(child, charset)
        if child[0] in out:
            previous = out[child[0]]
            out[child[0]] = [*previous, rendered] if isinstance(previous, list) else [
                previous, rendered]
        else:
            out[child[0]] = rendered
    return out


def to_json(node: Node, charset: Charset) -> bytes:
    """The Web API body: ``{"<root tag>": {...}}`` as compact UTF-8 JSON, element order kept."""
    document = {node[0]: _json_value(node, charset)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- JSON request → element --------------------------------------------------------------------


_JSON_KINDS = {int: "数値", float: "数値", bool: "真偽値", list: "配列", type(None): "null"}


def _fill(parent: etree._Element, value: Any, path: str) -> None:
    if isinstance(value, str):
        try:
            parent.text = value
        except ValueError:  # lxml refuses control characters and other non-XML text
            raise MalformedMessage(path, "XMLで使えない文字があります。") from None
        return
    if not isinstance(value, dict):
        kind = _JSON_KINDS.get(type(value), "その他")
        raise MalformedMessage(path, f"文字列またはオブジェクトにしてください（{kind}です）。")
    for key, child in value.items():
        items = child if isinstance(child, list) else [child]
        for index, item in enumerate(items):
            child_path = f"{path}/{key}" + (f"[{index + 1}]" if isinstance(child, list) else "")
            if not isinstance(key, str) or not key.isidentifier():
                raise MalformedMessage(child_path, "要素名として使えない名前です。")
            _fill(etree.SubElement(parent, key), item, child_path)


def element_from_json(document: Any) -> etree._Element:
    """Turn a Web API request body (already decoded JSON) into the same element tree as XML.

    :raises MalformedMessage: for a body that is not one root object of objects and strings.
    """
    if not isinstance(document, dict) or len(document) != 1:
        raise MalformedMessage(
            "(document)", 'ルートは1つのオブジェクトにしてください（{"XmlMsg": {...}}）。')
    ((tag, body),) = document.items()
    if not isinstance(tag, str) or not tag.isidentifier():
        raise MalformedMessage("(document)", "ルートの名前が要素名として使えません。")
    root = etree.Element(tag)
    _fill(root, body, f"/{tag}")
    return root
