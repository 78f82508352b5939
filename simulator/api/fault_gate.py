"""The injected faults, applied before every request of a public interface (docs/interfaces.md).

Each public blueprint installs the gate with its route name. The gate runs before the body is
read and before anything is looked up, so a refused request leaves the store unchanged:

- latency faults in force hold the request back (wall-clock sleep), then it goes on;
- a refusing fault (outage, maintenance window, an errors draw) answers as its ``answer`` says:
  ``segment`` raises :class:`FaultRefusal`, which the blueprint renders as its own error
  answer (SegmentOfResult 9, the fault's code, HTTP 503); ``http`` returns a bare HTTP error;
  ``timeout`` holds the request ``hold_seconds`` and returns 504 with an empty body.

A fault scoped to one institution touches the requests that carry that institution's idToken
(the login request carries none, so only faults for every institution refuse it).
"""

from __future__ import annotations

import time
from http import HTTPStatus

from flask import Blueprint, Response, g, request

from ..faults.model import Answer, Route
from ..registry.errors import OqsError, Unavailable
from ..runtime import Runtime, current_runtime

__all__ = ["FaultRefusal", "install"]


class FaultRefusal(Unavailable):
    """A request refused by an injected fault (its ``code``: outage, maintenance, ...)."""


def _institution(runtime: Runtime) -> str | None:
    token = request.headers.get("Authorization")
    if not token:
        return None
    try:
        return runtime.signer.institution(token)
    except OqsError:
        return None



def _gate(route: Route):
    def gate():
        runtime = current_runtime()
        if not runtime.faults.faults():  # the usual case: no token check, no clock read
            return None
        institution = _institution(runtime)
        outcome = runtime.faults.effect(route=route, institution=institution,
                                        now=runtime.clock.now)
        if outcome.delay:
            time.sleep(outcome.delay)
        fault = outcome.refused_by
        if fault is None:
            return None
        if fault.answer is Answer.HTTP:
            phrase = HTTPStatus(fault.http_status).phrase
            return Response(f"{fault.http_status} {phrase}\n", status=fault.http_status,
                            content_type="text/plain; charset=utf-8")
        if fault.answer is Answer.TIMEOUT:
            time.sleep(fault.hold_seconds)
            return Response(b"", status=504)
        if institution is not None:
            g.oqs_header = {"MedicalInstitutionCode": institution}
        raise FaultRefusal(f"refused by fault {fault.name}", code=fault.code)
    return gate


def install(bp: Blueprint, route: Route) -> None:
    """Apply the faults of ``route`` before every request of ``bp``."""
    bp.before_request(_gate(route))
