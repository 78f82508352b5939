"""The insurance cards of the demo world: 有効開始日, 有効終了日 and 交付日 (pure, no randomness).

An employee's card (協会, 組合, 共済, 自衛官, 特例退職) is valid from the 資格取得日 and has no
end. 国保 and 後期高齢 cards run 1 August – 31 July and are renewed each year; a 短期被保険者証
runs six months (1 February – 31 July or 1 August – 31 January).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..registry.model import InsurerKind, Qualification
from .demo_people import benefit_year

__all__ = ["ISSUED_BEFORE_START", "half_year", "short_card", "with_card_dates"]

#: A renewed card (and a yearly certificate) is issued two weeks before it starts.
ISSUED_BEFORE_START = dt.timedelta(days=14)


def half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The 1 February – 31 July or 1 August – 31 January period holding ``day`` (短期証)."""
    if 2 <= day.month <= 7:
        return dt.date(day.year, 2, 1), dt.date(day.year, 7, 31)
    year = day.year if day.month >= 8 else day.year - 1
    return dt.date(year, 8, 1), dt.date(year + 1, 1, 31)


def short_card(record: Qualification, day: dt.date) -> Qualification:
    """The record on a 短期被保険者証 of the half year holding ``day``."""
    start, end = half_year(day)
    start = max(start, record.valid_from)
    return replace(record, card_issued_on=start - ISSUED_BEFORE_START, card_valid_start=start,
                   card_valid_end=end)


#: Insurers whose cards run 1 August – 31 July and are renewed each year.
_YEARLY_CARDS = (InsurerKind.KOKUHO, InsurerKind.KOKI)


def with_card_dates(record: Qualification, today: dt.date) -> Qualification:
    """The record with its card's 有効開始日 and, for a yearly card, 有効終了日 and 交付日.

    A record that has a 有効開始日 already keeps its card. An employee's card (協会, 組合, 共済,
    自衛官, 特例退職) is valid from the 資格取得日 and has no end. A 国保 or 後期高齢 card runs
    1 August – 31 July: the card shown is that of the year of the record's last valid day
    (today while it lasts), from that 1 August or the 資格取得日 if later; a card renewed after
    the 取得日 was issued two weeks before it started.
    """
    if record.card_valid_start is not None:
        return record
    if record.insurer.kind not in _YEARLY_CARDS:
        return replace(record, card_valid_start=record.valid_from)
    last = today if record.valid_to is None else record.valid_to - dt.timedelta(days=1)
    start, end = benefit_year(max(last, record.valid_from))
    if start <= record.valid_from:
        return replace(record, card_valid_start=record.valid_from, card_valid_end=end)
    return replace(record, card_issued_on=start - ISSUED_BEFORE_START, card_valid_start=start,
                   card_valid_end=end)
