"""The README's result-code table is the catalogue's (nothing missing, nothing stale)."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.codes import load_catalogue

README = Path(__file__).parents[2] / "README.md"


def test_the_readme_lists_every_result_code_with_its_message() -> None:
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r"^\| ([EWI]\d{4}) \| `[a-z_]+` \| \w+ \| \d+ \| (.+?) \|", README.read_text(), re.M)}

    expected = {e.code: e.message.replace("|", "\\|") for e in load_catalogue()}
    assert rows == expected
