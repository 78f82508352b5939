"""The report: counts by route and status, then one sample per failure class."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from .oracles import CRITICAL
from .runner import Results


def table(results: Results) -> str:
    statuses = sorted({status for _, status in results.counts}, key=lambda s: (len(s), s))
    rows: dict[str, Counter] = defaultdict(Counter)
    for (route, status), count in results.counts.items():
        rows[route][status] = count
    width = max([len(r) for r in rows] + [5])
    lines = [f"{'route':<{width}} " + " ".join(f"{s:>7}" for s in statuses)]
    for route in sorted(rows):
        cells = (str(rows[route][s] or "") for s in statuses)
        lines.append(f"{route:<{width}} " + " ".join(f"{c:>7}" for c in cells))
    totals = Counter()
    for (_, status), count in results.counts.items():
        totals[status] += count
    lines.append(f"{'total':<{width}} " + " ".join(f"{totals[s]:>7}" for s in statuses))
    return "\n".join(lines)


def failures(results: Results) -> str:
    lines = []
    ordered = sorted(results.failures.items(),
                     key=lambda item: (item[0][0] not in CRITICAL, item[0]))
    for (kind, route, mutation), failure in ordered:
        s = failure.sample
        lines.append(f"\n[{kind}] {route} · {mutation} · {failure.count}×")
        lines.append(f"  sample: {s['mutation']} -> HTTP {s['status']} ({s['why']})")
        lines.append(f"  request: {s['method']} {s['target']!r}  body {s['request'][:160]!r}")
        lines.append(f"  answer:  {s['answer']!r}")
    return "\n".join(lines)


def summary(results: Results, log_tracebacks: list[str] | None) -> dict:
    by_class = Counter()
    for (kind, _, _), failure in results.failures.items():
        by_class[kind] += failure.count
    by_status = Counter()
    for (_, status), count in results.counts.items():
        by_status[status] += count
    return {
        "requests": results.sent, "seconds": round(results.seconds, 1),
        "healthy_after": results.healthy_after,
        "by_status": dict(sorted(by_status.items())), "failures": dict(sorted(by_class.items())),
        "status_500": by_status.get("500", 0), "hangs": by_class.get("hang", 0),
        "body_tracebacks": by_class.get("traceback", 0),
        "log_tracebacks": None if log_tracebacks is None else len(log_tracebacks),
        "log_exceptions": dict(Counter(log_tracebacks or []).most_common()),
        "classes": [{"class": k, "route": r, "mutation": m, "count": f.count, "sample": f.sample}
                    for (k, r, m), f in sorted(results.failures.items())],
    }


def failed(data: dict) -> bool:
    """Exit non-zero: any 5xx but 503, traceback (body or log), hang, or a dead server."""
    return bool(data["failures"].get("5xx") or data["body_tracebacks"] or data["hangs"]
                or data["log_tracebacks"] or not data["healthy_after"])


def write(path: str, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
