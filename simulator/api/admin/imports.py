"""``/sim/v1/import/persons``: the person import (docs/import.md) through the admin API.

The body is the JSON import document, exactly as ``oqs-sim import persons`` reads a ``.json``
file. All or nothing: a refused body is a 400 whose ``error.errors`` lists every problem
(``field``, ``message``), at most 50; nothing is stored then.
"""

from __future__ import annotations

from ...imports.model import ImportFile, ImportRejected
from ...imports.read import read_document
from ...imports.service import card_folder, import_persons
from ...pki.card_files import write_bundle
from ...runtime import current_runtime
from ..common import read_body
from ..errors import error_body
from . import bp
from .body import flag_arg

_SOURCE = "body"


@bp.post("/import/persons")
def post_import_persons():
    """Import the persons of the body; ``?replace=1`` replaces persons imported before with
    the same id (default: refused). Card keys go to ``<pki_dir>/cards/_imported/<id>/``."""
    runtime = current_runtime()
    again = flag_arg("replace")
    try:
        document = read_document(read_body(runtime.settings.max_body_bytes), _SOURCE)
        done = import_persons(uow=runtime.uow(), clock=runtime.clock,
                              file=ImportFile(_SOURCE, "json", document),
                              profiles=runtime.profiles, jpki=runtime.jpki, replace=again)
    except ImportRejected as rejected:
        body = error_body(rejected.code, rejected.message, rejected.field)
        body["error"]["errors"] = [problem.view() for problem in rejected.problems]
        return body, 400
    cards = {handle: str(write_bundle(card_folder(runtime.settings.pki_dir, handle), bundle))
             for handle, bundle in done.cards.items()}
    return {"imported": done.counts, "replaced": done.replaced, "cards": cards}, 201
