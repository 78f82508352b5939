#!/usr/bin/env python3
"""Do slow clients starve the others? A black-box check of a running oqs-sim.

N clients (default 16) open a connection each, send the headers of a Web API login with a
large Content-Length and then trickle its body, one byte per second, never finishing (a client
the server drops is replaced at once). Meanwhile another client, every 0.5 s, times
``GET /healthz`` and a Web API login followed by a qualification search. At the end it prints
min/median/max of each and exits 1 if any answer took longer than ``--limit`` (default 1 s) or
failed.

By default it starts ``oqs-sim serve --workers 2`` itself, as a user would: on a free port of
127.0.0.1, with a SQLite file in a temporary folder, reading the demo account it prints. The
lookup is the README's demo person (本人, 協会けんぽ). ``--url`` points it at a server already
running instead (then give ``--user`` and ``--password``). Everything stays on 127.0.0.1 and
ends within ``--duration`` seconds plus the start-up and one probe timeout.

Imports nothing from ``simulator``: it sees the server only through its command and HTTP.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"
INSTITUTION = "1311500019"  # the demo account clinic's 医療機関コード
DEMO_PERSON = {"InsurerNumber": "01130012", "InsuredCardSymbol": "87528521",
               "InsuredIdentificationNumber": "8007919", "InsuredBranchNumber": "00",
               "Birthdate": "19810111", "LimitApplicationCertificateRelatedConsFlg": "0"}
ACCOUNT_LINE = re.compile(r"institution (\d{10})\s+userId (\S+)\s+password (\S+)")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="trickling clients (16)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of probing (20)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between probes")
    parser.add_argument("--limit", type=float, default=1.0,
                        help="slowest acceptable answer, seconds (1)")
    parser.add_argument("--probe-timeout", type=float, default=10.0,
                        help="a probe waiting longer counts as failed (10 s)")
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--user", default="clinic")
    parser.add_argument("--password", help="the account's password (with --url)")
    parser.add_argument("--oqs-sim", dest="command",
                        help="the oqs-sim command (default: beside this Python, else on PATH)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--serve-option", action="append", default=[], metavar="OPTION",
                        help="extra option for `oqs-sim serve`, e.g. --serve-option=--threads=1")
    arguments = parser.parse_args(argv)
    if arguments.url and not arguments.password:
        parser.error("--url needs --password")
    if arguments.url and urlsplit(arguments.url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--url must be on 127.0.0.1 (this tool attacks the server it measures)")
    return arguments


# --- the server under test -----------------------------------------------------------------


@dataclass
class Server:
    base: str
    password: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _oqs_sim(command: str | None) -> str:
    if command:
        return command
    beside = Path(sys.executable).with_name("oqs-sim")
    found = str(beside) if beside.exists() else shutil.which("oqs-sim")
    if not found:
        sys.exit("oqs-sim not found: install the project or pass --oqs-sim PATH")
    return found


class _Output(threading.Thread):
    """Drains the server's output (a full pipe would stall it) and keeps what we need."""

    def __init__(self, stream, user: str) -> None:
        super().__init__(daemon=True)
        self.stream, self.user = stream, user
        self.password: str | None = None
        self.ready = threading.Event()
        self.tail: list[str] = []

    def run(self) -> None:
        for line in self.stream:
            self.tail = (self.tail + [line])[-40:]
            found = ACCOUNT_LINE.search(line)
            if found and found.group(2) == self.user:
                self.password = found.group(3)
            if line.startswith("admin token"):
                self.ready.set()
        self.ready.set()


