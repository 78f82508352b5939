"""Finding a patient without a card (disaster or emergency mode; docs/decisions.md) — pure.

The terminal asks by カナ氏名 + 生年月日 + 性別, and 住所 to narrow. The search runs over the
qualification records OQS shows at business time T (registered, not on hold), as the insurers
registered them. Matching:

- カナ: after folding — half-width and full-width katakana and hiragana are the same, spaces
  (half and full width) and 「・」 are ignored, small kana count as small; exact otherwise.
- 生年月日 and 性別: equal.
- 住所 (optional): the record's address contains the text given, after NFKC folding, spaces
  removed and the dash family (－ ‐ − – — ｰ after a digit) read as "-". A record without an
  address does not match an address.

Each person matched is one :class:`Candidate`, shown by the record valid today (else the latest
the system shows), with the insurance-card items to ask 薬剤/特定健診 information by.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jaconv

from ..registry import rules
from ..registry.errors import InvalidInput, MissingField
from ..registry.identifiers import parse_date
from ..registry.model import JST, Qualification, Sex

__all__ = ["SearchQuery", "Candidate", "search_query", "fold_kana", "fold_address",
           "candidates", "current_record", "KANA_MAX"]

KANA_MAX = 100
ADDRESS_MAX = 200
_SPACES = re.compile(r"[\s\u3000・･]+")
_DASHES = re.compile(r"(?<=[0-9])[ｰー]|[‐‑‒–—―−－﹣]")
_KANA = re.compile(r"[\u30a0-\u30ff]+")


def fold_kana(text: str) -> str:
    """カナ for comparison: full-width katakana, no spaces or ・ (a decomposed ゛/゜ composed)."""
    composed = unicodedata.normalize("NFC", text)
    return _SPACES.sub("", jaconv.hira2kata(jaconv.h2z(composed, kana=True, ascii=False,
                                                        digit=False)))


def fold_address(text: str) -> str:
    """住所 for comparison: NFKC, no spaces, one dash."""
    folded = unicodedata.normalize("NFKC", text)
    return _DASHES.sub("-", re.sub(r"\s+", "", folded))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    kana: str  # folded
    birthdate: dt.date
    sex: Sex
    address: str | None = None  # folded


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    record: Qualification  # the record it is shown by


def _value(values: Mapping[str, object], field: str, limit: int) -> str | None:
    value = values.get(field)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(field, "文字列にしてください。")
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(field, f"{limit}文字以内にしてください。")
    return value or None


def search_query(values: Mapping[str, object]) -> SearchQuery:
    """Read the search by element name: KanaName, Birthdate (YYYYMMDD), Sex (1 or 2),
    Address (optional).

    :raises InvalidInput: naming the first element missing or malformed.
    """
    kana = _value(values, "KanaName", KANA_MAX)
    if kana is None:
        raise MissingField("KanaName", "患者のカナ氏名を設定してください。")
    folded = fold_kana(kana)
    if not _KANA.fullmatch(folded):
        raise InvalidInput("KanaName", "カタカナまたはひらがなにしてください。")
    birthdate = _value(values, "Birthdate", 8)
    if birthdate is None:
        raise MissingField("Birthdate", "生年月日（YYYYMMDD）を設定してください。")
    born = parse_date(birthdate, field="Birthdate")
    sex = _value(values, "Sex", 1)
    if sex is None:
        raise MissingField("Sex", "性別（1 男、2 女）を設定してください。")
    if sex not in (Sex.MALE.value, Sex.FEMALE.value):
        raise InvalidInput("Sex", "1（男）または2（女）にしてください（OQSCD007）。")
    address = _value(values, "Address", ADDRESS_MAX)
    return SearchQuery(folded, born, Sex(sex),
                       fold_address(address) if address else None)


def _matches(record: Qualification, query: SearchQuery) -> bool:
    return (record.birthdate == query.birthdate and record.sex == query.sex
            and fold_kana(record.kana) == query.kana
            and (query.address is None or (record.address is not None
                                           and query.address in fold_address(record.address))))


def current_record(records: Iterable[Qualification], *,
                   as_of: dt.datetime) -> Qualification | None:
    """The record to show a person by: valid today, else the latest one OQS shows."""
    visible = rules.visible_records(records, as_of=as_of)
    today = as_of.astimezone(JST).date()
    valid = [r for r in visible if r.valid_on(today)]
    return max(valid or visible, key=lambda r: (r.valid_from, r.id or 0), default=None)


def candidates(records: Iterable[Qualification], query: SearchQuery, *,
               as_of: dt.datetime) -> list[Candidate]:
    """The persons a search finds among ``records`` at ``as_of``, in カナ, 住所, id order."""
    by_person: dict[int, list[Qualification]] = defaultdict(list)
    for record in records:
        by_person[record.person_id].append(record)
    found = []
    for person_id, own in by_person.items():
        visible = rules.visible_records(own, as_of=as_of)
        if any(_matches(r, query) for r in visible):
            shown = current_record(own, as_of=as_of)
            if shown is not None:
                found.append(Candidate(person_id, shown))
    return sorted(found, key=lambda c: (c.record.kana, c.record.address or "", c.person_id))
