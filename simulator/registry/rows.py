"""Rows of the core's tables turned into domain objects, and back: qualifications with their
certificates (JSON columns) and holds, persons, insurers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from .model import (
    ElderlyCertificate,
    Family,
    Hold,
    Insurer,
    InsurerKind,
    LimitCertificate,
    Person,
    Qualification,
    ReasonOfLoss,
    Sex,
    SpecificDiseaseCertificate,
)

__all__ = ["insurer_of", "qualification_of", "qualification_values", "person_of",
           "records_of_rows"]


def _dates(raw: Any, *names: str) -> dict[str, Any]:
    return {k: (dt.date.fromisoformat(v) if k in names and v else v) for k, v in raw.items()}


_CERT_DATES = ("issued_on", "valid_start", "valid_end", "long_term_date")


def _certificates(cls, raw: Sequence[dict] | None) -> tuple:
    return tuple(cls(**_dates(item, *_CERT_DATES)) for item in raw or ())


def _certificate_json(certs: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for cert in certs:
        item = {k: getattr(cert, k) for k in cert.__slots__}
        out.append({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in item.items()})
    return out


_FAMILY = {member.value: member for member in Family}
_SEX = {member.value: member for member in Sex}
_REASON = {member.value: member for member in ReasonOfLoss}


@lru_cache(maxsize=4096)
def insurer_of(number: str, name: str, kind: str) -> Insurer:
    return Insurer(number, name, InsurerKind(kind))


def qualification_of(row: Mapping[str, Any], holds: tuple[Hold, ...]) -> Qualification:
    """A record from a row of ``_RECORDS`` read as a dict (a SQLAlchemy ``Row`` attribute costs
    ten times a dict key: a bulk job's batch reads thousands of rows)."""
    sex2, reason = row["sex2"], row["reason_of_loss"]
    return Qualification(
        id=row["id"],
        person_id=row["person_id"],
        insurer=insurer_of(row["insurer_number"], row["insurer_name"], row["insurer_kind"]),
        number=row["number"],
        symbol=row["symbol"],
        branch=row["branch"],
        family=_FAMILY[row["family"]],
        card_class=row["card_class"],
        name=row["name"],
        kana=row["kana"],
        birthdate=row["birthdate"],
        sex=_SEX[row["sex"]],
        sex2=_SEX[sex2] if sex2 else None,
        address=row["address"],
        post_number=row["post_number"],
        insured_name=row["insured_name"],
        name_other=row["name_other"],
        kana_other=row["kana_other"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        acquired_on=row["acquired_on"],
        reason_of_loss=_REASON[reason] if reason else None,
        registered_at=row["registered_at"],
        loss_registered_at=row["loss_registered_at"],
        card_issued_on=row["card_issued_on"],
        card_valid_start=row["card_valid_start"],
        card_valid_end=row["card_valid_end"],
        ratio=row["ratio"],
        preschool=row["preschool"],
        elderly=_certificates(ElderlyCertificate, row["elderly"]),
        limits=_certificates(LimitCertificate, row["limits"]),
        specific_diseases=_certificates(SpecificDiseaseCertificate, row["specific_diseases"]),
        holds=holds,
    )


def qualification_values(q: Qualification) -> dict[str, Any]:
    return {
        "person_id": q.person_id,
        "insurer_number": q.insurer.number,
        "symbol": q.symbol,
        "number": q.number,
        "branch": q.branch,
        "family": q.family.value,
        "card_class": q.card_class,
        "name": q.name,
        "kana": q.kana,
        "birthdate": q.birthdate,
        "sex": q.sex.value,
        "sex2": q.sex2.value if q.sex2 else None,
        "address": q.address,
        "post_number": q.post_number,
        "insured_name": q.insured_name,
        "name_other": q.name_other,
        "kana_other": q.kana_other,
        "valid_from": q.valid_from,
        "valid_to": q.valid_to,
        "acquired_on": q.acquired_on,
        "reason_of_loss": q.reason_of_loss.value if q.reason_of_loss else None,
        "registered_at": q.registered_at,
        "loss_registered_at": q.loss_registered_at,
        "card_issued_on": q.card_issued_on,
        "card_valid_start": q.card_valid_start,
        "card_valid_end": q.card_valid_end,
        "ratio": q.ratio,
        "preschool": q.preschool,
        "elderly": _certificate_json(q.elderly),
        "limits": _certificate_json(q.limits),
        "specific_diseases": _certificate_json(q.specific_diseases),
    }


def person_of(row: Any) -> Person:
    return Person(row.name, row.kana, row.birthdate, Sex(row.sex), row.address,
                  row.post_number, row.id)


def records_of_rows(rows: Sequence[Any]) -> list[Qualification]:
    """Records from the records query's rows (one row per hold, in record order)."""
    if not rows:
        return []
    names = tuple(rows[0]._fields)
    values = [dict(zip(names, row, strict=True)) for row in rows]
    records: list[Qualification] = []
    pending: list[Hold] = []
    for index, row in enumerate(values):
        if row["hold_id"] is not None:
            pending.append(Hold(row["held_from"], row["held_until"], row["hold_reason"],
                                row["hold_id"]))
        if index + 1 == len(values) or values[index + 1]["id"] != row["id"]:
            records.append(qualification_of(row, tuple(pending)))
            pending = []
    return records
