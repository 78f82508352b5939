"""A quick run of the fuzz harness (loadtests/fuzz.py) against a server it starts itself."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[2] / "loadtests" / "fuzz.py"
REQUESTS, SEED = 2000, 14


def load_fuzz():
    spec = importlib.util.spec_from_file_location("oqs_fuzz", FUZZ)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_same_seed_draws_the_same_requests() -> None:
    load_fuzz()  # puts loadtests/ on sys.path
    from fuzzing.routes import Target
    from fuzzing.runner import draws

    target = Target("127.0.0.1", 1, "admin", [("clinic", "pw", "1311500019")], 65_536)

    def digest(seed: int) -> str:
        h = hashlib.sha256()
        for _, _, _, draft in draws(target, seed, 500):
            h.update(draft.method.encode() + draft.target + draft.rendered())
        return h.hexdigest()

    assert digest(SEED) == digest(SEED) != digest(SEED + 1)


def test_fuzzing_every_route_finds_no_500_traceback_or_hang(tmp_path, capsys) -> None:
    report = tmp_path / "fuzz.json"
    status = load_fuzz().main(["--requests", str(REQUESTS), "--seed", str(SEED),
                               "--max-seconds", "75", "--report", str(report), "--quiet",
                               "--serve-cmd", str(Path(sys.executable).with_name("oqs-sim"))])

    data = json.loads(report.read_text("utf-8"))
    critical = [f"{c['class']} {c['route']} {c['sample']['mutation']} -> {c['sample']['status']}"
                f" ({c['count']}×)" for c in data["classes"]
                if c["class"] in ("5xx", "traceback", "hang")]
    assert data["requests"] >= 500, data["requests"]  # --max-seconds may cut a slow run
    assert (data["status_500"], data["body_tracebacks"], data["hangs"]) == (0, 0, 0), \
        "\n".join(critical)
    assert data["log_tracebacks"] == 0, data["log_exceptions"]
    assert data["healthy_after"]
    assert status == 0
