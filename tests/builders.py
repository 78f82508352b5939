"""Builders of domain values for tests: explicit dates, sensible defaults, overrides by keyword."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from simulator.pki.jpki import new_card_serial
from simulator.registry.lookup import InsuranceCardQuery
from simulator.registry.model import (
    JST,
    Family,
    Hold,
    Insurer,
    InsurerKind,
    Person,
    Qualification,
    Sex,
)

# Insurer numbers with valid check digits.
KUMIAI = Insurer("06130017", "山田商事健康保険組合", InsurerKind.KUMIAI)
KYOKAI = Insurer("01130012", "全国健康保険協会東京支部", InsurerKind.KYOKAI)
KOKUHO = Insurer("138057", "杉並区", InsurerKind.KOKUHO)

BIRTHDATE = dt.date(1985, 5, 10)
ACQUIRED = dt.date(2015, 4, 1)
REGISTERED = dt.datetime(2015, 4, 3, 10, 0, tzinfo=JST)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0):
    """A JST instant."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=JST)


def person(**overrides) -> Person:
    values = dict(
        name="山田　太郎",
        kana="ﾔﾏﾀﾞ ﾀﾛｳ",
        birthdate=BIRTHDATE,
        sex=Sex.MALE,
        address="東京都千代田区千代田1-1",
        post_number="100-0001",
    )
    return Person(**(values | overrides))


def record(person_id: int = 1, **overrides) -> Qualification:
    values = dict(
        person_id=person_id,
        insurer=KUMIAI,
        symbol="1234",
        number="5678",
        branch="00",
        family=Family.INSURED,
        card_class="01",
        name="山田　太郎",
        kana="ﾔﾏﾀﾞ ﾀﾛｳ",
        birthdate=BIRTHDATE,
        sex=Sex.MALE,
        address="東京都千代田区千代田1-1",
        post_number="100-0001",
        valid_from=ACQUIRED,
        registered_at=REGISTERED,
        ratio="030",
    )
    return Qualification(**(values | overrides))


def query(of: Qualification | None = None, *, day: dt.date, **overrides) -> InsuranceCardQuery:
    """The insurance-card query that finds ``of`` (default: the default record) on ``day``."""
    of = of or record()
    values = dict(
        insurer_number=of.insurer.number,
        symbol=of.symbol,
        number=of.number,
        branch=of.branch,
        birthdate=of.birthdate,
        confirm_date=day,
    )
    return InsuranceCardQuery(**(values | overrides))


def held(q: Qualification, start: dt.datetime, until: dt.datetime | None = None) -> Qualification:
    return replace(q, holds=q.holds + (Hold(start, until, "住所不一致"),))


def institution(code: str = "1311000002", name: str = "さくら内科クリニック", **overrides):
    """An institution whose kind and prefecture come from its code."""
    from simulator.registry.identifiers import parse_institution_code
    from simulator.registry.model import Institution

    parsed = parse_institution_code(code)
    values = dict(code=parsed.code, name=name, kind=parsed.kind, prefecture=parsed.prefecture)
    return Institution(**(values | overrides))


def held_card(person_id: int, **overrides) -> dict:
    """A row for ``add_held_cards``: a card held without its certificate (a new random serial),
    registered for insurance use, its certificate valid 2026-04-01 00:00 to 2031-04-02 00:00
    JST; ``pin_hash`` None unless given."""
    values = dict(
        person_id=person_id, serial=new_card_serial(), not_before=at(2026, 4, 1, 0, 0),
        not_after=at(2031, 4, 2, 0, 0), insurance_registered_at=at(2026, 4, 1, 0, 0),
        pin_hash=None,
    )
    return values | overrides
