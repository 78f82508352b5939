"""``oqs-sim generate`` and ``oqs-sim store`` as a user runs them: a run killed with SIGKILL
resumes to the same store as an uninterrupted one; stats and digest print what they say."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.e2e.conftest import ADMIN_TOKEN

ARGS = ["--seed", "21", "--as-of", "2026-06-01", "--quiet"]


def _oqs() -> str:
    beside_python = Path(sys.executable).with_name("oqs-sim")
    found = str(beside_python) if beside_python.exists() else shutil.which("oqs-sim")
    assert found, "the oqs-sim console script is not installed (pip install -e .)"
    return found


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_oqs(), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})


def _persons_done(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT coalesce(max(persons_done), 0) FROM generation_runs")).scalar_one()
    except Exception:  # the schema is not there yet
        return 0
    finally:
        engine.dispose()


def _digest(url: str) -> str:
    done = _run("store", "digest", "--db", url)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1].split()[0]


def test_a_killed_run_resumes_to_the_same_store(tmp_path):
    killed, whole = f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'whole.db'}"
    command = [_oqs(), "generate", "-n", "3000", "--batch", "10", "--workers", "1", *ARGS,
               "--db", killed]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _persons_done(killed) < 200 and process.poll() is None:
        assert time.monotonic() < deadline, "the run wrote nothing in two minutes"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stopped_at = _persons_done(killed)
    assert 0 < stopped_at < 3000, "the run finished before it could be killed"
    resumed = _run("generate", "-n", "3000", "--workers", "0", *ARGS, "--db", killed)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith("resumed run 1") and "3,000 persons" in resumed.stdout
    assert _run("generate", "-n", "3000", "--workers", "0", *ARGS, "--db", whole).returncode == 0
    assert _digest(killed) == _digest(whole)


def test_stats_and_digest_print_the_population(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    made = _run("generate", "-n", "500", "--workers", "0", *ARGS, "--db", url)
    assert made.returncode == 0 and made.stdout.startswith("generated run 1"), made.stderr
    stats = _run("store", "stats", "--json", "--db", url)
    assert stats.returncode == 0, stats.stderr
    report = json.loads(stats.stdout)
    assert report["persons"] == 500 and set(report["age_bands"]) == {"0-14", "15-64", "65-74",
                                                                   "75+"}
    table = _run("store", "stats", "--db", url)
    assert "insurer_kinds:" in table.stdout and "kyokai" in table.stdout
    digest = _run("store", "digest", "--db", url).stdout.splitlines()
    assert [line.split()[1] for line in digest] == [
        "insurers", "persons", "qualifications", "holds", "cards", "drug_records", "checkups",
        "store"]


def test_bad_options_are_refused_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    refused = _run("generate", "-n", "0", "--db", url)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "--persons" in refused.stderr


def test_the_admin_api_generates_and_reports(admin_client):
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    made = admin_client.post("/sim/v1/population", json={"persons": 120, "seed": 4},
                             headers=headers)
    assert made.status_code == 200, made.get_json()
    assert made.get_json()["persons"] == 120 and made.get_json()["rows"]["persons"] == 120
    too_many = admin_client.post("/sim/v1/population", json={"persons": 100_001},
                                 headers=headers)
    assert too_many.status_code == 400
    assert too_many.get_json()["error"]["field"] == "persons"
    stats = admin_client.get("/sim/v1/population/stats", headers=headers).get_json()
    assert stats["persons"] == 120
    digest = admin_client.get("/sim/v1/population/digest", headers=headers).get_json()
    assert len(digest["store"]) == 64
