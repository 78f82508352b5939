"""The result-code catalogue and the OQSCD tables: loaded, checked, and complete."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from simulator.codes import load_catalogue, load_code_tables
from simulator.datasets import DatasetError

SOURCE = Path(__file__).parents[2] / "simulator"


def _code_names_in_source() -> set[str]:
    """Every ``code = "x"`` class attribute and ``code="x"`` keyword in the package."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "code" for t in node.targets
            ) and isinstance(node.value, ast.Constant):
                names.add(node.value.value)
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(
                node.value, ast.Constant
            ):
                names.add(node.value.value)
    return names


def test_every_error_code_raised_in_the_source_is_in_the_catalogue() -> None:
    catalogue = load_catalogue()
    names = _code_names_in_source()

    assert names, "the scan found no codes at all"
    assert sorted(n for n in names if n not in catalogue) == []


def test_the_catalogue_covers_what_design_requires() -> None:
    catalogue = load_catalogue()
    required = {
        "card_expiring", "card_expired", "card_revoked", "card_not_registered",
        "card_signature_invalid", "consent_missing", "disaster_not_covered", "malformed_message",
        "unknown_file_kind", "check_digit", "date_format", "reception_number_unknown",
        "bulk_processing", "too_many_items", "institution_mismatch", "token_expired", "outage",
        "maintenance",
    }

    assert required - {entry.name for entry in catalogue} == set()


def test_a_message_fills_its_placeholders() -> None:
    entry = load_catalogue()["check_digit"]

    assert entry.code == "E3003"
    expected = "InsurerNumberの検証番号が正しくありません。"
    assert entry.text(field="InsurerNumber", detail=None) == expected


def test_the_expiry_warning_is_a_warning() -> None:
    assert load_catalogue()["card_expiring"].level == "warning"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- {name: a, code: E1, level: error, http: 400, message: x, when: y}\n"
         "- {name: a, code: E2, level: error, http: 400, message: x, when: y}\n", "duplicate"),
        ("- {name: a, code: E1, level: loud, http: 400, message: x, when: y}\n", "level"),
        ("- {name: a, code: E1, level: error, http: 400, message: '{who}', when: y}\n",
         "placeholder"),
        ("- {name: a, code: E1, level: error, message: x, when: y}\n", "exactly the keys"),
        ("- {name: a, name: b, code: E1, level: error, http: 400, message: x, when: y}\n",
         "duplicate key"),
    ],
    ids=["duplicate name", "unknown level", "unknown placeholder", "missing key",
         "duplicate yaml key"],
)
def test_a_broken_catalogue_stops_start_up_naming_the_problem(tmp_path, text, problem) -> None:
    path = tmp_path / "codes.yaml"
    path.write_text(text)

    with pytest.raises(DatasetError, match=problem):
        load_catalogue(path)


def test_the_code_tables_answer_labels() -> None:
    tables = load_code_tables()

    assert tables.label("OQSCD006", "4") == "該当資格なし"
    assert tables.label("OQSCD008", "02") == "生活保護受給開始"
    assert tables.values("OQSCD005") == {"0": "UTF-8", "1": "Shift_JIS"}
    assert tables.name("OQSCD016") == "同意区分"


def test_an_unquoted_numeric_code_value_is_refused(tmp_path) -> None:
    path = tmp_path / "oqscd.yaml"
    path.write_text("OQSCD999: {name: x, values: {01: a}}\n")

    with pytest.raises(DatasetError, match="not a quoted string"):
        load_code_tables(path)


def test_the_scenario_schema_allows_exactly_the_code_tables_values() -> None:
    from simulator.scenarios.load import SCHEMA

    definitions = json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"]
    tables = load_code_tables()

    category = definitions["specific_disease"]["properties"]["category"]["enum"]
    assert category == list(tables.values("OQSCD013"))
    assert definitions["reason_of_loss"]["enum"] == list(tables.values("OQSCD008"))