@contextlib.contextmanager
def started_server(arguments: argparse.Namespace) -> Iterator[Server]:
    """``oqs-sim serve`` on a free port over a fresh SQLite file; stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="oqs-slow-") as folder:
        port = _free_port()
        command = [_oqs_sim(arguments.command), "serve", "--port", str(port),
                   "--workers", str(arguments.workers), "--db", f"sqlite:///{folder}/oqs.db",
                   *arguments.serve_option]
        process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        output = _Output(process.stdout, arguments.user)
        output.start()
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_serving(base, process, output)
            if output.password is None:
                raise SystemExit(f"serve printed no password for {arguments.user} (not empty?)")
            print(f"started: {' '.join(command[1:])}")
            yield Server(base, output.password)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(base: str, process: subprocess.Popen, output: _Output) -> None:
    deadline = time.monotonic() + 120
    output.ready.wait(timeout=120)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server stopped:\n" + "".join(output.tail))
        with contextlib.suppress(OSError), urllib.request.urlopen(
                f"{base}/healthz", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz within 120 s")


# --- the slow clients ----------------------------------------------------------------------


class Tricklers(threading.Thread):
    """``count`` connections each sending a login body one byte a second, never finishing."""

    def __init__(self, host: str, port: int, count: int) -> None:
        super().__init__(daemon=True)
        self.address, self.count = (host, port), count
        self.sockets: list[socket.socket | None] = [None] * count
        self.reopened = 0
        self.stopping = threading.Event()

    def _open(self) -> socket.socket | None:
        try:
            connection = socket.create_connection(self.address, timeout=2)
            connection.sendall(
                f"POST {LOGIN} HTTP/1.1\r\nHost: {self.address[0]}\r\n"
                "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{".encode())
            return connection
        except OSError:
            return None

    def open_all(self) -> None:
        self.sockets = [self._open() for _ in range(self.count)]

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            for index, connection in enumerate(self.sockets):
                if connection is not None and self._trickle(connection):
                    continue
                if connection is not None:
                    connection.close()
                    self.reopened += 1
                self.sockets[index] = self._open()

    @staticmethod
    def _trickle(connection: socket.socket) -> bool:
        """Send one more byte; False when the server has answered or dropped us."""
        try:
            connection.setblocking(False)
            try:
                connection.recv(1, socket.MSG_PEEK)
                return False  # an answer or EOF: the server gave up on this body
            except BlockingIOError:
                pass  # nothing to read: the server still waits for the body
            connection.setblocking(True)
            connection.sendall(b" ")
            return True
        except OSError:
            return False

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        for connection in self.sockets:
            if connection is not None:
                connection.close()


# --- the probes ----------------------------------------------------------------------------


@dataclass
class Samples:
    name: str
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.seconds:
            return f"{self.name:<22} no answer  ({len(self.failures)} failed)"
        ms = [s * 1000 for s in self.seconds]
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (f"{self.name:<22} n={len(ms):<3} min {min(ms):7.1f} ms  median "
                f"{statistics.median(ms):7.1f} ms  max {max(ms):7.1f} ms{failed}")


def _request(url: str, body: dict | None, headers: dict[str, str], timeout: float) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={
        "Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


def _timed(samples: Samples, action) -> object:
    started = time.monotonic()
    try:
        result = action()
    except (OSError, ValueError, KeyError) as error:  # URLError, timeouts, bad JSON
        samples.failures.append(f"{type(error).__name__}: {error}")
        return None
    samples.seconds.append(time.monotonic() - started)
    return result


def _lookup(base: str, user: str, password: str, timeout: float) -> str:
    """Log in, search the demo person; return QualificationValidity."""
    login = _request(base + LOGIN, {"userId": user, "password": password}, {}, timeout)
    token = login["result"]["idToken"]
    found = _request(base + SEARCH, {"XmlMsg": {
        "MessageHeader": {"QualificationConfirmationDate": "20260401",
                          "MedicalInstitutionCode": INSTITUTION},
        "MessageBody": {"QualificationConfirmSearchInfo": DEMO_PERSON}}},
        {"Authorization": token}, timeout)
    return found["XmlMsg"]["MessageBody"]["QualificationValidity"]


def probe(server: Server, arguments: argparse.Namespace) -> tuple[Samples, Samples]:
    health, lookup = Samples("GET /healthz"), Samples("login + search")
    timeout = arguments.probe_timeout
    deadline = time.monotonic() + arguments.duration
    while (now := time.monotonic()) < deadline:
        _timed(health, lambda: _request(server.base + "/healthz", None, {}, timeout))
        _timed(lookup, lambda: _lookup(server.base, arguments.user, server.password, timeout))
        time.sleep(max(0.0, now + arguments.interval - time.monotonic()))
    return health, lookup


def measure(server: Server, arguments: argparse.Namespace) -> int:
    address = urlsplit(server.base)
    tricklers = Tricklers(address.hostname, address.port, arguments.clients)
    tricklers.open_all()
    tricklers.start()
    time.sleep(1.5)  # let the server take the connections and start reading their bodies
    try:
        samples = probe(server, arguments)
        still = sum(s is not None for s in tricklers.sockets)
    finally:
        tricklers.stop()
    print(f"{arguments.clients} clients trickling 1 byte/s ({still} connected at the end, "
          f"{tricklers.reopened} reopened after the server dropped them), "
          f"probing every {arguments.interval} s for {arguments.duration} s:")
    worst = 0.0
    for sample in samples:
        print("  " + sample.line())
        for failure in sorted(set(sample.failures))[:3]:
            print(f"    failed: {failure}")
        worst = max([worst, *sample.seconds])
    failed = sum(len(s.failures) for s in samples)
    slow = worst > arguments.limit or failed
    print(f"{'FAIL' if slow else 'OK'}: slowest answer {worst * 1000:.0f} ms, {failed} without "
          f"an answer within {arguments.probe_timeout} s (limit {arguments.limit * 1000:.0f} ms)")
    return 1 if slow else 0


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.url:
        return measure(Server(arguments.url.rstrip("/"), arguments.password), arguments)
    with started_server(arguments) as server:
        return measure(server, arguments)


if __name__ == "__main__":
    sys.exit(main())
