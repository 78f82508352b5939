"""Housekeeping jobs on a real store: their notices, per-record errors, the lease, and the
time model's promise — a lookup gives the same answer whether or not the jobs ran."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import replace

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import insert, select

from simulator import jobs, schema
from simulator.clock import FixedClock
from simulator.registry import services
from simulator.registry.errors import NotFound
from simulator.registry.model import Hold, ReasonOfLoss, Validity
from simulator.store import SqlUnitOfWork
from tests.builders import KOKUHO, KUMIAI, KYOKAI, at, held, person, query, record

NOW = at(2026, 4, 6, 12)
HELD_FROM = at(2026, 4, 1)
JOB_CHANGE = dt.date(2026, 4, 1)
LOSS_REGISTERED = at(2026, 4, 4)
GAIN_REGISTERED = at(2026, 4, 9)  # after NOW: the new card is not known yet
DEATH = dt.date(2026, 3, 10)
DEATH_REGISTERED = at(2026, 3, 25)  # 15 days: a late filing
CLINIC_CODE = "1311000002"  # the institution that looks up (audit trail)


def store(engine, *records_by_person):
    """One person per list with its records; return the stored records (ids set) in order."""
    stored = []
    with SqlUnitOfWork(engine) as uow:
        for insurer in (KUMIAI, KYOKAI, KOKUHO):
            uow.repo.add_insurer(insurer)
        for records in records_by_person:
            person_id = uow.repo.add_person(person())
            for r in records:
                r = replace(r, person_id=person_id)
                stored.append(replace(r, id=uow.repo.add_qualification(r)))
        uow.commit()
    return stored


def late_event(engine, person_id, *, kind="job_change", params=None, registered_at, late=True):
    with SqlUnitOfWork(engine) as uow:
        event_id = uow.repo.add_event(kind=kind, at=at(2026, 3, 10), params=params or {},
                                      person_id=person_id, scenario=None,
                                      registered_at=registered_at, late=late)
        uow.commit()
    return event_id


def notices(engine):
    with engine.connect() as connection:
        return connection.execute(select(schema.notices).order_by(schema.notices.c.key)).all()


def run(engine, name, now=NOW):
    return jobs.run_job(name, engine=engine, clock=FixedClock(now))


# -- hold_notices --------------------------------------------------------------------------------


def test_a_hold_in_force_gets_one_notice_naming_its_reason(engine) -> None:
    (stored,) = store(engine, [held(record(), HELD_FROM)])
    (hold_id,) = _hold_ids(engine)

    first = run(engine, "hold_notices")
    second = run(engine, "hold_notices")

    (notice,) = notices(engine)
    assert (first, second) == (1, 0)
    assert (notice.key, notice.kind, notice.insurer_number, notice.qualification_id) == (
        f"hold:{hold_id}", "hold", KUMIAI.number, stored.id)
    assert notice.business_at == NOW
    assert "住所不一致" in notice.message and "番号 5678" in notice.message


def _hold_ids(engine):
    with engine.connect() as connection:
        holds = schema.holds
        return connection.execute(select(holds.c.id).order_by(holds.c.id)).scalars().all()


def test_holds_not_in_force_at_business_now_get_no_notice(engine) -> None:
    store(engine, [held(record(number="1"), at(2026, 4, 7))],  # starts tomorrow
          [held(record(number="2"), HELD_FROM, at(2026, 4, 5))])  # released yesterday

    assert run(engine, "hold_notices") == 0
    assert notices(engine) == []


def test_a_record_that_fails_is_logged_and_the_others_are_notified(
    engine, monkeypatch, caplog
) -> None:
    store(engine, [held(record(number="1111"), HELD_FROM)],
          [held(record(number="2222"), HELD_FROM)])
    real = jobs.hold_message

    def broken_for_1111(hold):
        if hold.number == "1111":
            raise ValueError("cannot build this message")
        return real(hold)

    monkeypatch.setattr(jobs, "hold_message", broken_for_1111)
    with caplog.at_level(logging.ERROR, logger="simulator.jobs"):
        written = run(engine, "hold_notices")
    monkeypatch.setattr(jobs, "hold_message", real)
    retried = run(engine, "hold_notices")

    assert (written, retried) == (1, 1)
    assert "failed; the other records go on" in caplog.text
    assert "cannot build this message" in caplog.text
    assert len(notices(engine)) == 2


def test_a_notice_another_run_wrote_first_is_not_written_twice(engine, monkeypatch) -> None:
    (stored,) = store(engine, [held(record(), HELD_FROM)])
    real = jobs.pending_holds

    def raced(connection, now):  # another process writes the notice after this one looked
        rows = real(connection, now)
        with engine.begin() as other:
            other.execute(insert(schema.notices).values(
                key=f"hold:{rows[0].id}", kind="hold", insurer_number=KUMIAI.number,
                qualification_id=stored.id, business_at=now, message="先に書いた通知"))
        return rows

    monkeypatch.setattr(jobs, "pending_holds", raced)

    assert run(engine, "hold_notices") == 0
    assert [n.message for n in notices(engine)] == ["先に書いた通知"]


# -- late_filings --------------------------------------------------------------------------------


def test_a_late_job_change_is_notified_once_to_the_new_insurer(engine) -> None:
    old, new = store(engine, [
        record(valid_to=JOB_CHANGE, loss_registered_at=LOSS_REGISTERED),
        record(insurer=KYOKAI, symbol="7001", number="88", valid_from=JOB_CHANGE,
               registered_at=LOSS_REGISTERED)])
    event_id = late_event(engine, old.person_id, params={"to": {"insurer": KYOKAI.number}},
                          registered_at=LOSS_REGISTERED)

    first = run(engine, "late_filings")
    second = run(engine, "late_filings")

    (notice,) = notices(engine)
    assert (first, second) == (1, 0)
    assert (notice.key, notice.kind, notice.insurer_number, notice.qualification_id) == (
        f"late:{event_id}", "late", KYOKAI.number, new.id)
    assert "転職（2026-03-10）" in notice.message and "2026-04-04 10:00" in notice.message


def test_a_late_death_is_notified_to_the_insurer_of_the_latest_record(engine) -> None:
    (dead,) = store(engine, [record(valid_to=DEATH + dt.timedelta(days=1),
                                    reason_of_loss=ReasonOfLoss.DEATH,
                                    loss_registered_at=DEATH_REGISTERED)])
    late_event(engine, dead.person_id, kind="death", registered_at=DEATH_REGISTERED)

    assert run(engine, "late_filings") == 1
    (notice,) = notices(engine)
    assert (notice.insurer_number, notice.qualification_id) == (KUMIAI.number, dead.id)
    assert "死亡" in notice.message


def test_only_late_filings_known_at_business_now_are_notified(engine) -> None:
    (stored,) = store(engine, [record()])
    late_event(engine, stored.person_id, registered_at=at(2026, 4, 7))  # known tomorrow
    late_event(engine, stored.person_id, registered_at=LOSS_REGISTERED, late=False)

    assert run(engine, "late_filings") == 0
    assert run(engine, "late_filings", now=at(2026, 4, 7)) == 1


def test_a_late_filing_of_a_person_without_records_is_skipped(engine, caplog) -> None:
    (stored,) = store(engine, [record()])
    with SqlUnitOfWork(engine) as uow:
        nobody = uow.repo.add_person(person(name="記録　なし"))
        uow.commit()
    late_event(engine, nobody, registered_at=LOSS_REGISTERED)
    late_event(engine, stored.person_id, registered_at=LOSS_REGISTERED)

    with caplog.at_level(logging.ERROR, logger="simulator.jobs"):
        assert run(engine, "late_filings") == 1

    assert f"person {nobody} has no record to notify" in caplog.text


def test_an_unknown_job_is_not_found(engine) -> None:
    with pytest.raises(NotFound, match="no job 'vacuum'; jobs: hold_notices, late_filings"):
        run(engine, "vacuum")


# -- the lease -----------------------------------------------------------------------------------


def test_a_second_lease_on_the_same_database_waits_for_the_first_to_be_released(engine) -> None:
    first = jobs.acquire_lease(engine)
    second = jobs.acquire_lease(engine)
    first.release()
    third = jobs.acquire_lease(engine)
    third.release()

    assert first is not None and second is None and third is not None


# -- lookups never depend on the jobs ----------------------------------------------------------


def _run_the_scheduler_once(engine, clock) -> None:
    """Start a background scheduler with a tiny interval; return once every job ran."""
    ran, errors, done = set(), [], threading.Event()

    def listen(event) -> None:
        ran.add(event.job_id)
        if event.exception is not None:
            errors.append(event.exception)
        if ran == set(jobs.JOBS):
            done.set()

    scheduler = jobs.build_scheduler(engine, clock=clock, blocking=False, every=0.05)
    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        assert done.wait(timeout=10), f"only {sorted(ran)} ran"
    finally:
        scheduler.shutdown(wait=True)
    assert errors == []


def test_a_lookup_gives_the_same_answer_whether_or_not_the_jobs_ran(engine) -> None:
    valid, on_hold, old, new, dead = store(
        engine,
        [record(number="1001")],
        [record(number="1002", holds=(Hold(HELD_FROM, None, "カナ氏名不一致"),))],
        [record(number="1003", valid_to=JOB_CHANGE, reason_of_loss=ReasonOfLoss.OTHER,
                loss_registered_at=LOSS_REGISTERED),
         record(insurer=KYOKAI, symbol="7001", number="88", valid_from=JOB_CHANGE,
                registered_at=GAIN_REGISTERED)],
        [record(number="1004", valid_to=DEATH + dt.timedelta(days=1),
                reason_of_loss=ReasonOfLoss.DEATH, loss_registered_at=DEATH_REGISTERED)],
    )
    late_event(engine, dead.person_id, kind="death", registered_at=DEATH_REGISTERED)
    clock = FixedClock(NOW)
    cards = [query(r, day=NOW.date()) for r in (valid, on_hold, old, new, dead)]

    def look_up_all():
        return [services.confirm_by_insurance_card(uow=SqlUnitOfWork(engine), clock=clock,
                                                   query=q, institution=CLINIC_CODE)
                for q in cards]

    before = look_up_all()
    _run_the_scheduler_once(engine, clock)
    after_the_scheduler = look_up_all()
    counts = {name: jobs.run_job(name, engine=engine, clock=clock) for name in jobs.JOBS}
    after_by_hand = look_up_all()

    assert [c.validity for c in before] == [
        Validity.VALID, Validity.NOT_FOUND, Validity.INVALID, Validity.NOT_FOUND,
        Validity.INVALID]
    assert after_the_scheduler == before
    assert after_by_hand == before
    assert counts == {"hold_notices": 0, "late_filings": 0, "bulk_queries": 0}  # all done
    assert [n.kind for n in notices(engine)] == ["hold", "late"]
