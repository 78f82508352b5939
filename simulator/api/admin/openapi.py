"""``/sim/v1/openapi.json``: the OpenAPI 3.1 description of the admin API (a static file)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from . import bp

DOCUMENT = Path(__file__).with_name("openapi.json")


@cache
def document() -> dict:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    return document()
