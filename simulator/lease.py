"""The scheduler lease: exactly one process per database runs the scheduler (docs/architecture.md).

On PostgreSQL, a session advisory lock held on a dedicated connection (outside the pool, so a
forked worker never closes it); on SQLite, an exclusive ``flock`` on
``<database>.scheduler.lock``.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

__all__ = ["SchedulerLease", "acquire_lease"]


class SchedulerLease:
    """The right to run the scheduler on one database, held until :meth:`release`.

    ``session`` is a DBAPI connection holding a session advisory lock; it is kept out of the
    engine's pool, so that no pool (a forked child's copy included) ever closes it.
    """

    def __init__(self, *, fd: int | None = None, session: Any = None) -> None:
        self.fd, self.session = fd, session

    def release(self) -> None:
        """Let another process take the lease (ending the session ends its advisory lock)."""
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        if self.session is not None:
            self.session.close()
        self.drop()

    def drop(self) -> None:
        """In a forked child: let go of the inherited handle; the parent keeps the lease.

        Closing the file descriptor leaves the parent's ``flock``; a psycopg connection that is
        garbage-collected in a child does not end its parent's session.
        """
        if self.fd is not None:
            os.close(self.fd)
        self.fd = self.session = None


_LEASE_KEY = 0x4F51_5301  # "OQS" 1; the second key is the schema, so stores do not collide
_ADVISORY_LOCK = "SELECT pg_try_advisory_lock(%s, hashtext(coalesce(current_schema(), '')))"


def acquire_lease(engine: Engine) -> SchedulerLease | None:
    """Take the scheduler lease of ``engine``'s database; None when another process holds it."""
    if engine.dialect.name == "postgresql":
        return _advisory_lease(engine)
    return _file_lease(engine)


def _advisory_lease(engine: Engine) -> SchedulerLease | None:
    dialect = engine.dialect
    cargs, cparams = dialect.create_connect_args(engine.url)
    try:
        session = dialect.connect(*cargs, **cparams)
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error) from error
    try:
        session.autocommit = True
        with session.cursor() as cursor:
            cursor.execute(_ADVISORY_LOCK, (_LEASE_KEY,))
            (taken,) = cursor.fetchone()
    except BaseException:
        session.close()
        raise
    if not taken:
        session.close()
        return None
    return SchedulerLease(session=session)


def _file_lease(engine: Engine) -> SchedulerLease | None:
    database = engine.url.database
    if not database or database == ":memory:" or engine.url.query.get("mode") == "memory":
        return SchedulerLease()  # a private in-memory store: no other process can see it
    fd = os.open(f"{database}.scheduler.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return SchedulerLease(fd=fd)
