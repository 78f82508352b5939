"""A bound on how long reading one request body may take, whatever the client's pace.

A socket timeout bounds each ``recv``, not the whole body: a client sending one byte a second
never trips it, and gunicorn's body reader keeps asking until it holds what was requested. So a
timer shuts the reading side of the connection at the deadline instead: the blocked read sees
the end of the stream at once, the thread is free, and the answer can still be written.
"""

from __future__ import annotations

import contextlib
import socket
import threading

__all__ = ["ReadDeadline"]


class ReadDeadline:
    """``with ReadDeadline(sock, seconds) as deadline:`` read; then ``deadline.expired`` says
    whether the reading side was shut because the time ran out. ``sock`` None (no real
    connection, as under the test client): nothing is bounded."""

    def __init__(self, sock: socket.socket | None, seconds: float) -> None:
        self.sock = sock
        self.seconds = seconds
        self.expired = False
        self._timer: threading.Timer | None = None

    def __enter__(self) -> ReadDeadline:
        if self.sock is not None:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        # the plain socket's shutdown, also for TLS: SSLSocket.shutdown would drop the TLS
        # state, and the answer still has to be written through it; closed already: no matter
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self.sock, socket.SHUT_RD)
