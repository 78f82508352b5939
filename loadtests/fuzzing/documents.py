"""Request documents as ordered trees, written as JSON or XML.

A tree is an :class:`Obj` (a list of ``(key, value)`` pairs, so keys may repeat and keep their
order) whose values are trees, lists, strings or other JSON values. The same tree is a Web API
body (JSON) or a request file (XML), which lets one set of mutations serve every interface.
"""

from __future__ import annotations

import json
from typing import Any


class Obj(list):
    """A JSON object or an XML element's children: ``[(key, value), ...]``."""


class Raw(str):
    """Text written as is into JSON (``NaN``, ``1e999``, ``[[[...]]]``)."""


def obj(mapping: dict[str, Any]) -> Obj:
    return Obj((k, obj(v) if isinstance(v, dict) else v) for k, v in mapping.items())


def to_json(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Obj):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)  # ensure_ascii: a lone surrogate is written as \ud800


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xml(value: Any) -> str:
    """Children as XML text; lists repeat their items, other values become their text."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Obj):
        return "".join(f"<{k}>{to_xml(v)}</{k}>" for k, v in value)
    if isinstance(value, list):
        return "".join(to_xml(v) for v in value)
    if value is None:
        return ""
    return _escape(value if isinstance(value, str) else json.dumps(value))


def xml_document(tree: Obj, encoding: str) -> bytes:
    """The file body: declaration, tree, encoded (characters the encoding lacks as ``&#N;``)."""
    text = f'<?xml version="1.0" encoding="{encoding}" standalone="no"?>\n{to_xml(tree)}'
    return encode_text(text, encoding)


def encode_text(text: str, encoding: str) -> bytes:
    if encoding.lower() in ("shift_jis", "cp932"):
        return text.encode("cp932", errors="xmlcharrefreplace")
    return text.encode("utf-8", errors="surrogatepass")  # a lone surrogate as raw ED A0 80


def paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of indexes) to a pair inside ``tree``, depth first."""
    found = []
    if isinstance(tree, Obj):
        for index, (_, value) in enumerate(tree):
            found.append((*prefix, index))
            found.extend(paths(value, (*prefix, index)))
    return found


def parent_of(tree: Obj, path: tuple) -> Obj:
    node = tree
    for index in path[:-1]:
        node = node[index][1]
    return node
