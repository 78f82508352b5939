"""``generate``: a population into the store, in batches of whole households, resumable.

A run is recorded in ``generation_runs`` with its plan. Each batch of whole households is
written and the run's progress updated in one transaction, so a stopped run (Ctrl-C, a kill, a
crash) leaves only whole households and a record of how far it got: running the same command
again resumes it. Asking again with the same seed for more persons extends a finished run; its
first N persons stay as they were.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import itertools
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from ..clock import Clock
from ..registry import orm
from ..registry.errors import Conflict, InvalidInput
from ..registry.model import JST
from .encode import COLUMNS, Encoder
from .generator import MAX_MEMBERS, MAX_RECORDS, Generated, Generator, Plan
from .insurers import catalogue
from .save import BulkWriter
from .tables import generation_runs as _runs

__all__ = ["GenerationResult", "generate", "MAX_SEED"]

MAX_SEED = 2**31 - 1
BATCH_HOUSEHOLDS = 1_000


@dataclass(frozen=True)
class GenerationResult:
    run: int
    seed: int
    today: dt.date
    persons: int  # persons of the run, in all
    added: int  # persons added by this call
    resumed: bool
    counts: dict[str, int]  # rows added by this call, per table


def _check(persons: object, seed: object) -> tuple[int, int]:
    if not isinstance(persons, int) or isinstance(persons, bool) or not 1 <= persons <= 10**8:
        raise InvalidInput("persons", "1〜100000000の整数にしてください。")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise InvalidInput("seed", f"0〜{MAX_SEED}の整数にしてください。")
    return persons, seed


def _next_id(connection: Connection, table) -> int:
    return (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _open_run(connection: Connection, *, seed: int, persons: int, today: dt.date):
    """The run to continue (same seed, unfinished or smaller), else a new one."""
    row = connection.execute(select(_runs).where(_runs.c.seed == seed)
                             .order_by(_runs.c.id.desc())).first()
    if row is not None and (row.finished_at is None or row.persons_done < persons):
        done = row.households_done + 1  # the next household may hold a part already
        if row.finished_at is not None and (
                _next_id(connection, orm.persons) > row.first_person_id + done * MAX_MEMBERS
                or _next_id(connection, orm.qualifications)
                > row.first_qualification_id + done * MAX_RECORDS):
            raise Conflict(f"シード{seed}の生成の後に人が追加されたため、続きを生成で"
                           "きません。別のシードを指定してください。")
        # a household cut short at the last N is made again, whole
        low = row.first_person_id + row.households_done * MAX_MEMBERS
        p = orm.persons
        cut = connection.execute(delete(p).where(p.c.id >= low, p.c.id < low + MAX_MEMBERS))
        persons_done = row.persons_done - cut.rowcount
        persons = max(persons, persons_done)
        connection.execute(update(_runs).where(_runs.c.id == row.id).values(
            persons=persons, persons_done=persons_done, finished_at=None))
        return SimpleNamespace(**{**row._mapping, "persons": persons,
                                  "persons_done": persons_done}), True
    if row is not None:
        return SimpleNamespace(**row._mapping), False  # complete with that many persons
    started = dt.datetime.now(dt.UTC)
    values = {"seed": seed, "persons": persons, "today": today,
              "first_person_id": _next_id(connection, orm.persons),
              "first_qualification_id": _next_id(connection, orm.qualifications),
              "households_done": 0, "persons_done": 0,
              "started_at": started}
    run_id = connection.execute(insert(_runs).values(values)).inserted_primary_key[0]
    row = connection.execute(select(_runs).where(_runs.c.id == run_id)).one()
    return SimpleNamespace(**row._mapping), False


def _add_insurers(connection: Connection, insurers) -> None:
    known = set(connection.execute(select(orm.insurers.c.number)).scalars())
    rows = [{"number": i.number, "name": i.name, "kind": i.kind.value}
            for i in insurers if i.number not in known]
    if rows:
        connection.execute(insert(orm.insurers), rows)


def generate(engine: Engine, *, clock: Clock, persons: int, seed: int = 1,
             as_of: dt.date | None = None, workers: int = 0,
             batch_households: int = BATCH_HOUSEHOLDS,
             on_progress: Callable[[int, int], None] | None = None) -> GenerationResult:
    """Generate (or resume, or extend) the run of ``seed`` up to ``persons`` persons.

    The population is drawn for ``as_of`` (default: the business date now; a resumed run keeps
    its own). ``workers`` > 0 makes households in that many processes while this one writes.
    """
    persons, seed = _check(persons, seed)
    today = as_of or clock.now().astimezone(JST).date()
    dialect = engine.dialect.name
    with engine.connect() as connection:
        with connection.begin():
            run, resumed = _open_run(connection, seed=seed, persons=persons, today=today)
            plan = Plan(seed, run.today, run.first_person_id, run.first_qualification_id)
            _add_insurers(connection, catalogue().all())
        counts = dict.fromkeys(COLUMNS, 0)
        done, target = run.persons_done, run.persons
        if on_progress:
            on_progress(done, target)
        writer = BulkWriter(connection)
        with _chunks(plan, dialect, workers, run.households_done,
                     max(1, batch_households)) as chunks:
            for chunk in chunks:
                if done >= target:
                    break
                chunk = _cut(chunk, target - done)
                done = _save(connection, writer, run.id, chunk, counts)
                if on_progress:
                    on_progress(done, target)
        with connection.begin():
            connection.execute(update(_runs).where(_runs.c.id == run.id)
                               .values(finished_at=dt.datetime.now(dt.UTC)))
            _advance_sequences(connection)
    return GenerationResult(run.id, seed, plan.today, done, done - run.persons_done, resumed,
                            counts)


def _cut(chunk: list[Generated], room: int) -> list[Generated]:
    """The chunk's households up to ``room`` persons, the last one cut short if need be."""
    kept = []
    for household in chunk:
        if room <= 0:
            break
        kept.append(household if household.persons <= room else household.first(room))
        room -= kept[-1].persons
    return kept


