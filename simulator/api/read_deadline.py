"""A bound on how long reading one request body may take, whatever the client's pace.

A socket timeout bounds each ``recv``, not the whole body: a client sending one byte a second
never trips it, and gunicorn's body reader keeps asking until it holds what was requested. So at
the deadline the reading side of the connection is shut instead: the blocked read sees the end
of the stream at once, the thread is free, and the answer can still be written.

One watchdog thread per process keeps every deadline (a heap), so a request costs a heap push
and pop, never a thread of its own.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time

__all__ = ["ReadDeadline"]


class _Watchdog:
    """Shuts the reading side of each registered socket whose deadline has passed."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, ReadDeadline]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: ReadDeadline, at: float) -> None:
        with self._wake:
            heapq.heappush(self._heap, (at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():  # also after a fork
                self._thread = threading.Thread(target=self._run, name="read-deadline",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0][2] is deadline:  # sooner than what the watchdog waits for
                self._wake.notify()

    def _due(self) -> list[ReadDeadline]:
        now, due = time.monotonic(), []
        while self._heap and self._heap[0][0] <= now:
            due.append(heapq.heappop(self._heap)[2])
        return due

    def _run(self) -> None:
        while True:
            with self._wake:
                due = self._due()
                if not due:
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._wake.wait(timeout)
                    continue
            for deadline in due:
                deadline.expire()


_WATCHDOG = _Watchdog()


class ReadDeadline:
    """``with ReadDeadline(sock, seconds) as deadline:`` read; then ``deadline.expired`` says
    whether the reading side was shut because the time ran out. ``sock`` None (no real
    connection, as under the test client): nothing is bounded."""

    def __init__(self, sock: socket.socket | None, seconds: float) -> None:
        self.sock = sock
        self.seconds = seconds
        self.expired = False
        self._done = False
        self._lock = threading.Lock()

    def __enter__(self) -> ReadDeadline:
        if self.sock is not None:
            _WATCHDOG.watch(self, time.monotonic() + self.seconds)
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            self._done = True  # the watchdog drops it when its time comes: nothing to shut
            self.sock = None

    def expire(self) -> None:
        """Shut the reading side, unless the body was read in time."""
        with self._lock:
            if self._done:
                return
            self.expired = True
        # the plain socket's shutdown, also for TLS: SSLSocket.shutdown would drop the TLS
        # state, and the answer still has to be written through it; closed already: no matter
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self.sock, socket.SHUT_RD)
