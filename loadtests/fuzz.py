#!/usr/bin/env python3
"""A seeded, bounded mutation fuzzer of every oqs-sim route (black box: HTTP only).

    python loadtests/fuzz.py --requests 5000 --seed 1 --report fuzz.json
    python loadtests/fuzz.py --url http://127.0.0.1:8080 --admin-token T --user clinic \
        --password P --institution 1311500019

By default it starts its own ``oqs-sim serve --workers 2`` on a fresh SQLite store in a
temporary folder, fuzzes it, stops it and scans its log for tracebacks. Exit status 1 on any
5xx other than 503, any traceback (in a body or the log) or any hang.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzzing import report, server
from fuzzing.routes import Target
from fuzzing.runner import run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=5000, help="requests to send (default 5000)")
    p.add_argument("--seed", type=int, default=1, help="the same seed sends the same requests")
    p.add_argument("--timeout", type=float, default=5.0,
                   help="seconds per request: slower is a hang")
    p.add_argument("--max-seconds", type=float, default=1200.0, help="stop sending after this")
    p.add_argument("--report", help="write the counts and samples to this JSON file")
    p.add_argument("--serve-cmd", default=server.default_command(),
                   help="the oqs-sim command to start (default: the one next to this Python)")
    p.add_argument("--url", help="fuzz this running server (127.0.0.1/localhost only)")
    p.add_argument("--admin-token")
    p.add_argument("--user", default="clinic")
    p.add_argument("--password")
    p.add_argument("--institution", default="1311500019", help="the user's 医療機関コード")
    p.add_argument("--max-body-bytes", type=int, default=20_000_000,
                   help="the running server's max_body_bytes (with --url)")
    p.add_argument("--quiet", action="store_true", help="print the summary only")
    p.add_argument("--keep", action="store_true",
                   help="keep the started server's folder (store and log) after the run")
    args = p.parse_args(argv)
    if args.url and not (args.admin_token and args.password):
        p.error("--url needs --admin-token and --password")
    if args.requests < 0 or args.timeout <= 0:
        p.error("--requests must be ≥ 0 and --timeout > 0")
    return args


def running_target(args: argparse.Namespace) -> Target:
    url = urlsplit(args.url)
    if url.scheme != "http" or url.hostname not in server.LOCAL_HOSTS:
        raise SystemExit(f"refused: only http://127.0.0.1 or localhost, not {args.url!r}")
    return Target(url.hostname, url.port or 80, args.admin_token,
                  [(args.user, args.password, args.institution)], args.max_body_bytes)


def fuzz(target: Target, args: argparse.Namespace):
    target.clock = server.admin_get(target.host, target.port, target.admin_token, "/clock")
    try:
        results = run(target, requests=args.requests, seed=args.seed, timeout=args.timeout,
                      max_seconds=args.max_seconds)
    finally:
        restore_clock(target)
    results.healthy_after = healthy(target)
    return results


def healthy(target: Target) -> bool:
    try:
        server.wait_healthy(target.host, target.port, 10)
    except RuntimeError:
        return False
    return True


def restore_clock(target: Target) -> None:
    """Undo what PUT /clock and POST /clock/advance may have changed."""
    clock = {k: target.clock[k] for k in ("now", "mode", "speed") if k in target.clock}
    try:
        server.admin_put(target.host, target.port, target.admin_token, "/clock", clock)
    except OSError as exc:
        print(f"warning: could not restore the clock: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    if args.url:
        results, log = fuzz(running_target(args), args), None
    else:
        try:
            results, log = serve_and_fuzz(args)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    data = report.summary(results, None if log is None else server.tracebacks(log))
    data["wall_seconds"] = round(time.monotonic() - started, 1)
    print_report(results, data, args.quiet)
    if args.report:
        report.write(args.report, data)
    return 1 if report.failed(data) else 0


def serve_and_fuzz(args: argparse.Namespace):
    own = server.Server(args.serve_cmd)
    try:
        own.start()
        target = Target("127.0.0.1", own.port, own.admin_token, own.accounts(),
                        server.MAX_BODY_BYTES)
        if not target.accounts:
            raise SystemExit(f"no demo accounts in the server output:\n{own.log_text()[-2000:]}")
        results = fuzz(target, args)
    finally:
        own.stop()
        log = own.log_text()
        if args.keep:
            print(f"server folder: {own.folder}")
        else:
            shutil.rmtree(own.folder, ignore_errors=True)
    return results, log


def print_report(results, data: dict, quiet: bool) -> None:
    if not quiet:
        print(report.table(results))
        print(report.failures(results))
        for line, count in data["log_exceptions"].items():
            print(f"log traceback {count}×: {line}")
    print(f"\n{data['requests']} requests in {data['seconds']} s (wall {data['wall_seconds']} s); "
          f"failures {data['failures']}; log tracebacks {data['log_tracebacks']}; "
          f"healthy after the run: {data['healthy_after']}")


if __name__ == "__main__":
    sys.exit(main())
