"""The ``bulk_queries`` job's work: render each processed item as its BulkConfirmUnit.

Kept apart from :mod:`simulator.bulk.service` so the service does not know the message
format. The unit is stored as XML text rendered under the UTF-8 rules; a Shift_JIS download
only replaces the characters Shift_JIS lacks (tags are ASCII, so this equals rendering the tree
in Shift_JIS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from .bulk.service import process_pending
from .clock import Clock
from .codes import Catalogue, load_catalogue
from .config import Settings
from .messages.bulk import unit_tree
from .messages.encoding import UTF8
from .messages.tree import fragment
from .registry.errors import InvalidInput
from .registry.lookup import Confirmation
from .registry.services import UnitOfWork

__all__ = ["process", "renderer"]


def renderer(catalogue: Catalogue):
    """The unit renderer for :func:`process_pending` (messages from ``catalogue``)."""
    def render(search: Mapping[str, str], confirmation: Confirmation | None,
               error: InvalidInput | None) -> tuple[Any, bool]:
        refusal = None
        if error is not None:
            entry = catalogue[error.code]
            refusal = (entry, entry.text(field=error.field, path=error.field,
                                         detail=error.reason))
        return str(fragment(unit_tree(search, confirmation, refusal), UTF8)), refusal is None
    return render


def process(*, uow_factory: Callable[[], UnitOfWork], clock: Clock, settings: Settings) -> int:
    """Process pending items, at most ``settings.bulk_items_per_run``; return how many."""
    return process_pending(
        uow_factory=uow_factory, clock=clock, render=renderer(load_catalogue()),
        limit=settings.bulk_items_per_run, batch=settings.bulk_batch_items,
        retention=dt.timedelta(hours=settings.bulk_retention_hours))
