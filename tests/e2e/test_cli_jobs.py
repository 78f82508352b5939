"""``oqs-sim jobs``, ``oqs-sim scheduler`` and the scheduler of ``oqs-sim serve``, for real."""

from __future__ import annotations

import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from simulator import schema
from simulator.cli import main
from simulator.db import make_engine
from simulator.store import SqlUnitOfWork
from tests.builders import KUMIAI, at, held, person, record

BUSINESS_NOW = "2026-04-06T12:00+09:00"
BUSY = "another process already runs the scheduler on this database"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def hold_one_record(url: str) -> str:
    """Put one record on hold and freeze business time at 2026-04-06 12:00 in the store."""
    assert run("clock", "set", BUSINESS_NOW, "--frozen", "--db", url).exit_code == 0
    engine = make_engine(url)
    with SqlUnitOfWork(engine) as uow:
        uow.repo.add_insurer(KUMIAI)
        person_id = uow.repo.add_person(person())
        uow.repo.add_qualification(held(record(person_id), at(2026, 4, 1)))
        uow.commit()
    engine.dispose()
    return url


@pytest.fixture
def held_store(tmp_path) -> str:
    """A SQLite file migrated by ``oqs-sim db upgrade``, with one record on hold."""
    url = f"sqlite:///{tmp_path}/jobs.db"
    assert run("db", "upgrade", "--db", url).exit_code == 0
    return hold_one_record(url)


@pytest.fixture
def held_database(database_url) -> str:
    """A migrated store (SQLite, or PostgreSQL when configured) with one record on hold."""
    return hold_one_record(database_url)


def notice_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(schema.notices)).scalar_one()
    finally:
        engine.dispose()


def test_jobs_list_names_every_job_with_its_interval() -> None:
    result = run("jobs", "list")

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "hold_notices   every   60s  保留通知: notify insurers of records on hold",
        "late_filings   every  300s  届出遅延: notify insurers of filings past 5+5 days",
        "bulk_queries   every    2s  一括照会: process uploaded bulk queries",
    ]


def test_jobs_run_writes_each_notice_once(held_store) -> None:
    first = run("jobs", "run", "hold_notices", "--db", held_store)
    second = run("jobs", "run", "hold_notices", "--db", held_store)
    late = run("jobs", "run", "late_filings", "--db", held_store)

    assert first.output == "hold_notices: 1 notice\n"
    assert second.output == "hold_notices: 0 notices\n"
    assert late.output == "late_filings: 0 notices\n"
    assert notice_count(held_store) == 1


def test_an_unknown_job_is_refused_in_one_line(held_store) -> None:
    result = CliRunner().invoke(main, ["jobs", "run", "vacuum", "--db", held_store])

    assert result.exit_code == 1
    assert result.output == (
        "Error: no job 'vacuum'; jobs: hold_notices, late_filings, bulk_queries\n")


# -- real processes ------------------------------------------------------------------------------


def _console_script() -> str:
    beside_python = Path(sys.executable).with_name("oqs-sim")
    found = str(beside_python) if beside_python.exists() else shutil.which("oqs-sim")
    assert found, "the oqs-sim console script is not installed (pip install -e .)"
    return found


class Process:
    """A running ``oqs-sim`` command whose output lines are read as they come."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.popen = subprocess.Popen(
            [_console_script(), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, cwd=cwd)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with self.popen.stdout:
            for line in self.popen.stdout:
                self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {text!r} in:\n{''.join(self.seen)}"
            try:
                self.seen.append(self.lines.get(timeout=remaining))
            except queue.Empty:
                continue

    def stop(self) -> int:
        """SIGTERM and wait; gunicorn may take up to its graceful timeout (30 s) on a busy box."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            self.reader.join(timeout=5)
            while not self.lines.empty():
                self.seen.append(self.lines.get())
            raise AssertionError(f"did not stop on SIGTERM:\n{''.join(self.seen)}") from None
        self.reader.join(timeout=5)
        return code


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_scheduler_runs_the_jobs_alone_and_stops_on_sigterm(held_database, tmp_path) -> None:
    url = held_database
    scheduler = Process("scheduler", "--db", url, cwd=tmp_path)
    try:
        scheduler.wait_for("simulator.jobs: hold_notices: 1 notice")
        second = subprocess.run([_console_script(), "scheduler", "--db", url],
                                capture_output=True, text=True, timeout=30, cwd=tmp_path)
        serving = Process("serve", "--no-demo", "--workers", "1", "--port", str(_free_port()),
                          "--db", url, cwd=tmp_path)
        try:
            serving.wait_for(f"scheduler: {BUSY}; serving without one")
        finally:
            serving.stop()
    finally:
        code = scheduler.stop()

    assert second.returncode == 1
    assert second.stderr.strip() == f"Error: {BUSY}"
    assert code == 0
    scheduler.wait_for("scheduler stopped", timeout=1)
    assert notice_count(url) == 1


def test_serve_runs_the_jobs_in_its_master_and_a_scheduler_is_refused(
    held_database, tmp_path
) -> None:
    url = held_database
    serving = Process("serve", "--no-demo", "--workers", "2", "--port", str(_free_port()),
                      "--db", url, cwd=tmp_path)
    try:
        serving.wait_for("scheduler: running hold_notices, late_filings")
        serving.wait_for("hold_notices: 1 notice")
        second = subprocess.run([_console_script(), "scheduler", "--db", url],
                                capture_output=True, text=True, timeout=30, cwd=tmp_path)
    finally:
        code = serving.stop()

    assert second.returncode == 1 and BUSY in second.stderr
    assert code == 0
    assert notice_count(url) == 1
