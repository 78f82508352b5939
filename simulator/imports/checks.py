"""Checks of an import document that need no store: its shape against the import schema
(:mod:`.vocabulary`), every problem at once, in Japanese; persons' ids unique; lengths the
store's columns hold.

The values' meaning (check digits, dates that exist, masters) is checked by the scenario
readers when the use case writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from ..registry.fields import at_path
from .model import ImportFile, Problem, shown
from .vocabulary import import_schema

__all__ = ["Checked", "check_document"]

_TYPES = {"string": "文字列", "boolean": "true か false", "array": "配列（[…]）",
          "object": "オブジェクト（{…}）", "integer": "整数", "number": "数値", "null": "null"}
#: The longest values the store keeps (persons and qualifications: String(100) / String(200)).
_LENGTHS = {"name": 100, "kana": 100, "address": 200, "insured_name": 100}


@dataclass(frozen=True)
class Checked:
    """The problems found; ``persons`` and ``insurers`` are the indexes of those with none
    (the use case reads only those further); ``whole`` is False when the document itself is
    wrong (not an object, no persons)."""

    problems: list[Problem]
    persons: frozenset[int]
    insurers: frozenset[int]
    whole: bool


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(import_schema())


def _path(parts) -> str:
    text = ""
    for part in parts:
        text = at_path(text, part)
    return text


def _json_type(value: object) -> str:
    for name, python in (("null", type(None)), ("boolean", bool), ("integer", int),
                         ("number", float), ("string", str), ("array", list),
                         ("object", dict)):
        if isinstance(value, python):
            return _TYPES[name]
    return type(value).__name__


def _hint(schema: Mapping[str, Any]) -> str:
    description = schema.get("description", "")
    return description if description and len(description) <= 40 \
        else f"正規表現 {schema.get('pattern')}"


def _translated(error: ValidationError) -> list[tuple[str, str]]:
    """One schema error as (path, Japanese message) pairs."""
    where, rule, value = _path(error.absolute_path), error.validator, error.instance
    limit = error.validator_value
    if rule == "required":
        return [(at_path(where, key), "必須の項目です。") for key in limit if key not in value]
    if rule == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        return [(at_path(where, str(key)), f"使えない項目です（使える項目: {', '.join(known)}）。")
                for key in value if key not in known]
    simple = {
        "type": lambda: "{}にしてください（{}です）。".format(
            " か ".join(_TYPES[t] for t in ([limit] if isinstance(limit, str) else limit)),
            _json_type(value)),
        "pattern": lambda: f"形式が違います（{_hint(error.schema)}）: {shown(value)}",
        "enum": lambda: f"{'、'.join(map(str, limit))} のいずれかにしてください: {shown(value)}",
        "minLength": lambda: "空にはできません。",
        "maxLength": lambda: f"{limit}文字以内にしてください。",
        "minItems": lambda: f"{limit}件以上必要です。",
        "minProperties": lambda: f"{limit}項目以上必要です。",
        "minimum": lambda: f"{limit}以上にしてください: {shown(value)}",
        "maximum": lambda: f"{limit}以下にしてください: {shown(value)}",
    }
    return [(where, simple[rule]() if rule in simple else error.message)]


def _lengths(person: Mapping[str, Any], path: str) -> list[tuple[str, str]]:
    found = []
    records = [(f"{path}.qualifications[{n}]", q)
               for n, q in enumerate(person.get("qualifications", []))]
    for where, mapping in [(path, person), *records]:
        blocks = [(where, mapping), (at_path(where, "as_registered"),
                                     mapping.get("as_registered") or {})]
        for place, values in blocks:
            for key, limit in _LENGTHS.items():
                value = values.get(key)
                if isinstance(value, str) and len(value) > limit:
                    found.append((at_path(place, key), f"{limit}文字以内にしてください"
                                                       f"（{len(value)}文字です）。"))
    return found


def _head(path: list[Any]) -> tuple[str, int] | None:
    if len(path) >= 2 and path[0] in ("persons", "insurers") and isinstance(path[1], int):
        return path[0], path[1]
    return None


def check_document(file: ImportFile) -> Checked:
    """Check ``file``'s document; every problem is placed (JSON path, or CSV line and column)."""
    document = file.document
    found: list[tuple[str, str]] = []
    bad: dict[str, set[int]] = {"persons": set(), "insurers": set()}
    whole = True
    errors = sorted(_validator().iter_errors(document),
                    key=lambda e: [str(p).zfill(8) for p in e.absolute_path])
    for error in errors:
        head = _head(list(error.absolute_path))
        if head is None:
            whole = False
        else:
            bad[head[0]].add(head[1])
        found += _translated(error)
    persons = file.persons() if whole else []
    seen: dict[str, int] = {}
    for index, person in enumerate(persons):
        if not isinstance(person, Mapping):
            continue
        handle = person.get("id")
        if isinstance(handle, str) and handle in seen:
            found.append((f"persons[{index}].id", f"persons[{seen[handle]}] と同じ id です: "
                                                  f"{shown(handle)}"))
            bad["persons"].add(index)
        elif isinstance(handle, str):
            seen[handle] = index
        if index not in bad["persons"]:
            lengths = _lengths(person, f"persons[{index}]")
            found += lengths
            if lengths:
                bad["persons"].add(index)
    insurers = document.get("insurers", []) if whole else []
    return Checked(
        problems=[file.problem(path, message) for path, message in found],
        persons=frozenset(set(range(len(persons))) - bad["persons"]),
        insurers=frozenset(set(range(len(insurers))) - bad["insurers"]),
        whole=whole,
    )
