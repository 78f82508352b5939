"""The server under test: ``oqs-sim serve`` in a temporary folder, or one already running."""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ACCOUNT = re.compile(r"institution (\d{10})\s+userId (\S+)\s+password (\S+)")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_BODY_BYTES = 65_536  # the limit given to the server we start: oversize bodies stay cheap


def default_command() -> str:
    return shlex.quote(str(Path(sys.executable).with_name("oqs-sim")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``oqs-sim serve --workers 2`` on a fresh SQLite store; its output goes to ``log``."""

    def __init__(self, command: str, *, workers: int = 2, startup: float = 60.0) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="oqs-fuzz-"))
        self.port = free_port()
        self.admin_token = secrets.token_urlsafe(16)
        self.log = self.folder / "server.log"
        self.startup = startup
        self.argv = [*shlex.split(command), "serve", "--workers", str(workers), "--port",
                     str(self.port), "--db", f"sqlite:///{self.folder / 'fuzz.db'}"]
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "OQS_ADMIN_TOKEN": self.admin_token,
               "OQS_MAX_BODY_BYTES": str(MAX_BODY_BYTES), "OQS_PKI_DIR": str(self.folder / "pki")}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(self.argv, cwd=self.folder, env=env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_healthy("127.0.0.1", self.port, self.startup, self.process)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}; the server said:\n{self.log_text()[-2000:]}") from None

    def accounts(self) -> list[tuple[str, str, str]]:
        """(userId, password, institution) as the server printed them."""
        found = ACCOUNT.findall(self.log.read_text("utf-8", "replace"))
        return [(user, password, code) for code, user, password in found]

    def stop(self, grace: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn and its workers, nothing else
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(grace)

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace")


def wait_healthy(host: str, port: int, seconds: float, process=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} during start-up")
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no healthy answer from {host}:{port} within {seconds:.0f} s")


def admin_get(host: str, port: int, token: str, path: str) -> dict:
    request = urllib.request.Request(f"http://{host}:{port}/sim/v1{path}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def admin_put(host: str, port: int, token: str, path: str, body: dict) -> int:
    request = urllib.request.Request(
        f"http://{host}:{port}/sim/v1{path}", data=json.dumps(body).encode(), method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status


def tracebacks(log: str) -> list[str]:
    """One line per traceback in the log: the exception and the deepest simulator frame."""
    found, lines = [], log.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last)"):
            continue
        frame, j = "", i + 1
        while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
            if "/simulator/" in lines[j] and lines[j].lstrip().startswith("File"):
                frame = lines[j].strip().split("/simulator/")[-1]
            j += 1
        exception = lines[j].strip() if j < len(lines) else "?"
        found.append(f"{exception[:160]}  [simulator/{frame}]" if frame else exception[:160])
    return found
