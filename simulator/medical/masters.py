"""Masters of the medical information (``datasets/masters/``): the 特定健診 items and a small
drug master.

Both are read once and checked loudly: an unknown or missing key, a duplicate name
or code, a code of the wrong form, a DataType other than PQ / CD / CO / ST, a numeric item
without its unit or a coded item without its OID and values stops start-up with
:class:`~simulator.datasets.DatasetError` naming the file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..datasets import DATASETS, DatasetError, load_yaml

__all__ = [
    "DATA_TYPES",
    "CheckupItem",
    "CheckupItems",
    "DrugEntry",
    "Drugs",
    "load_checkup_items",
    "load_drugs",
    "checkup_items",
    "drugs",
]

#: DataType of a checkup result: 物理量 (number), coded, ordinal (coded, ordered), text.
DATA_TYPES = ("PQ", "CD", "CO", "ST")
CODED = frozenset({"CD", "CO"})
_ITEM_CODE = re.compile(r"[0-9A-Z]{17}")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_DRUG_CODE = re.compile(r"[0-9]{9}")
_ITEM_KEYS = {"name", "code", "label", "type"}
_ITEM_OPTIONAL = {"unit", "oid", "values"}
_DRUG_KEYS = {"code", "name", "ingredient", "unit", "usage"}
_DRUG_OPTIONAL = {"weight", "ages"}


@dataclass(frozen=True, slots=True)
class CheckupItem:
    """One 特定健診 item: ItemCode, ItemName, DataType, and Unit or Oid with its values."""

    name: str  # short key used by scenario files
    code: str  # 項目コード, 17 characters
    label: str  # 項目名
    data_type: str  # PQ | CD | CO | ST
    unit: str | None = None
    oid: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)  # code → DataValueName

    @property
    def coded(self) -> bool:
        return self.data_type in CODED

    def value_name(self, value: str) -> str | None:
        """The DataValueName of a coded value (None for other types)."""
        return self.values.get(value) if self.coded else None


class CheckupItems:
    """The item master: find an item by its short name or its 17-character code."""

    def __init__(self, items: Sequence[CheckupItem]) -> None:
        self._items = tuple(items)
        self._by_key = {key: item for item in items for key in (item.name, item.code)}
        self._order = {item.code: index for index, item in enumerate(items)}

    def find(self, key: str) -> CheckupItem | None:
        return self._by_key.get(key)

    def order(self, code: str) -> int:
        """The position of ``code`` in the master (unknown codes last)."""
        return self._order.get(code, len(self._order))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self._items)

    def __iter__(self) -> Iterator[CheckupItem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class DrugEntry:
    """One drug of the master: the defaults of a drug record given by code."""

    code: str  # レセプト電算処理システム 医薬品コード, 9 digits
    name: str
    ingredient: str
    unit: str
    usage: str
    weight: float = 1.0  # relative frequency of use, for a generator's choice
    ages: tuple[int, int] | None = None  # who gets it: [from, to] years, inclusive; None = all

    def fits(self, age: int) -> bool:
        """Whether a person of ``age`` may get this drug."""
        return self.ages is None or self.ages[0] <= age <= self.ages[1]


class Drugs:
    """The drug master by code."""

    def __init__(self, entries: Sequence[DrugEntry]) -> None:
        self._by_code = {entry.code: entry for entry in entries}

    def get(self, code: str) -> DrugEntry | None:
        return self._by_code.get(code)

    def __iter__(self) -> Iterator[DrugEntry]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)


# -- loading -----------------------------------------------------------------------------------


def _entries(path: Path, key: str) -> list[Any]:
    document = load_yaml(path)
    raw = document.get(key) if isinstance(document, Mapping) else None
    if not isinstance(raw, list) or not raw:
        raise DatasetError(f"{path}: expected a non-empty list under '{key}'")
    return raw


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f"{where}.{key}: expected a non-empty string")
    return value


def _values(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not raw:
        raise DatasetError(f"{where}.values: expected a mapping of code → DataValueName")
    for code, name in raw.items():
        if not isinstance(code, str) or not isinstance(name, str) or not name:
            raise DatasetError(f"{where}.values: {code!r} needs a quoted code and a name")
    return dict(raw)


def _check_shape(raw: Mapping[str, Any], where: str) -> None:
    data_type = raw["type"]
    if data_type not in DATA_TYPES:
        raise DatasetError(f"{where}.type: {data_type!r} is not one of {', '.join(DATA_TYPES)}")
    if data_type == "PQ" and ("unit" not in raw or {"oid", "values"} & set(raw)):
        raise DatasetError(f"{where}: a PQ item needs a unit and no oid or values")
    if data_type in CODED and ({"oid", "values"} - set(raw) or "unit" in raw):
        raise DatasetError(f"{where}: a {data_type} item needs oid and values and no unit")
    if data_type == "ST" and _ITEM_OPTIONAL & set(raw):
        raise DatasetError(f"{where}: an ST item takes no unit, oid or values")


def _item(raw: Any, where: str) -> CheckupItem:
    if not isinstance(raw, Mapping) or not _ITEM_KEYS <= set(raw) <= _ITEM_KEYS | _ITEM_OPTIONAL:
        raise DatasetError(f"{where}: expected the keys {sorted(_ITEM_KEYS)} "
                           f"and some of {sorted(_ITEM_OPTIONAL)}")
    name, code = _text(raw, "name", where), _text(raw, "code", where)
    if not _NAME.fullmatch(name):
        raise DatasetError(f"{where}.name: {name!r} must be lower-case letters, digits and _")
    if not _ITEM_CODE.fullmatch(code):
        raise DatasetError(f"{where}.code: {code!r} is not a 17-character 項目コード")
    _check_shape(raw, where)
    return CheckupItem(
        name=name, code=code, label=_text(raw, "label", where), data_type=raw["type"],
        unit=_text(raw, "unit", where) if "unit" in raw else None,
        oid=_text(raw, "oid", where) if "oid" in raw else None,
        values=_values(raw["values"], where) if "values" in raw else {},
    )


def load_checkup_items(path: Path | None = None) -> CheckupItems:
    """Read ``datasets/masters/checkup_items.yaml``.

    :raises DatasetError: on a malformed entry or a duplicate name or code.
    """
    path = path or DATASETS / "masters" / "checkup_items.yaml"
    items: list[CheckupItem] = []
    seen: set[str] = set()
    for index, raw in enumerate(_entries(path, "items")):
        item = _item(raw, f"{path}: items[{index}]")
        for key in (item.name, item.code):
            if key in seen:
                raise DatasetError(f"{path}: items[{index}]: duplicate name or code {key}")
            seen.add(key)
        items.append(item)
    return CheckupItems(items)


def _weight(raw: Mapping[str, Any], where: str) -> float:
    value = raw.get("weight", 1)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise DatasetError(f"{where}.weight: expected a positive number")
    return float(value)


def _ages(raw: Mapping[str, Any], where: str) -> tuple[int, int] | None:
    value = raw.get("ages")
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or not 0 <= value[0] <= value[1]):
        raise DatasetError(f"{where}.ages: expected [from, to], whole years, from <= to")
    return value[0], value[1]


def _drug(raw: Any, where: str) -> DrugEntry:
    if not isinstance(raw, Mapping) or not _DRUG_KEYS <= set(raw) <= _DRUG_KEYS | _DRUG_OPTIONAL:
        raise DatasetError(f"{where}: expected exactly the keys {sorted(_DRUG_KEYS)} "
                           f"and optionally {sorted(_DRUG_OPTIONAL)}")
    code = _text(raw, "code", where)
    if not _DRUG_CODE.fullmatch(code):
        raise DatasetError(f"{where}.code: {code!r} is not a 9-digit 医薬品コード")
    return DrugEntry(code, *(_text(raw, key, where)
                             for key in ("name", "ingredient", "unit", "usage")),
                     weight=_weight(raw, where), ages=_ages(raw, where))


def load_drugs(path: Path | None = None) -> Drugs:
    """Read ``datasets/masters/drugs.yaml``.

    :raises DatasetError: on a malformed entry or a duplicate code.
    """
    path = path or DATASETS / "masters" / "drugs.yaml"
    entries: list[DrugEntry] = []
    for index, raw in enumerate(_entries(path, "drugs")):
        entry = _drug(raw, f"{path}: drugs[{index}]")
        if any(e.code == entry.code for e in entries):
            raise DatasetError(f"{path}: drugs[{index}]: duplicate code {entry.code}")
        entries.append(entry)
    return Drugs(entries)


@cache
def checkup_items() -> CheckupItems:
    """The shipped item master, read once per process."""
    return load_checkup_items()


@cache
def drugs() -> Drugs:
    """The shipped drug master, read once per process."""
    return load_drugs()
