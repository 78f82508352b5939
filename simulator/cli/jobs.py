"""``oqs-sim jobs list|run NAME`` and ``oqs-sim scheduler``; the scheduler of ``oqs-sim serve``."""

from __future__ import annotations

import logging
import os
import signal
import threading

import click
from sqlalchemy.pool import NullPool

from ..clock import SimulatedClock
from ..config import Settings
from ..db import make_engine
from ..jobs import JOBS, acquire_lease, build_scheduler, get_job, run_job
from ..logs import log_to_stderr
from ..registry.errors import NotFound
from .common import Commands, db_option, engine_of, settings_of

__all__ = ["jobs", "scheduler", "MasterScheduler"]

BUSY = "another process already runs the scheduler on this database"


@click.group(cls=Commands)
def jobs() -> None:
    """Jobs (notices to insurers, 一括照会 processing), runnable by hand."""


@jobs.command("list")
def jobs_list() -> None:
    """Print each job's name, interval and description."""
    for job in JOBS.values():
        click.echo(f"{job.name:<14} every {job.interval_seconds:>4}s  {job.description}")


@jobs.command("run")
@click.argument("name")
@db_option
@click.pass_context
def jobs_run(ctx: click.Context, name: str, db: str | None) -> None:
    """Run the job NAME once at business now and print how many records it handled."""
    try:
        job = get_job(name)
    except NotFound as error:
        raise click.ClickException(error.message) from None
    with engine_of(ctx, db, migrated=True) as engine:
        count = run_job(name, engine=engine, clock=SimulatedClock(engine),
                        settings=settings_of(ctx, db))
    click.echo(f"{name}: {count} {job.unit}{'' if count == 1 else 's'}")


class _Stopped(BaseException):
    """SIGTERM or SIGINT arrived (a BaseException, so no ``except Exception`` swallows it)."""


def _stop(signum, frame) -> None:
    signal.signal(signum, signal.SIG_DFL)  # a second signal ends the process at once
    raise _Stopped


@click.command()
@db_option
@click.pass_context
def scheduler(ctx: click.Context, db: str | None) -> None:
    """Run the jobs on their intervals until SIGTERM or Ctrl-C (one scheduler per database)."""
    with engine_of(ctx, db, migrated=True) as engine:
        _log_to_stderr(settings_of(ctx, db).log_level)
        lease = acquire_lease(engine)
        if lease is None:
            raise click.ClickException(BUSY)
        try:
            _run_until_stopped(build_scheduler(engine, blocking=True,
                                               settings=settings_of(ctx, db)))
        finally:
            lease.release()
    click.echo("scheduler stopped")


def _log_to_stderr(level: str) -> None:
    log_to_stderr(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _run_until_stopped(blocking) -> None:
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"scheduler running: {', '.join(JOBS)}")
    try:
        blocking.start()
    except _Stopped:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if blocking.running:
            blocking.shutdown(wait=True)  # let a running job finish


class MasterScheduler:
    """The jobs' scheduler in gunicorn's master process (its hooks), never in a worker.

    Workers are forked while the scheduler's thread lives: a fork waits until no job is running
    (a job holds database-library state a child would inherit), and each child closes the
    inherited lease handle, so the lease ends with the master.
    """

    def __init__(self, database_url: str, settings: Settings | None = None) -> None:
        self.database_url = database_url
        self.settings = settings
        self.engine = self.lease = self.scheduler = None
        self.idle = threading.Lock()

    def hooks(self) -> dict:
        return {"when_ready": self.start, "on_exit": self.stop}

    def start(self, server) -> None:
        if self.engine is not None:
            return
        self.engine = make_engine(self.database_url, poolclass=NullPool)
        try:
            self.lease = acquire_lease(self.engine)
        except Exception:
            server.log.exception("scheduler: the lease cannot be taken; serving without one")
            return
        if self.lease is None:
            server.log.info("scheduler: %s; serving without one", BUSY)
            return
        os.register_at_fork(before=self.idle.acquire, after_in_parent=self.idle.release,
                            after_in_child=self._in_child)
        self.scheduler = build_scheduler(self.engine, blocking=False, lock=self.idle,
                                         settings=self.settings)
        self.scheduler.start()
        server.log.info("scheduler: running %s", ", ".join(JOBS))

    def _in_child(self) -> None:
        self.idle.release()
        if self.lease is not None:
            self.lease.drop()

    def stop(self, server) -> None:
        try:
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=True)
            if self.lease is not None:
                self.lease.release()
        except Exception:  # the master is exiting: say so, do not fail its exit
            server.log.exception("scheduler: stopping failed")
        if self.engine is not None:
            self.engine.dispose()
