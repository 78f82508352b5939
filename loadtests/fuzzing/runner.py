"""The seeded loop: draw a seed request and one mutation, send it, judge the answer."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from . import mutations, oracles
from .rawhttp import Answer, Request, send
from .routes import LOGIN, Seed, Target, all_seeds

# How often each interface is drawn (the admin API has many routes, the files most kinds).
WEIGHTS = {"json": 25, "file": 35, "card": 12, "admin": 25, "health": 3}
TOKEN_SECONDS = 600  # log in again after this much wall time (tokens live 1800 s by default)


@dataclass
class Failure:
    count: int
    sample: dict  # the smallest request of the class


@dataclass
class Results:
    counts: Counter = field(default_factory=Counter)  # (route, status) -> n
    failures: dict = field(default_factory=dict)  # (class, route, mutation) -> Failure
    sent: int = 0
    seconds: float = 0.0
    healthy_after: bool = True  # /healthz answered 200 after the run

    def record(self, seed: Seed, mutation: str, detail: str, request: Request,
               answer: Answer, problems: list[tuple[str, str]]) -> None:
        status = "hang" if answer.timed_out else str(answer.status or "no-answer")
        hostile = mutation.startswith("file_name")
        route = "POST /oqs/files/{hostile name}" if hostile else seed.route
        self.counts[(route, status)] += 1
        self.sent += 1
        for kind, why in problems:
            sample = _sample(route, mutation, detail, request, answer, why)
            key = (kind, route, mutation)
            known = self.failures.get(key)
            if known is None:
                self.failures[key] = Failure(1, sample)
                continue
            known.count += 1
            if sample["size"] < known.sample["size"]:
                known.sample = sample


def _sample(route, mutation, detail, request, answer, why) -> dict:
    return {"route": route, "mutation": f"{mutation}: {detail}", "status": answer.status,
            "why": why, "method": request.method,
            "target": request.target[:200].decode("latin-1"),
            "request": request.body[:300].decode("utf-8", "replace"),
            "answer": answer.body[:300].decode("utf-8", "replace"),
            "size": len(request.target) + len(request.body)}


class Session:
    """Tokens and nonces for the requests, fetched with plain valid requests."""

    def __init__(self, target: Target, timeout: float) -> None:
        self.target, self.timeout = target, timeout
        self.token, self.token_at = b"", 0.0

    def _post(self, path: bytes, body: bytes = b"", headers=()) -> dict:
        request = Request("POST", path, [(b"Content-Type", b"application/json"), *headers], body)
        answer = send(request, self.target.host, self.target.port, self.timeout)
        try:
            return json.loads(answer.body)
        except ValueError:
            return {}

    def id_token(self) -> bytes:
        if not self.token or time.monotonic() - self.token_at > TOKEN_SECONDS:
            user, password, _ = self.target.accounts[0]
            body = json.dumps({"userId": user, "password": password}).encode()
            answer = self._post(LOGIN, body)
            self.token = answer.get("result", {}).get("idToken", "").encode()
            self.token_at = time.monotonic()
        return self.token

    def nonce(self) -> bytes:
        answer = self._post(b"/oqs/card/challenge", headers=[(b"Authorization", self.id_token())])
        return answer.get("nonce", "missing").encode()

    def finish(self, seed: Seed, draft: mutations.Draft) -> Request:
        """The draft as bytes, with the real token (and a fresh nonce) put in."""
        token = self.target.admin_token.encode() if seed.auth == "bearer" else self.id_token()
        headers = [(k, x.replace(b"{token}", token)) for k, x in draft.headers]
        body = draft.rendered()
        if b"{nonce}" in body:
            body = body.replace(b"{nonce}", self.nonce())
        return Request(draft.method, draft.target, headers, body, draft.content_length)


def draws(target: Target, seed: int, count: int):
    """The seeded cases: ``(seed request, mutation name, detail, draft)``, independent of the
    server's answers (tokens and nonces are put in when sending)."""
    rng = random.Random(seed)
    groups = {kind: [s for s in all_seeds(target) if s.interface == kind] for kind in WEIGHTS}
    for _ in range(count):
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        chosen = rng.choice(groups[kind])
        draft = chosen.draft(target)
        mutation = mutations.choose(rng, draft)
        detail = mutation(rng, draft)
        variant = draft.meta.get("variant")
        yield chosen, f"{mutation.__name__} {variant}" if variant else mutation.__name__, \
            detail, draft


def run(target: Target, *, requests: int, seed: int, timeout: float,
        max_seconds: float) -> Results:
    session, results = Session(target, timeout), Results()
    started = time.monotonic()
    for chosen, mutation, detail, draft in draws(target, seed, requests):
        if time.monotonic() - started > max_seconds:
            break
        request = session.finish(chosen, draft)
        answer = send(request, target.host, target.port, timeout)
        problems = oracles.check(chosen.interface, request, answer, timeout)
        results.record(chosen, mutation, detail, request, answer, problems)
    results.seconds = time.monotonic() - started
    return results
