"""What every answer must satisfy, whatever was sent.

Critical (the run fails): a 5xx other than 503, a traceback in a body, a hang. Reported too:
answers not in their interface's format, connections closed without an answer, headers that a
request managed to inject.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes

from .rawhttp import Answer, Request

CRITICAL = ("5xx", "traceback", "hang")
DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9_.:-]+)[\"'][^>]*\?>")
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
# Interfaces and the formats their answers may come in.
FORMATS = {"json": {"json"}, "admin": {"json"}, "health": {"json"}, "file": {"xml"},
           "card": {"json", "xml"}}


def check(interface: str, request: Request, answer: Answer,
          timeout: float) -> list[tuple[str, str]]:
    """The failures of one answer: ``[(class, detail), ...]``."""
    if answer.timed_out or answer.seconds > timeout:
        return [("hang", f"{answer.seconds:.1f} s")]
    if answer.status is None:
        return [("no-answer", answer.error or "closed without a status line")]
    failures = []
    if answer.status >= 500 and answer.status != 503:
        failures.append(("5xx", f"HTTP {answer.status}"))
    if b"Traceback" in answer.body or b'File "' in answer.body:
        failures.append(("traceback", "in the body"))
    if "x-injected" in answer.headers:
        failures.append(("header-injection", "X-Injected came back"))
    if not failures and request.method not in ("HEAD", "OPTIONS") \
            and not 300 <= answer.status < 400 and not http_layer_refusal(answer):
        failures += [("format", d) for d in format_problems(interface, request, answer)]
    return failures


def http_layer_refusal(answer: Answer) -> bool:
    """gunicorn's own 4xx for a request it cannot parse (the app never saw it)."""
    return 400 <= answer.status < 500 and answer.body.lstrip().startswith(b"<html>")


def format_problems(interface: str, request: Request, answer: Answer) -> list[str]:
    allowed = set(FORMATS[interface])
    method = request.method
    if interface == "file" and (method != "POST" or b"/" in unquote_to_bytes(
            request.target.split(b"?")[0][len(b"/oqs/files/"):])):
        allowed.add("json")  # 405, or a name with a slash: another URL, the common 404
    kind = "xml" if "xml" in answer.headers.get("content-type", "") else "json"
    if kind not in allowed:
        return [f"{kind} answer ({answer.headers.get('content-type', 'no Content-Type')}), "
                f"expected {'/'.join(sorted(allowed))}"]
    problems = json_problems(answer.body) if kind == "json" else xml_problems(answer.body)
    if interface == "file" and kind == "xml":
        problems += file_name_problems(answer)
    return problems


def json_problems(body: bytes) -> list[str]:
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [f"JSON: {exc}"[:120]]
    return []


def xml_problems(body: bytes) -> list[str]:
    """XML in the encoding it declares: strict Shift_JIS (JIS X 0208 only) or UTF-8 without
    private-use characters."""
    match = DECLARATION.match(body)
    encoding = match.group(1).decode().lower().replace("-", "_") if match else "utf_8"
    codec = {"shift_jis": "shift_jis", "utf_8": "utf-8"}.get(encoding)
    if codec is None:
        return [f"XML declares {encoding}"]
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        return [f"XML not strict {codec}: {exc}"[:160]]
    problems = []
    if codec == "utf-8" and PRIVATE_USE.search(text):
        problems.append("UTF-8 XML with a private-use character")
    try:
        ET.fromstring(text[match.end():] if match else text)
    except ET.ParseError as exc:
        problems.append(f"XML: {exc}")
    return problems


def file_name_problems(answer: Answer) -> list[str]:
    name = answer.headers.get("x-oqs-file-name")
    if name is None:
        return ["no X-OQS-File-Name"]
    if answer.status >= 400 and not name.endswith(".err"):
        return [f"HTTP {answer.status} with X-OQS-File-Name {name[:60]!r} (not .err)"]
    return []
