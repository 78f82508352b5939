"""Use cases of 一括照会: accept an upload, process pending items, answer a download.

Knowledge and time (documented in the README): each item is evaluated for the job's
QualificationConfirmationDate with what OQS knows at the business time the job *processes* it,
not when it was uploaded — a job uploaded during a registration lag and processed after it sees
the new record, as the real asynchronous system would.

Processing is idempotent: each batch of items is evaluated and stored in one transaction with
its audit entries, an item's unit is written only if it has none, and the job's progress is
recounted from the stored units. A crash mid-batch rolls the batch back; the next run redoes it.
A second worker that finds part of its batch already stored rolls its batch back (no audit
entry twice) and stops. Nothing is lost and nothing is stored twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..clock import Clock
from ..registry import rules
from ..registry.errors import InvalidInput, MalformedMessage, MissingField, OqsError
from ..registry.identifiers import parse_date
from ..registry.lookup import AuditEntry, Confirmation, InsuranceCardQuery
from ..registry.queries import insurance_card_query
from ..registry.services import UnitOfWork
from .model import MALFORMED, BulkJob, JobState

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["TooManyItems", "ReceptionUnknown", "BulkDownload", "accept_upload", "download",
           "process_pending", "Render"]

#: Renders one item's BulkConfirmUnit: (search, confirmation or None, refusal or None) → a
#: JSON-storable message tree, and whether it is a normal result.
Render = Callable[[Mapping[str, str], Confirmation | None, InvalidInput | None], tuple[Any, bool]]


class TooManyItems(InvalidInput):
    """More QualificationConfirmSearchInfo than the configured maximum (``limit``)."""

    code = "too_many_items"

    def __init__(self, limit: int, count: int) -> None:
        super().__init__("/XmlMsg/MessageBody/QualificationConfirmSearchInfo",
                         f"{count} items, more than {limit}")
        self.limit = limit


class ReceptionUnknown(OqsError):
    """No job of that 受付番号 for this institution (never, another's, or expired)."""

    code = "reception_number_unknown"


@dataclass(frozen=True, slots=True)
class BulkDownload:
    job: BulkJob
    state: JobState
    as_of: dt.datetime
    units: tuple[tuple[Any, bool], ...] = ()  # (unit, normal) in file order, when done

    @property
    def normal(self) -> int:
        return sum(1 for _, ok in self.units if ok)


def _reception_number(repo: Repository, received_at: dt.datetime) -> str:
    """A fresh 受付番号: the day and 8 random digits (16 digits; not guessable)."""
    while True:
        number = f"{received_at:%Y%m%d}{secrets.randbelow(10**8):08d}"
        if not repo.reception_taken(number):
            return number


def accept_upload(*, uow: UnitOfWork, clock: Clock, institution: str,
                  header: Mapping[str, str], items: Sequence[Mapping[str, str]],
                  max_items: int) -> BulkJob:
    """Queue an upload; return the job with its 受付番号 and 受付日時.

    Items are not validated here: a bad item becomes an error unit when processed.

    :raises MissingField: no item, or no QualificationConfirmationDate.
    :raises DateFormatError: a QualificationConfirmationDate that is not a date.
    :raises TooManyItems: more than ``max_items``.
    """
    field = "/XmlMsg/MessageHeader/QualificationConfirmationDate"
    confirm_date = header.get("QualificationConfirmationDate")
    if not confirm_date:
        raise MissingField(field, "この要素は必須です。")
    parse_date(confirm_date, field="QualificationConfirmationDate")
    if not items:
        raise MissingField("/XmlMsg/MessageBody/QualificationConfirmSearchInfo",
                           "照会対象を1件以上設定してください。")
    if len(items) > max_items:
        raise TooManyItems(max_items, len(items))
    received_at = clock.now()
    with uow:
        job = BulkJob(_reception_number(uow.repo, received_at), institution, confirm_date,
                      len(items), received_at, header.get("ArbitraryFileIdentifier") or None)
        job = replace(job, id=uow.repo.add_bulk_job(job, items))
        uow.commit()
    return job


def download(*, uow: UnitOfWork, clock: Clock, institution: str,
             reception_number: str) -> BulkDownload:
    """Where the institution's job stands, with its units once done.

    :raises ReceptionUnknown: no such job for this institution, or its results expired.
    """
    now = clock.now()
    with uow:
        job = uow.repo.bulk_job(reception_number, institution=institution)
        state = None if job is None else job.state(now)
        if job is None or state is JobState.EXPIRED:
            raise ReceptionUnknown(f"受付番号 {reception_number}")
        units = tuple(uow.repo.bulk_units(job.id)) if state is JobState.DONE else ()
    return BulkDownload(job, state, now, units)


def _evaluate(repo: Repository, job: BulkJob, batch: list[tuple[int, dict[str, str]]], *,
              as_of: dt.datetime, render: Render
              ) -> tuple[list[tuple[int, Any, bool]], list[AuditEntry]]:
    queries: list[tuple[int, dict[str, str], InsuranceCardQuery | InvalidInput]] = []
    for seq, search in batch:
        if MALFORMED in search:
            path, _, reason = search[MALFORMED].partition(": ")
            queries.append((seq, search, MalformedMessage(path, reason)))
            continue
        try:
            queries.append((seq, search, insurance_card_query(
                search, confirm_date=job.confirm_date)))
        except InvalidInput as error:
            queries.append((seq, search, error))
    found = repo.candidates_many(
        (q.insurer_number, q.number, q.birthdate) for _, _, q in queries
        if isinstance(q, InsuranceCardQuery))
    outcomes: list[tuple[int, dict[str, str], Confirmation | None, InvalidInput | None]] = []
    for seq, search, query in queries:
        if isinstance(query, InvalidInput):
            outcomes.append((seq, search, None, query))
            continue
        records = found[(query.insurer_number, query.number, query.birthdate)]
        outcomes.append((seq, search, rules.confirm_by_insurance_card(
            records, query=query, as_of=as_of), None))
    persons = sorted({q.person_id for _, _, c, _ in outcomes if c for q in c.results})
    numbers = repo.reference_numbers(institution=job.institution, person_ids=persons)
    previous = repo.last_confirmations(institution=job.institution, person_ids=persons,
                                       before=as_of)
    units, audits = [], []
    for seq, search, confirmation, error in outcomes:
        if confirmation is not None:
            shown = [q.person_id for q in confirmation.results]
            records = found[(confirmation.query.insurer_number, confirmation.query.number,
                             confirmation.query.birthdate)]
            own = tuple((p, numbers[p]) for p in shown if p in numbers)
            unchanged = tuple(p for p in shown if not rules.limit_certificate_changed(
                records, person_id=p, day=confirmation.query.confirm_date, as_of=as_of,
                previous=previous.get(p)))
            if own or unchanged:
                confirmation = replace(confirmation, reference_numbers=own,
                                       limit_unchanged=unchanged)
            audits += [AuditEntry(as_of, job.institution, "qualification", "bulk",
                                  person_id=person_id, count=len(shown))
                       for person_id in shown or [None]]
        unit, normal = render(search, confirmation, error)
        units.append((seq, unit, normal))
    return units, audits


@contextlib.contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs. A batch allocates some hundred thousand
    small objects (records, message nodes, rows) that live until it ends; the collector's
    passes over them meanwhile free nothing and cost about a tenth of the job's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def process_pending(*, uow_factory: Callable[[], UnitOfWork], clock: Clock, render: Render,
                    limit: int, batch: int = 2000,
                    retention: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Process up to ``limit`` pending items, oldest job first, ``batch`` items per
    transaction; return how many were processed."""
    done = 0
    with uow_factory() as uow:
        jobs = uow.repo.unfinished_bulk_jobs()
    for job in jobs:
        while done < limit:
            wanted = min(batch, limit - done)
            with _cycles_collected_after(), uow_factory() as uow:
                pending = uow.repo.pending_bulk_items(job.id, wanted)
                as_of = clock.now()
                units, audits = _evaluate(uow.repo, job, pending, as_of=as_of, render=render)
                if uow.repo.save_bulk_units(job.id, units) < len(units):
                    return done  # another worker stored part of this batch: leave it to it
                uow.repo.add_audits(audits)
                uow.repo.update_bulk_progress(job.id, at=as_of, retention=retention)
                uow.commit()
            done += len(units)
            if len(pending) < wanted:  # the job has no more pending items
                break
    return done
