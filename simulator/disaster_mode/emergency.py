"""Emergency mode for a system failure (緊急時医療情報・資格確認機能) — pure.

When an institution reports that it cannot confirm qualifications online (its terminal, its
network or OQS itself failed), the admin can switch that institution into emergency mode for a
period in business time ``[starts_at, ends_at)``; ``ends_at`` None runs until ended by hand
(``ended_at``), which cuts any period short. While it is active the institution may find a
patient without a card (カナ氏名, 生年月日, 性別, 住所) and read 薬剤, 特定健診 and 診療
information without consent, as under a disaster declaration; each access is audited with basis
``emergency``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..periods import StoppablePeriod, period_status, stopped
from ..registry.errors import Conflict, InvalidInput

__all__ = ["EmergencyMode", "active_mode", "new_mode", "ended", "mode_status", "REASON_MAX"]

REASON_MAX = 200


@dataclass(frozen=True, slots=True)
class EmergencyMode(StoppablePeriod):
    institution: str  # 医療機関コード
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None  # exclusive; None: until ended
    reason: str = ""
    ended_at: dt.datetime | None = None
    id: int | None = None


def active_mode(modes: Iterable[EmergencyMode], institution: str,
                at: dt.datetime) -> EmergencyMode | None:
    """The institution's emergency mode active at ``at`` (of several, the earliest start)."""
    found = [m for m in modes if m.institution == institution and m.active_at(at)]
    return min(found, key=lambda m: (m.starts_at, m.id or 0), default=None)


def mode_status(mode: EmergencyMode, at: dt.datetime) -> str:
    """scheduled, active, over, ended or cancelled at ``at``."""
    return period_status(mode, at)


def _overlaps(a: EmergencyMode, b: EmergencyMode) -> bool:
    a_end, b_end = a.end, b.end
    return (a_end is None or b.starts_at < a_end) and (b_end is None or a.starts_at < b_end)


def new_mode(existing: Iterable[EmergencyMode], *, institution: str, starts_at: dt.datetime,
             ends_at: dt.datetime | None, reason: object = "", path: str = "") -> EmergencyMode:
    """A new emergency mode for ``institution``.

    :raises InvalidInput: ``to`` not after ``from``; a reason that is not text or too long.
    :raises Conflict: it overlaps another mode of the same institution.
    """
    def at(key: str) -> str:
        return f"{path}.{key}" if path else key

    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(at("to"), "must be after from")
    if reason is None:
        reason = ""
    if not isinstance(reason, str) or len(reason) > REASON_MAX:
        raise InvalidInput(at("reason"), f"must be text of at most {REASON_MAX} characters")
    mode = EmergencyMode(institution, starts_at, ends_at, reason.strip())
    clash = next((m for m in existing if m.institution == institution
                  and mode_status(m, starts_at) != "cancelled" and _overlaps(m, mode)), None)
    if clash is not None:
        raise Conflict(f"{at('institution')}: {institution} is already in emergency mode "
                       f"(id {clash.id}) for part of that period; end it first")
    return mode


def ended(mode: EmergencyMode, at: dt.datetime) -> EmergencyMode:
    """The mode stopped by hand at ``at``.

    :raises Conflict: it has already stopped by then.
    """
    return stopped(mode, at, f"emergency mode {mode.id}")
