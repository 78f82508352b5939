"""Mutations of a valid request: each takes the random generator and a :class:`Draft`, changes
the draft in place and returns a short detail for the report."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from . import values as v
from .documents import Obj, Raw, encode_text, parent_of, paths, to_json, xml_document

MARK = "FUZZMARK"


@dataclass
class Draft:
    """A request being built; ``body`` (bytes), once set, wins over ``tree``."""

    method: str
    target: bytes
    headers: list[tuple[bytes, bytes]]
    tree: Obj | None
    body_format: str  # "json", "xml" or "none"
    encoding: str = "UTF-8"
    body: bytes | None = None
    content_length: bool = True
    meta: dict[str, Any] = field(default_factory=dict)

    def rendered(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.tree is None:
            return b""
        if self.body_format == "xml":
            return xml_document(self.tree, self.encoding)
        return to_json(self.tree).encode("utf-8")

    def set_header(self, name: bytes, value: bytes | None) -> None:
        self.headers = [(k, x) for k, x in self.headers if k.lower() != name.lower()]
        if value is not None:
            self.headers.append((name, value))


def _pick_pair(rng: random.Random, draft: Draft) -> tuple[Obj, int] | None:
    found = paths(draft.tree)
    if not found:
        return None
    path = rng.choice(found)
    return parent_of(draft.tree, path), path[-1]


def _leaf_paths(tree: Obj) -> list[tuple]:
    return [p for p in paths(tree) if not isinstance(parent_of(tree, p)[p[-1]][1], Obj)]


def _pick_leaf(rng: random.Random, draft: Draft) -> tuple[Obj, int] | None:
    found = _leaf_paths(draft.tree) if draft.tree else []
    if not found:
        return _pick_pair(rng, draft)
    path = rng.choice(found)
    return parent_of(draft.tree, path), path[-1]


# --- tree mutations -------------------------------------------------------------------------

def delete_key(rng, draft):
    node, i = _pick_pair(rng, draft)
    return node.pop(i)[0]


def duplicate_key(rng, draft):
    node, i = _pick_pair(rng, draft)
    node.insert(i, copy.deepcopy(node[i]))
    return node[i][0]


def reorder_keys(rng, draft):
    node, _ = _pick_pair(rng, draft)
    rng.shuffle(node)
    return ",".join(k for k, _ in node)[:60]


def nest_key(rng, draft):
    node, i = _pick_pair(rng, draft)
    key, value = node[i]
    node[i] = (key, Obj([(key, value)]) if rng.random() < 0.5 else [value])
    return key


def rename_key(rng, draft):
    node, i = _pick_pair(rng, draft)
    name = rng.choice([s for s in v.EDGE_STRINGS if len(s) < 100] + ["Unknown", "a:b", "1x"])
    node[i] = (name, node[i][1])
    return repr(name)


def edge_value(rng, draft):
    node, i = _pick_leaf(rng, draft)
    value = rng.choice(v.EDGE_STRINGS)
    node[i] = (node[i][0], value)
    draft.meta["variant"] = repr(value[:12])
    return f"{node[i][0]}={value[:20]!r}"


def wrong_type(rng, draft):
    node, i = _pick_pair(rng, draft)
    value = copy.deepcopy(rng.choice(v.WRONG_TYPES))
    node[i] = (node[i][0], value)
    draft.meta["variant"] = to_json(value)[:24]
    return f"{node[i][0]}={to_json(value)[:24]}"


def deep_nesting(rng, draft):
    depth = rng.choice([1000, 1000, 3000])
    node, i = _pick_pair(rng, draft)
    if draft.body_format == "xml":
        deep = Raw("<a>" * depth + "</a>" * depth)
    else:
        deep = Raw(rng.choice(['{"a":', "["]) * depth)
        deep = Raw(deep + ("1" + "}" * depth if deep.startswith("{") else "]" * depth))
    node[i] = (node[i][0], deep)
    return f"{node[i][0]} depth {depth}"


def extra_key(rng, draft):
    node, _ = _pick_pair(rng, draft)
    node.append((rng.choice(["Extra", "__proto__", "MessageHeader", "XmlMsg"]),
                 rng.choice(v.EDGE_STRINGS[:12] + [Obj()])))
    return node[-1][0]


TREE = [delete_key, duplicate_key, reorder_keys, nest_key, rename_key, edge_value, edge_value,
        edge_value, wrong_type, wrong_type, deep_nesting, extra_key]
XML_TREE = [m for m in TREE if m is not wrong_type]


# --- body mutations -------------------------------------------------------------------------

def truncate(rng, draft):
    body = draft.rendered()
    cut = rng.randrange(len(body)) if body else 0
    draft.body = body[:cut]
    return f"at {cut}/{len(body)}"


def oversize(rng, draft):
    body = draft.rendered()
    limit = draft.meta["max_body_bytes"]
    draft.body = body + b" " * max(1, limit + 1 - len(body))
    return f"{len(draft.body)} bytes"


def garbage(rng, draft):
    choices = [b"", b"\x00" * 16, b"\xff\xfe\x00<", b"{", b"<", b"<XmlMsg>", b"[]", b"null",
               b"\xef\xbb\xbf" + draft.rendered(), draft.rendered() * 2,
               bytes(rng.randrange(256) for _ in range(64))]
    index = rng.randrange(len(choices))
    draft.body = choices[index]
    return f"#{index}"


def raw_bytes(rng, draft):
    """Bytes that are not valid Shift_JIS / JIS X 0208 (or UTF-8) inside a value."""
    node, i = _pick_leaf(rng, draft)
    node[i] = (node[i][0], MARK)
    raw = rng.choice(v.SHIFT_JIS_BYTES + [b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])
    draft.body = draft.rendered().replace(MARK.encode(), raw)
    draft.meta["variant"] = repr(raw)
    return f"{node[i][0]}={raw!r}"


def declared_encoding(rng, draft):
    """The XML declaration names another (or no) encoding than the bytes use."""
    name = rng.choice(v.ENCODING_DECLARATIONS)
    text = draft.rendered().decode("cp932" if draft.encoding == "Shift_JIS" else "utf-8",
                                   errors="replace")
    head, _, rest = text.partition("?>")
    declaration = f'<?xml version="1.0" encoding="{name}"?>' if name else '<?xml version="1.0"?>'
    draft.body = encode_text(declaration + rest, draft.encoding)
    return name or "none"


def dtd(rng, draft):
    doctypes = ['<!DOCTYPE XmlMsg SYSTEM "file:///etc/passwd">',
                '<!DOCTYPE XmlMsg [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                '<!DOCTYPE XmlMsg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>']
    index = rng.randrange(len(doctypes))
    text = draft.rendered()
    head, sep, rest = text.partition(b"?>")
    draft.body = head + sep + doctypes[index].encode() + rest
    return f"#{index}"


BODY = [truncate, truncate, oversize, garbage]
XML_BODY = [*BODY, raw_bytes, raw_bytes, declared_encoding, dtd]
JSON_BODY = [*BODY, raw_bytes]


# --- request mutations ----------------------------------------------------------------------

def content_type(rng, draft):
    value = rng.choice(v.CONTENT_TYPES)
    draft.set_header(b"Content-Type", value)
    return repr(value)


def method(rng, draft):
    draft.method = rng.choice(v.WRONG_METHODS)
    return draft.method


def authorization(rng, draft):
    value = rng.choice(v.BROKEN_AUTH)
    if value is not None and draft.meta.get("auth") == "bearer" and rng.random() < 0.5:
        value = value.replace(b"Bearer {token}", b"{token}")
    draft.set_header(b"Authorization", value)
    return repr(value[:30]) if value is not None else "missing"


def no_content_length(rng, draft):
    draft.content_length = False
    return ""


REQUEST = [content_type, method, authorization, authorization, no_content_length]


def file_name(rng, draft):
    """A hostile request file name, sent raw in the request target."""
    prefix = draft.meta["prefix"]
    if rng.random() < 0.3:
        prefix = rng.choice(v.PREFIX_MUTATIONS)
    part = rng.choice(v.HOSTILE_NAME_PARTS)
    draft.meta["variant"] = repr(part[:12])
    name = prefix + rng.choice([b"", b"FUZZ"]) + part + rng.choice([b"", b"1"])
    draft.target = b"/oqs/files/" + name + rng.choice(v.SUFFIXES)
    return repr(name[:60])


def admin_id(rng, draft):
    """An admin path id replaced by something that is not one (0, -1, 2**64, text)."""
    template = draft.meta["template"]
    draft.meta["variant"] = rng.choice(v.ADMIN_IDS)[:24]
    draft.target = template.replace(b"{id}", draft.meta["variant"].encode("utf-8"))
    return draft.target.decode("utf-8", "replace")[:80]


def query(rng, draft):
    name = rng.choice(["person", "institution", "scenario", "all", "x"])
    value = rng.choice(v.ADMIN_IDS + ["", "%00", "a&b=c"])
    draft.target = draft.target.split(b"?")[0] + f"?{name}={value}".encode()
    return f"{name}={value[:20]}"


def none(rng, draft):
    return "valid"


def choose(rng: random.Random, draft: Draft):
    """One mutation suited to the draft (its body format, its route's path ids and names)."""
    pool: list = [none] + REQUEST
    if draft.tree:
        pool += (XML_TREE + XML_BODY) if draft.body_format == "xml" else (TREE + JSON_BODY)
    if "prefix" in draft.meta:
        pool += [file_name] * 4
    if "template" in draft.meta:
        pool += [admin_id] * 4
    if draft.meta.get("query"):
        pool += [query] * 2
    return rng.choice(pool)
