"""A CSV import file (docs/import.md) into the import document.

One row per qualification. Rows with the same ``id`` are one person: the first of them gives
the person's columns, and a later row leaves them empty or repeats the same values. A row
whose qualification columns are all empty declares the person only. ``insurer_name`` names
the row's insurer (one name per insurer in the file) and ``insurer_kind`` must agree with
its 法別番号. Values are trimmed; a boolean column takes true/false or 1/0; an empty cell
is an absent key.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from ..registry.coverage_input import insurer_kind
from ..registry.errors import InvalidInput
from ..registry.identifiers import normalize_insurer_number
from ..registry.model import InsurerKind
from .model import ImportFile, ImportRejected, Problem, shown
from .vocabulary import INSURER_KIND, INSURER_NAME, PERSON_REQUIRED, Column, columns

__all__ = ["read_csv", "RENAMED"]

#: Keys of the document's ``insurers`` and the columns that give them.
RENAMED = {"insurers.number": "insurer", "insurers.name": INSURER_NAME}
_TRUE, _FALSE = ("true", "1"), ("false", "0")


def _records(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a record starts on, its cells)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportRejected(source, [Problem("", f"CSVとして読めません: {error}", start)]) \
            from None


def _header(cells: list[str], source: str) -> list[str]:
    names = [cell.strip() for cell in cells]
    known = set(columns()) | {INSURER_NAME, INSURER_KIND}
    problems = []
    for number, name in enumerate(names, start=1):
        if not name:
            problems.append(Problem("", f"{number}列目の見出しが空です。", 1))
        elif name not in known:
            problems.append(Problem("", "知らない列です（使える列は docs/import.md）: "
                                        f"{shown(name)}", 1, name))
        elif names.index(name) != number - 1:
            problems.append(Problem("", "同じ見出しの列が2つあります。", 1, name))
    problems += [Problem(key, "この列が必要です。", 1, key)
                 for key in PERSON_REQUIRED if key not in names]
    if problems:
        raise ImportRejected(source, problems)
    return names


class _Reader:
    """Builds the document row by row, keeping where each part came from."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.persons: list[dict[str, Any]] = []
        self.first: dict[str, tuple[int, dict[str, str]]] = {}  # id → (line, its values)
        self.insurers: list[dict[str, str]] = []
        self.insurer_lines: dict[str, tuple[int, str]] = {}  # number → (line, name)
        self.places: dict[str, int] = {}
        self.problems: list[Problem] = []

    def problem(self, line: int, column: str, message: str, field: str = "") -> None:
        self.problems.append(Problem(field, message, line, column))

    def row(self, line: int, cells: list[str]) -> None:
        if not any(cell.strip() for cell in cells):
            return
        extra = [cell for cell in cells[len(self.names):] if cell.strip()]
        if extra:
            self.problem(line, "", f"見出し（{len(self.names)}列）より多くの列があります。")
            return
        values = {name: cell.strip() for name, cell in zip(self.names, cells, strict=False)
                  if cell.strip()}
        handle = values.get("id")
        if handle is None:
            self.problem(line, "id", "必須の項目です。")
            return
        if handle not in self.first:
            self.first[handle] = (line, values)
            self.places[f"persons[{len(self.persons)}]"] = line
            self.persons.append(self._fill({}, values, line, person=True))
        else:
            self._same_person(line, values)
        index = list(self.first).index(handle)
        person = self.persons[index]
        qualification = self._fill({}, values, line, person=False)
        if qualification:
            records = person.setdefault("qualifications", [])
            self.places[f"persons[{index}].qualifications[{len(records)}]"] = line
            records.append(qualification)
        self._insurer(line, values)

    def _fill(self, target: dict[str, Any], values: dict[str, str], line: int, *,
              person: bool) -> dict[str, Any]:
        for name, text in values.items():
            column = columns().get(name)
            if column is None or column.person is not person:
                continue
            value = self._value(column, text, line)
            if value is not None:
                place = target.setdefault(column.block, {}) if column.block else target
                place[column.key] = value
        return target

    def _value(self, column: Column, text: str, line: int) -> str | bool | None:
        if not column.boolean:
            return text
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        self.problem(line, column.name, f"true か false（1 か 0）にしてください: {shown(text)}")
        return None

    def _same_person(self, line: int, values: dict[str, str]) -> None:
        first_line, first = self.first[values["id"]]
        for name, text in values.items():
            if not columns().get(name, Column(name, False, name)).person:
                continue
            if text != first.get(name):
                before = shown(first[name]) if name in first else "空"
                self.problem(line, name, f"同じ id の最初の行（{first_line}行目）と値が違います: "
                                         f"{shown(text)}（{first_line}行目は{before}）")

    def _insurer(self, line: int, values: dict[str, str]) -> None:
        raw = values.get("insurer")
        for key in (INSURER_NAME, INSURER_KIND):
            if key in values and raw is None:
                self.problem(line, key, "insurer のない行には書けません。")
        if raw is None:
            return
        try:
            number = normalize_insurer_number(raw)
        except InvalidInput:
            return  # the qualification's reader names the insurer column
        if INSURER_KIND in values:
            self._kind(line, number, values[INSURER_KIND])
        name = values.get(INSURER_NAME)
        if name is None:
            return
        if number in self.insurer_lines:
            first_line, first = self.insurer_lines[number]
            if name != first:
                self.problem(line, INSURER_NAME, f"保険者 {number} は{first_line}行目で"
                                                 f"「{first}」とされています: {shown(name)}")
            return
        self.insurer_lines[number] = (line, name)
        self.places[f"insurers[{len(self.insurers)}]"] = line
        self.insurers.append({"number": raw, "name": name})

    def _kind(self, line: int, number: str, given: str) -> None:
        kinds = ", ".join(kind.value for kind in InsurerKind)
        if given not in tuple(InsurerKind):
            self.problem(line, INSURER_KIND, f"{kinds} のいずれかにしてください: {shown(given)}")
            return
        try:
            derived = insurer_kind(number)
        except InvalidInput:
            return  # the qualification's reader names the 法別番号
        if derived != given:
            self.problem(line, INSURER_KIND, f"保険者番号 {number} の種別は {derived.value} "
                                             f"です（法別番号から）: {shown(given)}")


def read_csv(text: str, source: str) -> ImportFile:
    """Read a CSV import file's text.

    :raises ImportRejected: an unreadable file or header (naming the line and column).
    """
    records = _records(text, source)
    first = next(records, None)
    if first is None:
        raise ImportRejected(source, [Problem("", "空のファイルです。", 1)])
    reader = _Reader(_header(first[1], source))
    for line, cells in records:
        reader.row(line, cells)
    document: dict[str, Any] = {"persons": reader.persons}
    if reader.insurers:
        document["insurers"] = reader.insurers
    return ImportFile(source, "csv", document, reader.places, RENAMED, tuple(reader.problems))
