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


def test_the_readme_lists_the_scenario_catalogue_with_its_titles() -> None:
    from simulator.scenarios.load import catalogue, parse_scenario

    text = README.read_text()
    section = text[text.index("The catalogue (`datasets/scenarios/`"):]
    section = section[:section.index("\n## ")]
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", section, re.M))

    shipped = {s.name: s.title for s in (
        parse_scenario(p.read_text(encoding="utf-8"), p.name) for p in catalogue())}
    assert rows == shipped


def _demo_table_rows() -> list[tuple[str, ...]]:
    text = README.read_text()
    section = text[text.index("| case | InsurerNumber |"):]
    section = section[:section.index("\n\n")]
    return re.findall(r"^\| (.+?) \| (\d+) \| (\S+) \| (\d+) \| (.+?) \| (\d{8}) \|", section,
                      re.M)


def test_the_readme_demo_cases_are_records_of_the_demo_world() -> None:
    from simulator.loaders.demo import generate_demo_world

    held = {(q.insurer.number, q.symbol or "–", q.number, q.branch or "–",
             q.birthdate.strftime("%Y%m%d"))
            for demo in generate_demo_world(persons=40).persons for q in demo.qualifications}
    rows = _demo_table_rows()

    assert len(rows) == 8
    for case, insurer, symbol, number, branches, born in rows:
        for branch in branches.split(" / "):
            assert (insurer, symbol, number, branch, born) in held, case
