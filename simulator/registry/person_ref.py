"""Naming a person in an admin request: an id, or ``scenario/handle``.

The admin API takes the references the scenario events use (see :mod:`.events`): a person id
(a JSON number, or a string of digits as a query string carries it), or ``scenario/handle``
for a person a scenario loaded (a bare ``handle`` within ``scenario`` when one is given). A bare
``handle`` without a scenario names a person outside scenarios: one ``oqs-sim import persons``
stored, or one born by an event posted to the admin API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InvalidInput, MissingField
from .model import Person

if TYPE_CHECKING:
    from ..store import Repository

__all__ = ["find_person"]


def find_person(repo: Repository, value: Any, *, field: str = "person",
                scenario: str | None = None) -> Person:
    """The person ``value`` names.

    :raises InvalidInput: naming ``field`` when the value is absent, not a reference, or
        names nobody.
    """
    if value is None or value == "":
        raise MissingField(field, "is required: a person id or scenario/handle")
    found = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = repo.person(value)
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        found = repo.person(int(value))
    elif isinstance(value, str):
        owner, _, handle = value.rpartition("/")
        found = repo.person_by_handle(owner or scenario or "", handle)
    else:
        raise InvalidInput(field, f"must be a person id or scenario/handle, got {value!r}")
    if found is None:
        raise InvalidInput(field, f"no person {value!r}")
    return found
