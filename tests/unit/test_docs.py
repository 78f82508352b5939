"""The project documents itself: docs/codes.md follows datasets/, links resolve, no outside
citations."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
OPENAPI = ROOT / "simulator" / "api" / "admin" / "openapi.json"

FORBIDDEN = ("DESIGN", "reference §", "../shared")

#: Markdown links [text](target) and <a href="target">; images included.
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|href=\"([^\"]+)\"")


def _generator():
    spec = importlib.util.spec_from_file_location("generate_codes", DOCS / "generate_codes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_codes_page_is_generated_from_the_datasets() -> None:
    expected = _generator().render()

    assert (DOCS / "codes.md").read_text(encoding="utf-8") == expected, (
        "docs/codes.md is out of date: run python docs/generate_codes.py")


def test_codes_page_lists_every_table_and_result_code() -> None:
    import yaml

    page = (DOCS / "codes.md").read_text(encoding="utf-8")
    tables = yaml.safe_load((ROOT / "datasets/codes/oqscd.yaml").read_text(encoding="utf-8"))
    codes = yaml.safe_load((ROOT / "datasets/codes/result_codes.yaml").read_text(encoding="utf-8"))

    assert all(f"| {key} |" in page for key in tables)
    assert all(f"| {entry['code']} | `{entry['name']}` |" in page for entry in codes)


@pytest.mark.parametrize("path", [README, *sorted(DOCS.glob("*")), OPENAPI],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_text_cites_material_outside_the_project(path: Path) -> None:
    if path.is_dir():
        pytest.skip("a folder")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":  # \u escapes would hide "§"
        text = json.dumps(json.loads(text), ensure_ascii=False)

    found = [word for word in FORBIDDEN if word in text]
    assert not found, f"{path.name} cites {found}"


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http:, https:, mailto:, or an anchor in the same page
        file = target.split("#", 1)[0]
        if not (page.parent / file).exists():
            broken.append(target)

    assert not broken, f"{page.name}: links to missing files {broken}"


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_anchor_link_names_a_heading(page: Path) -> None:
    def anchors(path: Path) -> set[str]:
        headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
        return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}

    text = page.read_text(encoding="utf-8")
    missing = []
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if "#" not in target or re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue
        file, anchor = target.split("#", 1)
        path = page.parent / file if file else page
        if path.suffix == ".md" and path.exists() and anchor not in anchors(path):
            missing.append(target)

    assert not missing, f"{page.name}: anchors with no heading {missing}"


def test_the_scenario_example_follows_the_schema() -> None:
    import jsonschema
    import yaml

    page = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    example = page[page.index("## A complete example"):]
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", example, re.S).group(1))
    schema = json.loads((ROOT / "datasets" / "scenario.schema.json").read_text(encoding="utf-8"))
    as_json = json.loads(json.dumps(example, default=lambda v: v.isoformat()))  # YAML dates

    jsonschema.Draft202012Validator(schema).validate(as_json)
    assert as_json["timeline"][0]["card_issued_on"] == "2026-05-18"
