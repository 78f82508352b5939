"""The person import (docs/import.md): a file's persons, with their qualifications, cards,
drug records and checkups, into the store in one transaction.

Every value is read by the scenario readers (:mod:`simulator.registry.coverage_input`,
:mod:`simulator.medical.input`, the card block of :mod:`simulator.scenarios.cast`), so a file
means what the same keys mean in a scenario. Problems are collected, not raised one by one:
the whole file is read and written, and if anything was wrong (up to
:data:`~.model.MAX_PROBLEMS` problems) the transaction is rolled back and every problem is
reported. Imported persons belong to no scenario; their ``id`` is their handle, unique among
such persons. An ``id`` already there is refused, unless ``replace`` (then that person and
everything they had is removed first).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..medical import masters
from ..medical.input import checkup, drug
from ..pki.jpki import CardBundle, JpkiHolder
from ..registry import fields
from ..registry.coverage_input import insurer_kind, qualification
from ..registry.errors import InvalidInput
from ..registry.identifiers import normalize_insurer_number
from ..registry.model import Insurer, InsurerKind, Person
from ..scenarios.cast import issue_card_of
from .checks import check_document
from .model import MAX_PROBLEMS, ImportFile, ImportRejected, Problem, shown

if TYPE_CHECKING:
    from ..clock import Clock
    from ..registry.services import UnitOfWork
    from ..store import Repository

__all__ = ["Imported", "import_persons", "card_folder", "KINDS"]

#: What an insurer created without a name is called, by kind (then its number).
KINDS = {
    InsurerKind.KYOKAI: "全国健康保険協会", InsurerKind.SENIN: "船員保険",
    InsurerKind.HIYATOI: "日雇特例被保険者", InsurerKind.KUMIAI: "健康保険組合",
    InsurerKind.JIEIKAN: "自衛官等", InsurerKind.KYOSAI: "共済組合",
    InsurerKind.KOKI: "後期高齢者医療広域連合", InsurerKind.TOKUREI: "特例退職被保険者",
    InsurerKind.KOKUHO: "国民健康保険",
}
#: Where the cards of imported persons are kept, beside the scenarios' (``_`` keeps it apart
#: from any scenario's name).
CARDS_FOLDER = "_imported"
_UNKNOWN_DAY = dt.date(1900, 1, 1)  # a stand-in birthdate, while a wrong one is reported
COUNTED = ("persons", "qualifications", "cards", "drugs", "checkups", "insurers")


@dataclass(frozen=True)
class Imported:
    """What was stored: ``counts`` of each kind (``insurers``: created), the persons
    ``replaced``, and each new card's bundle by person ``id`` (its private key is here only)."""

    counts: dict[str, int]
    replaced: int = 0
    cards: dict[str, CardBundle] = field(default_factory=dict)

    def summary(self) -> str:
        told = ", ".join(f"{self.counts[key]} {key}" for key in COUNTED if key != "insurers")
        also = f"; {self.counts['insurers']} insurers created" if self.counts["insurers"] else ""
        again = f"; {self.replaced} persons replaced" if self.replaced else ""
        return f"imported {told}{also}{again}"


def import_persons(*, uow: UnitOfWork, clock: Clock, file: ImportFile, profiles,
                   jpki: JpkiHolder | None = None, replace: bool = False) -> Imported:
    """Import ``file`` at business now (cards without ``issued_on`` are issued now).

    :raises ImportRejected: naming every problem found; nothing is stored then.
    """
    checked = check_document(file)
    problems = [*file.problems, *checked.problems]
    if not checked.whole or len(problems) >= MAX_PROBLEMS:
        raise ImportRejected(file.source, problems)
    with uow:
        writer = _Writer(uow.repo, file, profiles, jpki, clock.now(), problems)
        replaced = writer.write(sorted(checked.persons), sorted(checked.insurers), replace)
        if problems:
            raise ImportRejected(file.source, problems)
        uow.commit()
    return Imported(writer.counts, replaced, writer.cards)


def card_folder(pki_dir: str | os.PathLike[str], handle: str) -> Path:
    """Where the card of the imported person ``handle`` is written (key, certificate, CA)."""
    return Path(pki_dir) / "cards" / CARDS_FOLDER / handle


class _Full(Exception):
    """Enough problems were found: stop reading."""


