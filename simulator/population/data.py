"""The figures a population is drawn from, read from ``datasets/population/`` (each file says
where its numbers come from) and checked loudly: a missing key names the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..datasets import DATASETS, DatasetError, load_yaml

__all__ = ["AgeBand", "AgeTable", "Municipality", "Branch", "PopulationData", "population_data",
           "by_age"]

FOLDER = DATASETS / "population"
KINDS = ("kyokai", "kumiai", "kyosai", "kokuho", "kokuho_kumiai", "koki", "welfare")


@dataclass(frozen=True, slots=True)
class AgeBand:
    start: int  # inclusive
    end: int  # inclusive
    male: float
    female: float


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str  # 全国地方公共団体コード, 6 digits
    prefecture: str
    name: str
    weight: float
    kokuho_number: str | None


@dataclass(frozen=True, slots=True)
class Branch:
    """One insurer of a prefecture named in the data (協会けんぽ 支部, 後期高齢 広域連合)."""

    prefecture: str
    number: str
    name: str


@dataclass(frozen=True)
class PopulationData:
    bands: tuple[AgeBand, ...]
    prefectures: Mapping[str, tuple[str, float]]  # code → (name, weight)
    municipalities: tuple[Municipality, ...]
    shares: Mapping[str, float]  # KINDS → share of all persons
    insurer_counts: Mapping[str, int]
    kyokai_branches: tuple[Branch, ...]
    koki_unions: tuple[Branch, ...]
    rates: Mapping[str, Any]
    households: Mapping[str, Any]
    drug_use: Mapping[str, Any]
    checkup_values: Mapping[str, Any]


def by_age(table: Mapping[Any, Any], age: int) -> Any:
    """The value of the band holding ``age`` in a mapping keyed by each band's lower bound."""
    best = None
    for key, value in sorted(((int(k), v) for k, v in table.items())):
        if key <= age:
            best = value
    if best is None:
        raise DatasetError(f"no band for age {age} in {sorted(table)}")
    return best


class AgeTable:
    """:func:`by_age` for every age 0–130, looked up by index (the generator's hot path)."""

    def __init__(self, table: Mapping[Any, Any], convert=float) -> None:
        first = min(int(k) for k in table)
        self.values = [None if age < first else convert(by_age(table, age))
                       for age in range(131)]

    def __getitem__(self, age: int) -> Any:
        return self.values[min(age, 130)]


def _need(raw: Any, key: str, where: str) -> Any:
    if not isinstance(raw, Mapping) or key not in raw:
        raise DatasetError(f"{where}: missing key {key!r}")
    return raw[key]


def _list(raw: Any, key: str, where: str) -> Sequence[Any]:
    value = _need(raw, key, where)
    if not isinstance(value, list) or not value:
        raise DatasetError(f"{where}: {key!r} must be a non-empty list")
    return value


def _bands(folder: Path) -> tuple[AgeBand, ...]:
    where = "age_pyramid.yaml"
    bands = tuple(AgeBand(int(_need(b, "from", where)), int(_need(b, "to", where)),
                          float(_need(b, "male", where)), float(_need(b, "female", where)))
                  for b in _list(load_yaml(folder / where), "bands", where))
    for before, after in zip(bands, bands[1:], strict=False):
        if after.start != before.end + 1:
            raise DatasetError(f"{where}: band {after.start} does not follow {before.end}")
    return bands


def _branches(raw: Any, key: str, where: str) -> tuple[Branch, ...]:
    return tuple(Branch(str(_need(b, "prefecture", where)), str(_need(b, "number", where)),
                        str(_need(b, "name", where))) for b in _list(raw, key, where))


def load_population_data(folder: Path = FOLDER) -> PopulationData:
    """Read every file of the population data; :class:`DatasetError` names what is wrong."""
    prefectures_raw = _list(load_yaml(folder / "prefectures.yaml"), "prefectures",
                            "prefectures.yaml")
    prefectures = {str(p["code"]): (str(p["name"]), float(p["population"]))
                   for p in prefectures_raw}
    where = "municipalities.yaml"
    municipalities = []
    for m in _list(load_yaml(folder / where), "municipalities", where):
        number = m.get("kokuho_number")
        municipalities.append(Municipality(
            str(_need(m, "code", where)), str(_need(m, "prefecture", where)),
            str(_need(m, "name", where)), float(m.get("population") or 0),
            None if number is None else str(number)))
    insurers = load_yaml(folder / "insurers.yaml")
    shares = {kind: float(_need(_need(insurers, "shares", "insurers.yaml"), kind,
                                "insurers.yaml shares")) for kind in KINDS}
    if abs(sum(shares.values()) - 1) > 0.002:
        raise DatasetError(f"insurers.yaml: shares sum to {sum(shares.values()):.4f}, not 1")
    counts = {str(k): int(v) for k, v in _need(insurers, "counts", "insurers.yaml").items()}
    return PopulationData(
        bands=_bands(folder),
        prefectures=prefectures,
        municipalities=tuple(_weighted_within_prefecture(municipalities)),
        shares=shares,
        insurer_counts=counts,
        kyokai_branches=_branches(insurers, "kyokai_branches", "insurers.yaml"),
        koki_unions=_branches(insurers, "koki_unions", "insurers.yaml"),
        rates=load_yaml(folder / "rates.yaml"),
        households=load_yaml(folder / "households.yaml"),
        drug_use=load_yaml(folder / "drug_use.yaml"),
        checkup_values=_need(load_yaml(folder / "checkup_values.yaml"), "items",
                             "checkup_values.yaml"),
    )


def _weighted_within_prefecture(municipalities: list[Municipality]) -> list[Municipality]:
    """Municipalities without a population weigh as much as their prefecture's average."""
    out = []
    for m in municipalities:
        if m.weight <= 0:
            known = [x.weight for x in municipalities
                     if x.prefecture == m.prefecture and x.weight > 0]
            m = Municipality(m.code, m.prefecture, m.name,
                             sum(known) / len(known) if known else 1.0, m.kokuho_number)
        out.append(m)
    return out


@cache
def population_data() -> PopulationData:
    """The project's population data, read once per process."""
    return load_population_data()
