"""A real ``oqs-sim serve`` (gunicorn, 2 workers) under slow and hostile clients.

Slow clients: 16 connections trickling login bodies must not starve ``/healthz`` and a lookup
from another client (the bound is generous: this checks starvation, not speed; the load test
``loadtests/slow_clients.py`` measures latency), and a body trickled past
``body_read_seconds`` is refused. Logs: what a request puts into a log line is escaped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest

from simulator.loaders.demo import Story, generate_demo_world

from .test_cli import _console_script, _free_port, _wait_for

LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"
BODY_READ_SECONDS = 5
STARVED = 5.0  # seconds: far above a normal answer, far below a stalled worker's 30 s


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, log file) of ``serve --workers 2`` over the demo world."""
    root = tmp_path_factory.mktemp("served")
    port = _free_port()
    log = root / "server.log"
    env = os.environ | {"OQS_BODY_READ_SECONDS": str(BODY_READ_SECONDS)}
    with log.open("w") as output:
        process = subprocess.Popen(
            [_console_script(), "serve", "--port", str(port), "--workers", "2",
             "--db", f"sqlite:///{root}/s.db"],
            stdout=output, stderr=subprocess.STDOUT, cwd=root, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz", time.monotonic() + 60)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _trickler(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(f"POST {LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                       "application/json\r\nContent-Length: 10000\r\n\r\n{".encode())
    return connection


def _post(url: str, body: dict, headers: dict[str, str] | None = None) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=STARVED) as answer:
        return json.loads(answer.read())


def _lookup(base: str) -> str:
    demo = generate_demo_world()
    account = next(a for a in demo.accounts if a.user == "clinic")
    card = demo.with_story(Story.INSURED)[0].qualifications[0]
    token = _post(base + LOGIN, {"userId": "clinic", "password": account.password})
    found = _post(base + SEARCH, {"XmlMsg": {
        "MessageHeader": {"QualificationConfirmationDate": "20260401",
                          "MedicalInstitutionCode": account.institution_code},
        "MessageBody": {"QualificationConfirmSearchInfo": {
            "InsurerNumber": card.insurer.number, "InsuredCardSymbol": card.symbol,
            "InsuredIdentificationNumber": card.number,
            "Birthdate": card.birthdate.strftime("%Y%m%d")}}}},
        {"Authorization": token["result"]["idToken"]})
    return found["XmlMsg"]["MessageBody"]["QualificationValidity"]


def test_health_and_a_lookup_answer_while_sixteen_clients_trickle_their_bodies(server):
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    tricklers = [_trickler(port) for _ in range(16)]
    try:
        for connection in tricklers:
            connection.sendall(b" ")
        time.sleep(1)  # the workers have taken the connections and wait for the bodies
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/healthz", timeout=STARVED) as answer:
            health = answer.status
        health_seconds = time.monotonic() - started
        validity = _lookup(base)
        lookup_seconds = time.monotonic() - started - health_seconds
    finally:
        for connection in tricklers:
            connection.close()

    assert (health, validity) == (200, "1")
    assert health_seconds < STARVED and lookup_seconds < STARVED


def test_a_body_trickled_past_body_read_seconds_is_refused_naming_the_limit(server):
    base, _ = server
    connection = _trickler(int(base.rsplit(":", 1)[1]))
    connection.settimeout(BODY_READ_SECONDS + 10)
    started = time.monotonic()
    with connection:
        while not _readable(connection):
            connection.sendall(b" ")
            time.sleep(0.5)
        answer = connection.recv(65536).decode("utf-8")
    waited = time.monotonic() - started

    assert answer.startswith("HTTP/1.1 400")
    assert json.loads(answer.split("\r\n\r\n", 1)[1])["code"] == "E3001"
    assert f"body）{BODY_READ_SECONDS}秒以内に受信できませんでした" in answer
    assert BODY_READ_SECONDS <= waited < BODY_READ_SECONDS + 5


def _readable(connection: socket.socket) -> bool:
    connection.setblocking(False)
    try:
        return bool(connection.recv(1, socket.MSG_PEEK))
    except BlockingIOError:
        return False
    finally:
        connection.setblocking(True)
        connection.settimeout(BODY_READ_SECONDS + 10)


def test_control_characters_a_request_sends_are_escaped_in_the_access_log(server):
    base, log = server
    port = int(base.rsplit(":", 1)[1])
    # NEL (U+0085) ends a line for str.splitlines and some log viewers; CSI (U+009B) starts a
    # terminal escape: both reach gunicorn's access log through the User-Agent (obs-text)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /healthz?x=%0aFORGED%0d%1b HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"User-Agent: probe\x85FORGED line\x9b31m\r\nConnection: close\r\n\r\n")
        answered = connection.recv(65536)
    time.sleep(0.5)  # the access log line is written after the answer
    text = log.read_text(encoding="utf-8")

    assert answered.startswith(b"HTTP/1.1 200")
    assert "probe\\x85FORGED line\\x9b31m" in text
    assert not [line for line in text.splitlines() if line.startswith("FORGED")]
    assert not {c for c in text if ord(c) < 0x20 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f}


@pytest.fixture
def simulator_log():
    """The ``simulator`` logger as it was, restored after the test configured it."""
    import logging

    logger = logging.getLogger("simulator")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def test_the_app_log_escapes_a_decoded_path_in_its_message_and_in_a_traceback(
        tmp_path, simulator_log):
    from flask import request
    from gunicorn.config import Config

    from simulator import create_app
    from simulator.logs import GunicornLogger

    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("loglevel", "info")
    GunicornLogger(config)  # the logging serve installs, here writing to a file
    app = create_app({"database_url": f"sqlite:///{tmp_path}/a.db", "admin_token": "t",
                      "secret_key": "s"})

    def boom(rest: str):
        raise ValueError(f"cannot serve {request.path} to {request.headers['X-Agent']}")

    app.add_url_rule("/boom/<path:rest>", view_func=boom)
    answer = app.test_client().get("/boom/%0aFORGED%0d%1b[31m",
                                   headers={"X-Agent": "agent\x1b[2J\u2028FORGED too"})
    app.extensions["oqs"].engine.dispose()
    lines = (tmp_path / "error.log").read_text(encoding="utf-8").splitlines()

    assert answer.status_code == 500
    assert ("ValueError: cannot serve /boom/\\x0aFORGED\\x0d\\x1b[31m to "
            "agent\\x1b[2J\\u2028FORGED too") in lines
    assert "Traceback (most recent call last):" in lines  # the traceback keeps its lines
    assert not [line for line in lines if line.startswith("FORGED")]
