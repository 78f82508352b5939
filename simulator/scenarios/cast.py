"""The cast of a scenario file: insurers, institutions, persons with their qualifications,
their virtual My Number card, drug records and checkups (docs/scenarios.md), written through the
repository inside the loader's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..cards.service import new_card
from ..medical import masters
from ..medical.input import checkup, drug
from ..pki.jpki import CardBundle, JpkiHolder
from ..registry import fields
from ..registry.coverage_input import insurer_kind, qualification
from ..registry.errors import InvalidInput
from ..registry.identifiers import normalize_insurer_number, parse_institution_code
from ..registry.model import JST, Institution, Insurer, Person

__all__ = ["Cast", "insurers", "institutions", "persons", "issue_card_of"]

#: Called with (person handle, bundle) for each card issued: the private key leaves here.
CardSink = Callable[[str, CardBundle], None]


@dataclass(frozen=True)
class Cast:
    """What loading persons needs besides the repository."""

    profiles: Any  # simulator.profiles.Profiles
    known: Callable[[str], Insurer | None]
    jpki: JpkiHolder | None = None
    on_card: CardSink | None = None


def insurers(repo, document: Mapping[str, Any]) -> dict[str, Insurer]:
    declared = {}
    for index, item in enumerate(document.get("insurers", [])):
        path = f"insurers[{index}].number"
        number = normalize_insurer_number(item["number"], field=path)
        insurer = Insurer(number, item["name"], insurer_kind(number, field=path))
        stored = repo.get_insurer(number)
        if stored is None:
            repo.add_insurer(insurer)
        elif stored.name != insurer.name:
            raise InvalidInput(f"insurers[{index}].name",
                               f"insurer {number} is already registered as {stored.name!r}")
        declared[number] = insurer
    return declared


def institutions(repo, scenario, password_hash: Callable[[str], str]) -> None:
    for index, item in enumerate(scenario.document.get("institutions", [])):
        code = parse_institution_code(item["code"], field=f"institutions[{index}].code")
        stored = repo.get_institution(code.code)
        if stored is not None:
            if stored.name != item["name"]:
                raise InvalidInput(f"institutions[{index}].code",
                                   f"{code.code} is already registered as {stored.name!r}")
            if repo.institution_scenario(code.code) is not None:
                repo.link_institution(scenario.name, code.code)
            continue
        repo.add_institution(
            Institution(code.code, item["name"], code.kind, code.prefecture,
                        item.get("municipality")),
            scenario=scenario.name,
        )
        repo.link_institution(scenario.name, code.code)
        account = item.get("account")
        if account:
            if repo.account(account["user"]) is not None:
                raise InvalidInput(f"institutions[{index}].account.user",
                                   f"account {account['user']!r} is already in use")
            repo.set_account(code.code, account=account["user"],
                             password_hash=password_hash(account["password"]))


def persons(repo, scenario, cast: Cast, *, at: dt.datetime) -> None:
    """Write every person of ``scenario`` with their records, card, drugs and checkups."""
    for index, item in enumerate(scenario.document.get("persons", [])):
        path = f"persons[{index}]"
        person = Person(
            name=item["name"], kana=item["kana"],
            birthdate=fields.day(item, "birthdate", path), sex=fields.sex(item, "sex", path),
            address=item["address"], post_number=item.get("post_number"),
        )
        person = replace(person, id=repo.add_person(person, scenario=scenario.name,
                                                    handle=item["id"]))
        for number, raw in enumerate(item.get("qualifications", [])):
            record = qualification(raw, f"{path}.qualifications[{number}]",
                                   person=person, known=cast.known)
            repo.add_qualification(record)
        _medical(repo, item, path, person, cast)
        if "card" in item:
            _card(repo, item, path, person, cast, at)


def _medical(repo, item: Mapping[str, Any], path: str, person: Person, cast: Cast) -> None:
    for number, raw in enumerate(item.get("drugs", [])):
        repo.add_drug(drug(raw, f"{path}.drugs[{number}]", person_id=person.id,
                           drugs=masters.drugs()))
    records = repo.records_of(person.id) if item.get("checkups") else []
    for number, raw in enumerate(item.get("checkups", [])):
        repo.add_checkup(checkup(
            raw, f"{path}.checkups[{number}]", person=person, records=records,
            items=masters.checkup_items(), known=cast.known,
            upload_days=lambda kind: cast.profiles.of(kind).checkup_upload_days))


def _card(repo, item: Mapping[str, Any], path: str, person: Person, cast: Cast,
          at: dt.datetime) -> None:
    """Issue the person's card at the scenario's clock; hand the bundle to ``on_card``."""
    if cast.jpki is None:
        raise InvalidInput(f"{path}.card", "cards need the JPKI CA (pki_dir)")
    bundle = issue_card_of(repo, cast.jpki, item["card"], f"{path}.card", person_id=person.id,
                           now=at)
    if cast.on_card is not None:
        cast.on_card(item["id"], bundle)


def issue_card_of(repo, jpki: JpkiHolder, raw: Mapping[str, Any], path: str, *, person_id: int,
                  now: dt.datetime) -> CardBundle:
    """Issue the card a person's ``card`` block describes (``issued_on``, ``expires``,
    ``insurance_use``, ``pin``): on ``issued_on`` at 00:00 JST, else at ``now``.

    :raises InvalidInput: naming the key under ``path``; ``issued_on`` may not be after the
        day of ``now``.
    """
    issued = fields.optional_day(raw, "issued_on", path)
    if issued is not None and issued > now.astimezone(JST).date():
        raise InvalidInput(fields.at_path(path, "issued_on"),
                           f"must not be after the business day {now.astimezone(JST).date()}")
    if issued is not None and issued.year < 1950:
        raise InvalidInput(fields.at_path(path, "issued_on"), "must not be before 1950")
    at = now if issued is None else dt.datetime.combine(issued, dt.time(), JST)
    try:
        return new_card(
            repo, jpki.ca(), person_id=person_id, at=at,
            expires=fields.optional_day(raw, "expires", path),
            insurance_use=raw.get("insurance_use", True), pin=raw.get("pin", "1234"),
        )
    except InvalidInput as error:
        raise fields.located(error, path) from None
