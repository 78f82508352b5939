"""Injected faults and what they do to one request (pure; docs/interfaces.md).

A fault has a kind, a scope and a period in business time ``[starts_at, ends_at)``; ``ends_at``
None runs until it is ended by hand (``ended_at``), which cuts any period short.

Kinds:
    outage       every request in scope is refused (result code ``outage``, E9001)
    maintenance  a planned window: refused with ``maintenance`` (E9002); with system ``jpki``
                 only the card route is refused (``jpki_maintenance``), since only the My
                 Number card needs the 公的個人認証サービス
    latency      the answer is held back by a delay: fixed, uniform (± jitter) or normal
                 (σ = jitter), never below zero
    errors       each request in scope fails with probability ``rate`` (code ``outage``)

Scope: a route (``all`` or one interface: ``webapi``, ``files``, ``card``, ``emergency``) and
optionally one institution (its requests only).

How a refusal reaches the client (``answer``):
    segment   the system is reachable and says so: the interface's own error answer,
              SegmentOfResult 9 with the code, HTTP 503
    http      something in front of it answers: a bare HTTP error (``http_status``, 503 by
              default) with no OQS message
    timeout   nothing answers: the request is held ``hold_seconds`` (wall time) and then
              gets 504 with an empty body — a client with a shorter timeout sees a timeout
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..periods import StoppablePeriod, period_status

__all__ = ["Kind", "Route", "System", "Answer", "Distribution", "Fault", "Effect", "effect",
           "status", "ROUTES"]


class Kind(StrEnum):
    OUTAGE = "outage"
    MAINTENANCE = "maintenance"
    LATENCY = "latency"
    ERRORS = "errors"


class Route(StrEnum):
    ALL = "all"
    WEBAPI = "webapi"  # /oqs-api-pro: login and search
    FILES = "files"  # /oqs/files: every XML file kind
    CARD = "card"  # /oqs/card: the card reader
    EMERGENCY = "emergency"  # /oqs/emergency: the terminal's search without a card


#: The interfaces a fault can name (``all`` covers each).
ROUTES = tuple(r for r in Route if r is not Route.ALL)


class System(StrEnum):
    OQS = "oqs"
    JPKI = "jpki"  # 公的個人認証サービス: the card route only


class Answer(StrEnum):
    SEGMENT = "segment"
    HTTP = "http"
    TIMEOUT = "timeout"


class Distribution(StrEnum):
    FIXED = "fixed"
    UNIFORM = "uniform"
    NORMAL = "normal"


@dataclass(frozen=True, slots=True)
class Fault(StoppablePeriod):
    name: str
    kind: Kind
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None  # exclusive; None: until ended by hand
    route: Route = Route.ALL
    institution: str | None = None
    system: System = System.OQS
    answer: Answer = Answer.SEGMENT
    latency_ms: int = 0
    jitter_ms: int = 0
    distribution: Distribution = Distribution.FIXED
    rate: float = 1.0
    http_status: int = 503
    hold_seconds: float = 30.0
    seed: int | None = None  # makes the errors of ``rate`` reproducible
    ended_at: dt.datetime | None = None
    id: int | None = None

    def routes(self) -> frozenset[Route]:
        if self.kind is Kind.MAINTENANCE and self.system is System.JPKI:
            return frozenset({Route.CARD})
        return frozenset(ROUTES) if self.route is Route.ALL else frozenset({self.route})

    def applies(self, route: Route, institution: str | None, at: dt.datetime) -> bool:
        """Whether the fault touches a request on ``route`` by ``institution`` at ``at``."""
        return (self.active_at(at) and route in self.routes()
                and (self.institution is None or self.institution == institution))

    @property
    def code(self) -> str:
        """The result-code name a refusal carries."""
        if self.kind is Kind.MAINTENANCE:
            return "jpki_maintenance" if self.system is System.JPKI else "maintenance"
        return "outage"

    def delay(self, rng: random.Random) -> float:
        """Seconds a latency fault holds one answer back."""
        base, spread = self.latency_ms / 1000, self.jitter_ms / 1000
        if self.distribution is Distribution.UNIFORM:
            return max(0.0, rng.uniform(base - spread, base + spread))
        if self.distribution is Distribution.NORMAL:
            return max(0.0, rng.gauss(base, spread))
        return base


@dataclass(frozen=True, slots=True)
class Effect:
    """What the faults in force do to one request: a delay, and perhaps a refusal."""

    delay: float = 0.0
    refused_by: Fault | None = None


#: Which fault refuses when several do: a planned window is named before a failure.
_PRECEDENCE = {Kind.MAINTENANCE: 0, Kind.OUTAGE: 1, Kind.ERRORS: 2}


def effect(faults: Iterable[Fault], *, route: Route, institution: str | None, at: dt.datetime,
           draw) -> Effect:
    """The effect of ``faults`` on one request. ``draw(fault)`` returns the fault's random
    source (one number is drawn per errors fault in force, one per distributed delay)."""
    delay, refusing = 0.0, []
    for fault in faults:
        if not fault.applies(route, institution, at):
            continue
        if fault.kind is Kind.LATENCY:
            delay += fault.delay(draw(fault))
        elif fault.kind is not Kind.ERRORS or draw(fault).random() < fault.rate:
            refusing.append(fault)
    first = min(refusing, key=lambda f: (_PRECEDENCE[f.kind], f.starts_at, f.name), default=None)
    return Effect(delay, first)


def status(fault: Fault, at: dt.datetime) -> str:
    """scheduled, active, over (ran its period), ended (stopped by hand) or cancelled (stopped
    before it began), at ``at``."""
    return period_status(fault, at)
