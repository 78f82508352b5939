"""The bulk job's batch lookup answers exactly what one lookup per key answers."""

from __future__ import annotations

import datetime as dt

from simulator.store import SqlUnitOfWork
from tests.e2e import world


def test_candidates_for_many_keys_equal_one_lookup_per_key(engine) -> None:
    world.build(engine)
    keys = [(world.KUMIAI.number, "5678", dt.date(1985, 5, 10)),  # one person
            (world.KUMIAI.number, "21", dt.date(2020, 6, 1)),  # twins: two persons
            (world.KYOKAI.number, "99", dt.date(1950, 1, 1)),  # a lost record
            (world.KUMIAI.number, "11", dt.date(1990, 1, 1)),  # old and new job
            (world.KUMIAI.number, "0000", dt.date(1985, 5, 10))]  # nobody

    with SqlUnitOfWork(engine) as uow:
        many = uow.repo.candidates_many(keys)
        one_by_one = {k: uow.repo.candidates(insurer=k[0], number=k[1], birthdate=k[2])
                      for k in keys}

    assert many == one_by_one
    assert [len(many[k]) for k in keys] == [1, 2, 1, 2, 0]
