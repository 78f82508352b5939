"""Insurer profiles: how long registration takes, by kind of insurer (``datasets/``).

Loaded once and checked at start-up: an unknown kind, a missing key or a weight list without a
positive weight fails loudly.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .datasets import DATASETS, DatasetError, load_yaml
from .registry.change import Delays
from .registry.model import InsurerKind

__all__ = ["Profile", "Profiles", "load_profiles"]

_KEYS = {"employer_notify_days", "insurer_register_days", "checkup_upload_days"}


@dataclass(frozen=True, slots=True)
class Profile:
    employer_notify_weights: tuple[float, ...]
    insurer_register_weights: tuple[float, ...]
    checkup_upload_days: int

    def draw(self, rng: random.Random) -> Delays:
        """Draw the delays of one filing."""
        notify = rng.choices(range(len(self.employer_notify_weights)),
                             self.employer_notify_weights)[0]
        register = rng.choices(range(len(self.insurer_register_weights)),
                               self.insurer_register_weights)[0]
        return Delays(notify, register)


@dataclass(frozen=True, slots=True)
class Profiles:
    by_kind: Mapping[str, Profile]

    def of(self, kind: InsurerKind) -> Profile:
        return self.by_kind.get(kind.value) or self.by_kind["default"]


def _weights(raw: object, where: str) -> tuple[float, ...]:
    if (not isinstance(raw, Sequence) or isinstance(raw, str) or not raw
            or not all(isinstance(w, int | float) and w >= 0 for w in raw) or not sum(raw)):
        raise DatasetError(f"{where}: expected a list of weights ≥ 0 with a positive sum")
    return tuple(float(w) for w in raw)


def _profile(raw: object, where: str) -> Profile:
    if not isinstance(raw, Mapping) or set(raw) != _KEYS:
        raise DatasetError(f"{where}: expected exactly the keys {sorted(_KEYS)}")
    upload = raw["checkup_upload_days"]
    if not isinstance(upload, int) or upload < 0:
        raise DatasetError(f"{where}.checkup_upload_days: expected days ≥ 0")
    return Profile(
        _weights(raw["employer_notify_days"], f"{where}.employer_notify_days"),
        _weights(raw["insurer_register_days"], f"{where}.insurer_register_days"),
        upload,
    )


def load_profiles(path: Path | None = None) -> Profiles:
    """Read ``datasets/insurer_profiles.yaml``.

    :raises DatasetError: on an unknown kind, a missing ``default`` or a malformed profile.
    """
    path = path or DATASETS / "insurer_profiles.yaml"
    document = load_yaml(path)
    raw = document.get("profiles") if isinstance(document, Mapping) else None
    if not isinstance(raw, Mapping) or "default" not in raw:
        raise DatasetError(f"{path}: expected 'profiles' with a 'default' entry")
    kinds = {kind.value for kind in InsurerKind} | {"default"}
    for name in raw:
        if name not in kinds:
            raise DatasetError(f"{path}: profiles.{name}: unknown kind of insurer")
    return Profiles({name: _profile(value, f"{path}: profiles.{name}")
                     for name, value in raw.items()})
