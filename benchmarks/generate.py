"""Benchmark: ``oqs-sim generate`` at scale — persons per second and peak memory (issue 16).

Not a test: run by hand on the project machine and report the numbers.

    python benchmarks/generate.py [--sizes 100000,1000000] [--workers 1] [--dir /tmp/gen]
                                  [--postgresql URL]

For each size, a fresh SQLite store gets ``oqs-sim generate -n SIZE`` (seed 1, as of
2026-06-01) in a subprocess, as a user runs it. Printed per size: wall seconds, persons/s, rows
written, the peak resident memory of the whole process tree (sampled every 0.2 s from /proc)
and its ratio to the smallest size's. The machine is shared and noisy, so the same run also
measures a ceiling: raw ``sqlite3`` ``executemany`` of the same number of drug rows, prepared
in advance, into the same schema — the fastest the store can take the bulk of what generation
writes; ``generate / ceiling`` is the overhead of making the population on top of storing it.
With ``--postgresql URL`` (an empty database), the smallest size also runs there, for
information.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

OQS = str(Path(sys.executable).with_name("oqs-sim"))


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def run(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS and output of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0]
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return time.perf_counter() - started, peak[0], output


def rows_written(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("persons", "qualifications", "cards", "drug_records", "checkups")}


def ceiling(db: Path, rows: int) -> float:
    """Seconds to executemany ``rows`` prepared drug rows into a copy of the schema."""
    with sqlite3.connect(db) as source:
        schema = [sql for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'drug_records' AND sql IS NOT NULL")]
        sample = source.execute("SELECT * FROM drug_records LIMIT 1000").fetchall()
    target = db.with_name("ceiling.db")
    target.unlink(missing_ok=True)
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for sql in schema:
        connection.execute(sql)  # foreign keys are off here: a ceiling, not a store
    prepared = [(None, *row[1:]) for row in sample]
    batch = [prepared[i % len(prepared)] for i in range(20_000)]
    marks = ", ".join("?" for _ in sample[0])
    started = time.perf_counter()
    done = 0
    while done < rows:
        part = batch[: rows - done]
        connection.executemany(f"INSERT INTO drug_records VALUES ({marks})", part)
        connection.commit()
        done += len(part)
    seconds = time.perf_counter() - started
    connection.close()
    target.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--postgresql", default=None)
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="oqs-gen-"))
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}  workers {args.workers}  cpus {os.cpu_count()}")
    first_peak = None
    for size in sizes:
        db = folder / f"gen-{size}.db"
        for path in folder.glob(f"gen-{size}.db*"):
            path.unlink()
        command = [OQS, "generate", "-n", str(size), "--seed", "1", "--as-of", "2026-06-01",
                   "--workers", str(args.workers), "--quiet", "--db", f"sqlite:///{db}"]
        seconds, peak, _ = run(command)
        rows = rows_written(db)
        first_peak = first_peak or peak
        floor = ceiling(db, rows["drug_records"])
        print(f"N={size:>9,}  {seconds:8.1f} s  {size / seconds:8,.0f} persons/s  "
              f"peak RSS {peak / 2**20:7.0f} MiB (×{peak / first_peak:.2f} of N={sizes[0]:,})  "
              f"drug rows {rows['drug_records']:,}  ceiling {floor:.1f} s  "
              f"generate/ceiling {seconds / floor:.2f}  db {db.stat().st_size / 2**30:.2f} GiB")
        print(f"             rows: {rows}")
    if args.postgresql:
        seconds, peak, _ = run([OQS, "generate", "-n", str(sizes[0]), "--seed", "1",
                                "--as-of", "2026-06-01", "--workers", str(args.workers),
                                "--quiet", "--db", args.postgresql])
        print(f"PostgreSQL N={sizes[0]:,}: {seconds:.1f} s, {sizes[0] / seconds:,.0f} persons/s, "
              f"peak RSS {peak / 2**20:.0f} MiB")
    if not args.dir:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
