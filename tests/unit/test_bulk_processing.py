"""process_pending with a fake store: what it commits, and when it leaves a batch alone."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from simulator.bulk.model import BulkJob
from simulator.bulk.service import process_pending
from simulator.clock import FixedClock
from tests.builders import at

NOW = at(2026, 4, 1, 20, 0)
JOB = BulkJob("2026040112345678", "1311000002", "20260402", 3, NOW, id=1)
ITEM = {"InsurerNumber": "06130017", "InsuredIdentificationNumber": "5678",
        "Birthdate": "19850510"}


class FakeRepo:
    def __init__(self, *, taken_by_another: int = 0) -> None:
        self.pending = [(seq, dict(ITEM)) for seq in range(3)]
        self.taken_by_another = taken_by_another
        self.units: dict[int, object] = {}
        self.audits: list = []
        self.progress: list = []

    def unfinished_bulk_jobs(self):
        return [JOB]

    def pending_bulk_items(self, job_id, limit):
        return [p for p in self.pending if p[0] not in self.units][:limit]

    def candidates_many(self, keys):
        return {key: [] for key in keys}

    def reference_numbers(self, *, institution, person_ids):
        return {}

    def last_confirmations(self, *, institution, person_ids, before):
        return {}

    def save_bulk_units(self, job_id, units):
        stored = 0
        for seq, unit, _ in list(units)[self.taken_by_another:]:
            self.units[seq] = unit
            stored += 1
        return stored

    def add_audits(self, entries):
        self.audits += list(entries)

    def update_bulk_progress(self, job_id, *, at, retention):
        self.progress.append(at)


class FakeUow:
    def __init__(self, repo: FakeRepo, log: list[str]) -> None:
        self.repo, self.log = repo, log

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.log.append("end")

    def commit(self) -> None:
        self.log.append("commit")


def run(repo: FakeRepo, log: list[str], **options) -> int:
    return process_pending(uow_factory=lambda: FakeUow(repo, log), clock=FixedClock(NOW),
                           render=lambda search, confirmation, error: ("<u/>", error is None),
                           retention=dt.timedelta(hours=1), **options)


def test_each_batch_commits_its_units_audits_and_progress_together() -> None:
    repo, log = FakeRepo(), []

    assert run(repo, log, limit=10, batch=2) == 3

    assert sorted(repo.units) == [0, 1, 2]
    assert len(repo.audits) == 3  # nobody found: one entry each, without a person
    assert log.count("commit") == 2 and repo.progress == [NOW, NOW]


def test_a_batch_another_worker_has_partly_stored_is_left_uncommitted() -> None:
    repo, log = FakeRepo(taken_by_another=1), []

    assert run(repo, log, limit=10, batch=3) == 0

    assert "commit" not in log
    assert repo.audits == [] and repo.progress == []


def test_the_limit_caps_the_items_processed_in_one_run() -> None:
    repo, log = FakeRepo(), []

    assert run(repo, log, limit=2, batch=5) == 2
    assert sorted(repo.units) == [0, 1]


class CollectorWatchingRepo(FakeRepo):
    """Notes whether the cyclic garbage collector runs while a batch is evaluated."""

    def __init__(self, *, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail
        self.collector_on: list[bool] = []

    def candidates_many(self, keys):
        self.collector_on.append(gc.isenabled())
        if self.fail:
            raise RuntimeError("the store went away")
        return super().candidates_many(keys)


def test_no_cyclic_collection_during_a_batch_and_it_is_back_after() -> None:
    repo, log = CollectorWatchingRepo(), []

    run(repo, log, limit=10, batch=2)

    assert repo.collector_on == [False, False]
    assert gc.isenabled()


def test_the_collector_is_back_when_a_batch_fails() -> None:
    repo, log = CollectorWatchingRepo(fail=True), []

    with pytest.raises(RuntimeError):
        run(repo, log, limit=10, batch=2)

    assert repo.collector_on == [False] and gc.isenabled()
