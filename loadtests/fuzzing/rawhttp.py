"""A hand-written HTTP/1.1 client over a raw socket.

``http.client`` refuses request targets with CR, LF, NUL or raw non-ASCII bytes; the fuzzer must
send exactly those, so every request is written byte by byte here (``Connection: close``, one
request per connection) and read until the server closes it or the deadline passes.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

READ_LIMIT = 4_000_000  # bytes of answer kept; a bigger answer is cut (the oracles see the cut)


@dataclass
class Request:
    method: str
    target: bytes  # path and query, sent as is
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    content_length: bool = True  # False: no Content-Length header at all


@dataclass
class Answer:
    status: int | None  # None: no status line before the connection closed or the deadline
    headers: dict[str, str]
    body: bytes
    seconds: float
    timed_out: bool = False
    error: str = ""  # a socket error while sending or reading


def encode(request: Request, host: str, port: int) -> bytes:
    lines = [request.method.encode("latin-1") + b" " + request.target + b" HTTP/1.1",
             b"Host: " + f"{host}:{port}".encode(), b"Connection: close"]
    lines += [name + b": " + value for name, value in request.headers]
    if request.content_length:
        lines.append(b"Content-Length: " + str(len(request.body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + request.body


def send(request: Request, host: str, port: int, timeout: float) -> Answer:
    """Send one request; never takes much longer than ``timeout`` seconds."""
    started = time.monotonic()
    deadline = started + timeout
    chunks: list[bytes] = []
    error, timed_out = "", False
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            error = _send_all(sock, encode(request, host, port), deadline)
            timed_out = _read_all(sock, chunks, deadline)
    except TimeoutError:
        timed_out = True
    except OSError as exc:
        error = error or f"{type(exc).__name__}: {exc}"
    raw = b"".join(chunks)
    return parse(raw, time.monotonic() - started, timed_out, error)


def _send_all(sock: socket.socket, data: bytes, deadline: float) -> str:
    """Send ``data``; a server that answers early and closes (413) may reset the rest."""
    try:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError) as exc:
        return f"{type(exc).__name__} while sending"
    return ""


def _read_all(sock: socket.socket, chunks: list[bytes], deadline: float) -> bool:
    """Read until EOF; True when the deadline passed first."""
    size = 0
    while size < READ_LIMIT:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return True
        except ConnectionResetError:
            return False
        if not chunk:
            return False
        chunks.append(chunk)
        size += len(chunk)
    return False


def parse(raw: bytes, seconds: float, timed_out: bool, error: str) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return Answer(None, {}, raw, seconds, timed_out, error)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().decode("latin-1").lower()] = value.strip().decode("latin-1")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = dechunk(body)
    return Answer(int(parts[1]), headers, body, seconds, timed_out, error)


def dechunk(data: bytes) -> bytes:
    out, rest = [], data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return b"".join(out)
