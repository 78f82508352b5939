"""What an import is made of: the file read into a document, the problems found in it, and
the refusal that carries them (pure values)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..registry.errors import InvalidInput

__all__ = ["MAX_PROBLEMS", "Problem", "ImportFile", "ImportRejected", "shown"]

#: Problems reported at most; reading stops once this many are found.
MAX_PROBLEMS = 50

_PLACES = re.compile(r"(persons\[\d+\](?:\.qualifications\[\d+\])?|insurers\[\d+\])(?:\.(.+))?")


def shown(value: object) -> str:
    """A value as a message quotes it: text in 「」 (a full-width space stays one), else as
    JSON writes it."""
    if isinstance(value, str):
        return f"「{value}」"
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: ``field`` is its path in the document
    (``persons[3].qualifications[0].valid_from``); a CSV file also gives the ``line`` (1: the
    header) and the ``column``."""

    field: str
    message: str
    line: int | None = None
    column: str | None = None

    def place(self) -> str:
        if self.line is None:
            return self.field or "(ファイル)"
        return f"{self.line}行目" + (f" {self.column}" if self.column else "")

    def render(self, source: str) -> str:
        return f"{source}: {self.place()}: {self.message}"

    def view(self) -> dict[str, Any]:
        """As the admin API shows it."""
        view: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.line is not None:
            view |= {"line": self.line, "column": self.column}
        return view


def _order(problem: Problem) -> tuple:
    """Problems in file order: by line and column, then by path (indexes as numbers)."""
    parts = [(0, int(token), "") if token.isdigit() else (1, 0, token)
             for token in re.split(r"[\[\].]", problem.field) if token]
    return (problem.line or 0, problem.column or "", parts)


class ImportRejected(InvalidInput):
    """The file was not imported (nothing was stored); ``problems`` says why, each placed."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=_order)[:MAX_PROBLEMS]
        first = self.problems[0] if self.problems else Problem("", "")
        capped = f"（最初の{MAX_PROBLEMS}件）" if len(self.problems) >= MAX_PROBLEMS \
            else ""
        super().__init__(first.field or "file",
                         f"{source}: {len(self.problems)}件の誤りがあるため、何も取り込みません"
                         f"でした{capped}。")
        self.message = self.reason

    def lines(self) -> list[str]:
        """Each problem on a line of its own, then the summary."""
        return [problem.render(self.source) for problem in self.problems] + [self.message]


@dataclass(frozen=True)
class ImportFile:
    """A file read into a document. ``places`` maps the path of a person, a qualification or
    an insurer (``persons[0].qualifications[1]``) to the CSV line it came from, ``renamed``
    the document's key to the CSV column where they differ; both are empty for JSON.
    ``problems`` were found while reading; the document is usable all the same."""

    source: str
    format: str
    document: Mapping[str, Any]
    places: Mapping[str, int] = field(default_factory=dict)
    renamed: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()  # found while reading (CSV: rows that disagree)

    def problem(self, path: str, message: str) -> Problem:
        """A problem at ``path`` of the document, placed on its CSV line and column."""
        match = _PLACES.fullmatch(path)
        if not self.places or match is None or match.group(1) not in self.places:
            return Problem(path, message)
        head, rest = match.group(1), match.group(2)
        column = None
        if rest is not None:
            column = self.renamed.get(f"{head.partition('[')[0]}.{rest}", rest)
        return Problem(path, message, self.places[head], column)

    def persons(self) -> list[Mapping[str, Any]]:
        persons = self.document.get("persons")
        return persons if isinstance(persons, list) else []