def _save(connection: Connection, writer: BulkWriter, run_id: int, chunk: list[Generated],
          counts: dict[str, int]) -> int:
    with connection.begin():
        for table in COLUMNS:
            rows = [row for household in chunk for row in household.rows[table]]
            writer.write(table, rows)
            counts[table] += len(rows)
        connection.execute(update(_runs).where(_runs.c.id == run_id).values(
            households_done=chunk[-1].index + (0 if chunk[-1].cut else 1),
            persons_done=_runs.c.persons_done + sum(h.persons for h in chunk)))
        return connection.execute(select(_runs.c.persons_done)
                                  .where(_runs.c.id == run_id)).scalar_one()


# -- making households, here or in worker processes --------------------------------------------

_worker: Generator | None = None


def _start_worker(plan: Plan, dialect: str) -> None:
    global _worker
    _worker = Generator(plan, Encoder(dialect))


def _make(start: int, stop: int) -> list[Generated]:
    return [_worker.household(index) for index in range(start, stop)]


@contextlib.contextmanager
def _chunks(plan: Plan, dialect: str, workers: int, start: int,
            size: int) -> Iterator[Iterator[list[Generated]]]:
    """Chunks of ``size`` households from ``start`` on, in order, without end."""
    if workers <= 0:
        generator = Generator(plan, Encoder(dialect))
        yield ([generator.household(i) for i in range(first, first + size)]
               for first in itertools.count(start, size))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, context, _start_worker, (plan, dialect)) as pool:
        def ordered() -> Iterator[list[Generated]]:
            firsts = itertools.count(start, size)
            pending = collections.deque(pool.submit(_make, f, f + size)
                                        for f in itertools.islice(firsts, workers + 1))
            while True:
                result = pending.popleft().result()
                first = next(firsts)
                pending.append(pool.submit(_make, first, first + size))
                yield result

        try:
            yield ordered()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: explicit ids do not move the serial sequences; move them past the rows."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("persons", "qualifications"):
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
