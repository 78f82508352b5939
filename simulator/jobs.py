"""Housekeeping jobs (docs/architecture.md): named, thin, runnable by hand, fired by one scheduler.

A job tells insurers what the registry shows — records on hold (保留通知), filings registered
past the legal delay (届出遅延) — by writing rows of ``notices``. Lookups never read notices, so
an answer never depends on whether a job ran. Each notice has a unique key, so a second run, or
a run in another process at the same time, writes nothing twice. Each record is handled in its
own transaction: one that fails is logged and skipped, the others go on.

The scheduler fires every job at its wall-clock interval, in exactly one process per database:
that process holds the *lease* (:mod:`simulator.lease`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Connection, Engine, String, cast, exists, insert, literal, or_, select
from sqlalchemy.exc import IntegrityError

from .clock import Clock, SimulatedClock, wall_now
from .config import Settings
from .lease import SchedulerLease, acquire_lease
from .registry import orm
from .registry.errors import InvalidInput, NotFound
from .registry.identifiers import normalize_insurer_number
from .registry.model import JST
from .store import SqlUnitOfWork

__all__ = [
    "JOBS",
    "Job",
    "SchedulerLease",
    "acquire_lease",
    "build_scheduler",
    "get_job",
    "hold_message",
    "late_message",
    "run_job",
]

log = logging.getLogger(__name__)

UowFactory = Callable[[], SqlUnitOfWork]

_n, _h, _q, _e = orm.notices, orm.holds, orm.qualifications, orm.events


@dataclass(frozen=True)
class Job:
    """A named job; ``run(*, uow_factory, clock, settings)`` returns how many records it
    handled."""

    name: str
    description: str
    interval_seconds: int
    run: Callable[..., int]
    unit: str = "notice"  # what its count counts, for the log


# -- queries -------------------------------------------------------------------------------------


def _no_notice(kind: str, id_column) -> Any:
    key = literal(f"{kind}:") + cast(id_column, String)
    return ~exists().where(_n.c.key == key)


def pending_holds(connection: Connection, now: dt.datetime) -> list[Any]:
    """Holds in force at ``now`` that no notice names yet, with their record; oldest first."""
    statement = (
        select(_h.c.id, _h.c.reason, _q.c.id.label("qualification_id"), _q.c.insurer_number,
               _q.c.symbol, _q.c.number, _q.c.branch, _q.c.name)
        .join(_q, _q.c.id == _h.c.qualification_id)
        .where(_h.c.held_from <= now, or_(_h.c.held_until.is_(None), _h.c.held_until > now),
               _no_notice("hold", _h.c.id))
        .order_by(_h.c.held_from, _h.c.id)
    )
    return connection.execute(statement).all()


def pending_late_filings(connection: Connection, now: dt.datetime) -> list[Any]:
    """Late events OQS knows of at ``now`` that no notice names yet; oldest first."""
    statement = (
        select(_e.c.id, _e.c.kind, _e.c.at, _e.c.person_id, _e.c.params, _e.c.registered_at)
        .where(_e.c.late.is_(True), _e.c.registered_at <= now, _no_notice("late", _e.c.id))
        .order_by(_e.c.registered_at, _e.c.id)
    )
    return connection.execute(statement).all()


def _new_insurer(params: Any) -> str | None:
    to = params.get("to") if isinstance(params, Mapping) else None
    number = to.get("insurer") if isinstance(to, Mapping) else None
    if not isinstance(number, str | int) or isinstance(number, bool):
        return None
    with contextlib.suppress(InvalidInput):
        return normalize_insurer_number(str(number), field="to.insurer")
    return None


def concerned_record(connection: Connection, event: Any) -> Any:
    """The record a filing concerns: the person's under the new insurer, else their latest.

    The person is the newborn or the dependent when the event names one.
    :raises LookupError: when the person has no record at all.
    """
    params = event.params if isinstance(event.params, Mapping) else {}
    person_id = (params.get("child_person_id") or params.get("dependent_person_id")
                 or event.person_id)
    latest = (select(_q.c.id, _q.c.insurer_number, _q.c.name)
              .where(_q.c.person_id == person_id)
              .order_by(_q.c.valid_from.desc(), _q.c.id.desc()))
    insurer = _new_insurer(params)
    found = None
    if insurer is not None:
        found = connection.execute(latest.where(_q.c.insurer_number == insurer)).first()
    found = found or connection.execute(latest).first()
    if found is None:
        raise LookupError(f"event {event.id}: person {person_id} has no record to notify")
    return found


# -- messages (Japanese: the insurer reads them) -------------------------------------------------

_EVENT_NAMES = {
    "job_change": "転職", "retire_to_kokuho": "退職（国民健康保険への加入）",
    "turn_75": "後期高齢者医療制度への移行", "death": "死亡", "welfare_start": "生活保護の開始",
    "birth": "出生", "dependent_add": "被扶養者の追加", "ratio_change": "負担割合の変更",
}


def hold_message(hold: Any) -> str:
    """The 保留通知 text: which record is held and the mismatch that holds it."""
    key = " ".join(part for part in (
        f"記号 {hold.symbol}" if hold.symbol else "", f"番号 {hold.number}",
        f"枝番 {hold.branch}" if hold.branch else "") if part)
    return (f"保留通知：{hold.name} 様の資格情報（保険者番号 {hold.insurer_number} {key}）は"
            f"連携保留中です。保留理由：{hold.reason or '記載なし'}。"
            "住民基本台帳の情報と照合のうえ、確認または訂正してください。")


def late_message(event: Any, record: Any) -> str:
    """The 届出遅延 text: which filing came in past 事業主5日＋保険者5日, and when."""
    what = _EVENT_NAMES.get(event.kind, event.kind)
    happened = event.at.astimezone(JST)
    registered = event.registered_at.astimezone(JST)
    return (f"届出遅延：{record.name} 様の{what}（{happened:%Y-%m-%d}）の届出は法定の期限"
            f"（事業主5日＋保険者5日）を過ぎ、{registered:%Y-%m-%d %H:%M} に登録されました。"
            "届出が遅れた理由を確認してください。")


# -- the jobs ------------------------------------------------------------------------------------


def _hold_notice(connection: Connection, hold: Any) -> dict[str, Any]:
    return {"insurer_number": hold.insurer_number, "qualification_id": hold.qualification_id,
            "message": hold_message(hold)}


def _late_notice(connection: Connection, event: Any) -> dict[str, Any]:
    record = concerned_record(connection, event)
    return {"insurer_number": record.insurer_number, "qualification_id": record.id,
            "message": late_message(event, record)}


def _notify_each(kind: str, pending, notice, *, uow_factory: UowFactory, clock: Clock) -> int:
    """Write one notice per pending row, each in its own transaction; return how many."""
    now = clock.now()
    with uow_factory() as uow:
        rows = pending(uow.connection, now)
    written = 0
    for row in rows:
        key = f"{kind}:{row.id}"
        try:
            with uow_factory() as uow:
                values = notice(uow.connection, row)
                uow.connection.execute(
                    insert(_n).values(key=key, kind=kind, business_at=now, **values))
                uow.commit()
        except IntegrityError as error:  # another run wrote it first (or the record went)
            log.info("notice %s not written: %s", key, str(error.orig).splitlines()[0])
            continue
        except Exception:
            log.exception("notice %s failed; the other records go on", key)
            continue
        written += 1
    return written


def hold_notices(*, uow_factory: UowFactory, clock: Clock, settings: Settings) -> int:
    """Tell the insurer of each record on hold at business now, once per hold (保留通知)."""
    return _notify_each("hold", pending_holds, _hold_notice, uow_factory=uow_factory, clock=clock)


def late_filings(*, uow_factory: UowFactory, clock: Clock, settings: Settings) -> int:
    """Tell the insurer of each filing registered past the legal delay, once per event."""
    return _notify_each("late", pending_late_filings, _late_notice, uow_factory=uow_factory,
                        clock=clock)


def bulk_queries(*, uow_factory: UowFactory, clock: Clock, settings: Settings) -> int:
    """Process pending 一括照会 items, oldest upload first, at most ``bulk_items_per_run``."""
    from .bulk_job import process

    return process(uow_factory=uow_factory, clock=clock, settings=settings)


JOBS: Mapping[str, Job] = {job.name: job for job in (
    Job("hold_notices", "保留通知: notify insurers of records on hold", 60, hold_notices),
    Job("late_filings", "届出遅延: notify insurers of filings past 5+5 days", 300, late_filings),
    Job("bulk_queries", "一括照会: process uploaded bulk queries", 2, bulk_queries, "item"),
)}


def get_job(name: str) -> Job:
    """:raises NotFound: for a name that is not a job."""
    job = JOBS.get(name)
    if job is None:
        raise NotFound(f"no job {name!r}; jobs: {', '.join(JOBS)}")
    return job


def run_job(name: str, *, engine: Engine, clock: Clock, settings: Settings | None = None) -> int:
    """Run the job ``name`` once on ``engine`` at the clock's business now; return its count.

    :raises NotFound: for a name that is not a job.
    """
    job = get_job(name)
    count = job.run(uow_factory=lambda: SqlUnitOfWork(engine), clock=clock,
                    settings=settings or Settings())
    log.log(logging.INFO if count else logging.DEBUG, "%s: %d %s%s", name, count, job.unit,
            "" if count == 1 else "s")
    return count


# -- the scheduler -------------------------------------------------------------------------------


def build_scheduler(
    engine: Engine, *, clock: Clock | None = None, blocking: bool, every: float | None = None,
    lock: threading.Lock | None = None, settings: Settings | None = None,
) -> BackgroundScheduler | BlockingScheduler:
    """A scheduler firing each job at once, then every ``interval_seconds`` of wall time.

    ``every`` overrides every interval (tests); ``lock`` is held while a job runs. The
    scheduler does not take the lease: its owner does, with :func:`acquire_lease`, first.
    """
    clock = clock or SimulatedClock(engine)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=dt.UTC)
    first = wall_now()
    for job in JOBS.values():
        scheduler.add_job(
            _fire, "interval", seconds=every or job.interval_seconds, args=(job.name,),
            kwargs={"engine": engine, "clock": clock, "lock": lock, "settings": settings},
            id=job.name, name=job.name,
            next_run_time=first, coalesce=True, max_instances=1, misfire_grace_time=None)
    return scheduler


def _fire(name: str, *, engine: Engine, clock: Clock, lock: threading.Lock | None,
          settings: Settings | None) -> int:
    with lock or contextlib.nullcontext():
        return run_job(name, engine=engine, clock=clock, settings=settings)