def _with_defaults(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """A qualification with ``registered_at`` defaulted: 00:00 JST of ``valid_from``."""
    start = raw.get("valid_from")
    if raw.get("registered_at") is None and isinstance(start, str):
        return {**raw, "registered_at": f"{start}T00:00:00+09:00"}
    return raw


class _Writer:
    """Writes the persons it can read and keeps a problem for each part it cannot."""

    def __init__(self, repo: Repository, file: ImportFile, profiles, jpki: JpkiHolder | None,
                 now: dt.datetime, problems: list[Problem]) -> None:
        self.repo, self.file, self.profiles, self.jpki, self.now = repo, file, profiles, jpki, now
        self.problems = problems
        self.known: dict[str, Insurer] = {}
        self.counts = dict.fromkeys(COUNTED, 0)
        self.cards: dict[str, CardBundle] = {}

    def fail(self, error: InvalidInput) -> None:
        self.problems.append(self.file.problem(error.field, error.reason))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Full

    def write(self, persons: list[int], insurers: list[int], again: bool) -> int:
        """Write the persons and insurers of these indexes; return how many were replaced."""
        items = self.file.persons()
        taken: set[int] = set()
        try:
            taken = self._taken({items[i]["id"]: i for i in persons}, again)
            for index in insurers:
                self._declared(index, self.file.document["insurers"][index])
            for index in persons:
                if again or index not in taken:
                    self._person(index, items[index])
        except _Full:
            pass
        return len(taken) if again else 0

    def _taken(self, handles: dict[str, int], again: bool) -> set[int]:
        """The persons whose id is taken: removed when ``again``, else refused."""
        found = self.repo.unscoped_handles(handles)
        for handle, person_id in sorted(found.items(), key=lambda item: handles[item[0]]):
            if again:
                self.repo.delete_person(person_id)
            else:
                self.fail(InvalidInput(f"persons[{handles[handle]}].id",
                                       f"この id の人はすでに取り込まれています: {shown(handle)}"
                                       "（置き換えるときは replace を指定）"))
        return {handles[handle] for handle in found}

    def _declared(self, index: int, item: Mapping[str, Any]) -> None:
        path = f"insurers[{index}]"
        try:
            number = normalize_insurer_number(item["number"], field=f"{path}.number")
            kind = insurer_kind(number, field=f"{path}.number")
        except InvalidInput as error:
            self.fail(error)
            return
        known = self.known.get(number) or self.repo.get_insurer(number)
        if known is not None and known.name != item["name"]:
            self.fail(InvalidInput(f"{path}.name", f"保険者 {number} はすでに「{known.name}」"
                                                   f"です: {shown(item['name'])}"))
        elif known is None:
            self._add(Insurer(number, item["name"], kind))
        else:
            self.known[number] = known

    def _add(self, insurer: Insurer) -> None:
        self.repo.add_insurer(insurer)
        self.known[insurer.number] = insurer
        self.counts["insurers"] += 1

    def _insurer(self, raw: Mapping[str, Any], path: str) -> None:
        """Know the insurer ``raw`` names: stored, else created (named from its kind)."""
        where = fields.at_path(path, "insurer")
        number = normalize_insurer_number(fields.text(raw, "insurer", path), field=where)
        if number in self.known:
            return
        stored = self.repo.get_insurer(number)
        if stored is not None:
            self.known[number] = stored
            return
        kind = insurer_kind(number, field=where)
        self._add(Insurer(number, f"{KINDS[kind]}（{number}）", kind))

    def _person(self, index: int, item: Mapping[str, Any]) -> None:
        path = f"persons[{index}]"
        person = Person(name=item["name"], kana=item["kana"], birthdate=_UNKNOWN_DAY,
                        sex=fields.sex(item, "sex", path), address=item["address"],
                        post_number=item.get("post_number"))
        try:
            person = replace(person, birthdate=fields.day(item, "birthdate", path))
        except InvalidInput as error:  # its records are still read, against a stand-in
            self.fail(error)
        else:
            person = replace(person, id=self.repo.add_person(person, handle=item["id"]))
            self.counts["persons"] += 1
        for number, raw in enumerate(item.get("qualifications", [])):
            self._qualification(raw, f"{path}.qualifications[{number}]", person)
        for number, raw in enumerate(item.get("drugs", [])):
            self._try(lambda raw=raw, number=number: self._drug(
                raw, f"{path}.drugs[{number}]", person), "drugs")
        if person.id is None:
            return  # checkups depend on the age, and a card on the person being stored
        records = self.repo.records_of(person.id) if item.get("checkups") else []
        for number, raw in enumerate(item.get("checkups", [])):
            self._try(lambda raw=raw, number=number: self._checkup(
                raw, f"{path}.checkups[{number}]", person, records), "checkups")
        if "card" in item:
            self._try(lambda: self._card(item, path, person), "cards")

    def _try(self, write, kind: str) -> None:
        try:
            write()
        except InvalidInput as error:
            self.fail(error)
        else:
            self.counts[kind] += 1

    def _qualification(self, raw: Mapping[str, Any], path: str, person: Person) -> None:
        def write() -> None:
            self._insurer(raw, path)
            record = qualification(_with_defaults(raw), path, person=person,
                                   known=self.known.get)
            if person.id is not None:
                self.repo.add_qualification(record)

        self._try(write, "qualifications")

    def _drug(self, raw: Mapping[str, Any], path: str, person: Person) -> None:
        record = drug(raw, path, person_id=person.id, drugs=masters.drugs())
        if person.id is not None:
            self.repo.add_drug(record)

    def _checkup(self, raw: Mapping[str, Any], path: str, person: Person, records) -> None:
        if raw.get("insurer") is not None:
            self._insurer(raw, path)
        self.repo.add_checkup(checkup(
            raw, path, person=person, records=records, items=masters.checkup_items(),
            known=self.known.get,
            upload_days=lambda kind: self.profiles.of(kind).checkup_upload_days))

    def _card(self, item: Mapping[str, Any], path: str, person: Person) -> None:
        if self.jpki is None:
            raise InvalidInput(f"{path}.card", "カードの発行には JPKI CA（pki_dir）が必要です。")
        self.cards[item["id"]] = issue_card_of(self.repo, self.jpki, item["card"],
                                               f"{path}.card", person_id=person.id,
                                               now=self.now)
