"""The result-code catalogue and the OQSCD code tables (``datasets/codes/``).

Every interface takes its error codes and messages from :class:`Catalogue`; code values and
messages are data, so a user holding the official 処理結果コード list can swap them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .datasets import DATASETS, DatasetError, load_yaml

__all__ = ["ResultCode", "Catalogue", "CodeTables", "load_catalogue", "load_code_tables"]

_LEVELS = {"info", "warning", "error"}
_KEYS = {"name", "code", "level", "http", "message", "when"}
_PLACEHOLDERS = {"field", "path", "detail", "limit"}


@dataclass(frozen=True, slots=True)
class ResultCode:
    """One catalogue entry: ``code`` is what messages carry; ``message`` is a template."""

    name: str
    code: str
    level: str
    http: int
    message: str
    when: str

    def text(self, **values: object) -> str:
        """The Japanese message with its placeholders filled (missing ones left empty)."""
        filled = {key: "" for key in _PLACEHOLDERS}
        filled.update({k: "" if v is None else str(v) for k, v in values.items()})
        return self.message.format_map(filled).strip()


class Catalogue:
    """Result codes by name."""

    def __init__(self, entries: Mapping[str, ResultCode]) -> None:
        self._entries = dict(entries)

    def __getitem__(self, name: str) -> ResultCode:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"no result code named {name!r} in the catalogue") from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self):
        return iter(self._entries.values())


def _entry(raw: Any, where: str) -> ResultCode:
    if not isinstance(raw, dict) or set(raw) != _KEYS:
        raise DatasetError(f"{where}: an entry needs exactly the keys {sorted(_KEYS)}")
    if raw["level"] not in _LEVELS:
        raise DatasetError(f"{where}: level {raw['level']!r} is not one of {sorted(_LEVELS)}")
    unknown = {f for _, f, _, _ in string.Formatter().parse(raw["message"]) if f} - _PLACEHOLDERS
    if unknown:
        raise DatasetError(f"{where}: unknown placeholder(s) {sorted(unknown)} in the message")
    if not isinstance(raw["http"], int):
        raise DatasetError(f"{where}: http must be a status number")
    return ResultCode(**{k: raw[k] if k == "http" else str(raw[k]) for k in _KEYS})


def load_catalogue(path: Path = DATASETS / "codes" / "result_codes.yaml") -> Catalogue:
    """Read and check the catalogue: unique names and codes, known levels and placeholders.

    :raises DatasetError: naming the file and the entry.
    """
    raw = load_yaml(path)
    if not isinstance(raw, list):
        raise DatasetError(f"{path}: expected a list of entries")
    entries: dict[str, ResultCode] = {}
    codes: set[str] = set()
    for index, item in enumerate(raw):
        entry = _entry(item, f"{path}: entry {index + 1}")
        if entry.name in entries or entry.code in codes:
            raise DatasetError(f"{path}: entry {index + 1}: duplicate name or code {entry.code}")
        entries[entry.name] = entry
        codes.add(entry.code)
    return Catalogue(entries)


class CodeTables:
    """The OQSCD tables: ``tables.label("OQSCD006", "4") == "該当資格なし"``."""

    def __init__(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        self._tables = tables

    def values(self, table: str) -> dict[str, str]:
        return dict(self._tables[table]["values"])

    def label(self, table: str, value: str) -> str:
        return self._tables[table]["values"][value]

    def name(self, table: str) -> str:
        return self._tables[table]["name"]


def load_code_tables(path: Path = DATASETS / "codes" / "oqscd.yaml") -> CodeTables:
    """Read the OQSCD tables; every value key must be a string.

    :raises DatasetError: naming the table.
    """
    raw = load_yaml(path)
    for table, body in raw.items():
        if not (isinstance(body, dict) and set(body) == {"name", "values"}):
            raise DatasetError(f"{path}: {table} needs exactly 'name' and 'values'")
        if not all(isinstance(k, str) for k in body["values"]):
            raise DatasetError(f"{path}: {table} has a value key that is not a quoted string")
    return CodeTables(raw)
