"""The insurers of a generated population: every kind, numbered with valid check digits.

協会けんぽ 支部 are the real ones (``insurers.yaml``); 後期高齢 広域連合 number their insured
per municipality (39 + the municipality's code + check digit, under the union's name);
市町村国保 are the municipalities (their real 6-digit numbers where the data has them, else a
number of the right form); 組合健保, 共済組合 and 国保組合 are made up, as many as the data
counts, spread over the prefectures by population. The catalogue does not depend on the seed:
every store generated from the same data has the same insurers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from ..registry.identifiers import check_digit
from ..registry.model import Insurer, InsurerKind
from .data import Municipality, PopulationData

__all__ = ["Catalogue", "catalogue", "with_check_digit"]

#: 法別番号 of the four kinds of 共済組合 (国家公務員, 地方公務員, 警察, 公立学校).
_KYOSAI_LAWS = ("31", "32", "33", "34")
_KUMIAI_TRADES = ("商事", "電機", "製作所", "物産", "建設", "化学", "運輸", "食品", "銀行", "薬品",
                  "情報システム", "自動車", "鉄鋼", "百貨店", "不動産", "印刷", "証券", "海運")
_KOKUHO_TRADES = ("医師", "歯科医師", "薬剤師", "建設", "理容", "美容", "食品販売", "文具商",
                  "土木")


def with_check_digit(body: str) -> str:
    return body + str(check_digit(body))


@dataclass(frozen=True)
class Catalogue:
    """Every insurer, and who insures a person of each prefecture."""

    kyokai: Mapping[str, Insurer]  # prefecture → 支部
    koki: Mapping[str, Insurer]  # municipality code → 後期高齢 保険者番号 of the 広域連合
    kokuho: Mapping[str, Insurer]  # municipality code → 市町村国保
    kumiai: Mapping[str, Sequence[Insurer]]  # prefecture → 健康保険組合
    kyosai: Mapping[str, Sequence[Insurer]]
    kokuho_kumiai: Mapping[str, Sequence[Insurer]]

    def all(self) -> list[Insurer]:
        found = [*self.kyokai.values(), *self.koki.values(), *self.kokuho.values()]
        for group in (self.kumiai, self.kyosai, self.kokuho_kumiai):
            found += [insurer for insurers in group.values() for insurer in insurers]
        return sorted(found, key=lambda i: i.number)


def _spread(count: int, weights: Mapping[str, float], rng: random.Random) -> list[str]:
    """``count`` prefectures drawn by weight, every prefecture at least once when it can."""
    codes = sorted(weights)
    chosen = codes[:count] if count < len(codes) else list(codes)
    chosen += rng.choices(codes, [weights[c] for c in codes], k=max(0, count - len(chosen)))
    return sorted(chosen)


def _numbered(prefectures: list[str], make) -> dict[str, list[Insurer]]:
    by_prefecture: dict[str, list[Insurer]] = defaultdict(list)
    for prefecture in prefectures:
        by_prefecture[prefecture].append(make(prefecture, len(by_prefecture[prefecture]) + 1))
    return dict(by_prefecture)


def _kokuho(m: Municipality, sequence: int) -> Insurer:
    number = m.kokuho_number or with_check_digit(f"{m.prefecture}{sequence:03d}")
    return Insurer(number, m.name, InsurerKind.KOKUHO)


def _koki(data: PopulationData) -> dict[str, Insurer]:
    """後期高齢者医療: each 広域連合 numbers its insured per municipality, 39 + the
    municipality's 5-digit code + check digit (東京都千代田区: 39131016)."""
    unions = {b.prefecture: b.name for b in data.koki_unions}
    return {m.code: Insurer(with_check_digit(f"39{m.code[:5]}"), unions[m.prefecture],
                            InsurerKind.KOKI) for m in data.municipalities}


def build_catalogue(data: PopulationData) -> Catalogue:
    rng = random.Random(0)  # names and spreads only; fixed so that the catalogue is stable
    weights = {code: weight for code, (_, weight) in data.prefectures.items()}
    names = {code: name for code, (name, _) in data.prefectures.items()}
    counts = data.insurer_counts
    per_prefecture: dict[str, int] = defaultdict(int)
    kokuho = {}
    for m in data.municipalities:
        per_prefecture[m.prefecture] += 1
        kokuho[m.code] = _kokuho(m, per_prefecture[m.prefecture])

    def kumiai(prefecture: str, n: int) -> Insurer:
        name = f"{names[prefecture][:-1] or names[prefecture]}{rng.choice(_KUMIAI_TRADES)}"
        return Insurer(with_check_digit(f"06{prefecture}{n:03d}"), f"{name}健康保険組合",
                       InsurerKind.KUMIAI)

    def kyosai(prefecture: str, n: int) -> Insurer:
        law = _KYOSAI_LAWS[n % len(_KYOSAI_LAWS)]
        return Insurer(with_check_digit(f"{law}{prefecture}{n:03d}"),
                       f"{names[prefecture]}職員共済組合第{n}支部", InsurerKind.KYOSAI)

    def kokuho_kumiai(prefecture: str, n: int) -> Insurer:
        trade = _KOKUHO_TRADES[n % len(_KOKUHO_TRADES)]
        return Insurer(with_check_digit(f"{prefecture}3{n:02d}"),
                       f"{names[prefecture]}{trade}国民健康保険組合", InsurerKind.KOKUHO)

    return Catalogue(
        kyokai={b.prefecture: Insurer(b.number, b.name, InsurerKind.KYOKAI)
                for b in data.kyokai_branches},
        koki=_koki(data),
        kokuho=kokuho,
        kumiai=_numbered(_spread(counts["kumiai"], weights, rng), kumiai),
        kyosai=_numbered(_spread(counts["kyosai"], weights, rng), kyosai),
        kokuho_kumiai=_numbered(_spread(counts["kokuho_kumiai"], weights, rng), kokuho_kumiai),
    )


@cache
def catalogue() -> Catalogue:
    from .data import population_data

    return build_catalogue(population_data())
