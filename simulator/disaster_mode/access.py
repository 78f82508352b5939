"""Who may see medical information without the patient's consent: an institution a disaster
declaration covers (災害時医療情報閲覧), or one in emergency mode (緊急時医療情報・資格確認機能).

Either opens 薬剤, 特定健診 and 診療 information and the search without a card; :class:`Basis`
names why information was shown, for the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..registry.model import Institution
from .emergency import EmergencyMode, active_mode
from .model import Disaster, covering

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["Basis", "special_basis", "special_basis_in"]


@dataclass(frozen=True, slots=True)
class Basis:
    """Why the information may be shown: ``consent``, ``disaster`` or ``emergency``, with the
    id of that consent, declaration or emergency mode."""

    name: str
    id: int | None = None



def special_basis(disasters: Iterable[Disaster], modes: Iterable[EmergencyMode], *,
                  where: Institution | None, at: dt.datetime) -> Basis | None:
    """Without consent: a disaster declaration covering the institution ``where`` at ``at``
    (災害時医療情報閲覧), else its emergency mode active then (緊急時医療情報・資格確認機能).
    Either opens 薬剤, 特定健診 and 診療 information and the search without a card."""
    if where is None:
        return None
    disaster = covering(disasters, where, at)
    if disaster is not None:
        return Basis("disaster", disaster.id)
    mode = active_mode(modes, where.code, at)
    return None if mode is None else Basis("emergency", mode.id)


def special_basis_in(repo: Repository, *, institution: str, at: dt.datetime) -> Basis | None:
    """:func:`special_basis` read from the store."""
    return special_basis(repo.disasters(), repo.emergency_modes(institution),
                         where=repo.get_institution(institution), at=at)
