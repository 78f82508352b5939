"""The 照会番号 registration file ``OQSsiimm01req_`` (docs/interfaces.md), a kind of
:mod:`simulator.api.files`.

Envelope problems (a broken tree, another institution's code) raise, and the file interface
answers the ``.err`` file. Problems with the registration item (a missing or too long number,
a bad check digit, nobody or several persons under the card items) are a normal answer with
ProcessingResultStatus 2 and the result code, and store nothing.
"""

from __future__ import annotations

from flask import g

from ..messages.encoding import Charset
from ..messages.reference import read_header, read_reference_request, reference_result_tree
from ..messages.tree import Node
from ..references.service import reference_registration, register_reference_number
from ..registry.errors import Conflict, InvalidInput, NotFound
from ..runtime import Runtime
from .common import check_institution, error_message

__all__ = ["answer_reference"]


def answer_reference(root, *, institution: str, charset: Charset, runtime: Runtime) -> Node:
    """Register the 照会番号 of one request tree for the logged-in ``institution``."""
    g.oqs_header = read_header(root)
    check_institution(g.oqs_header, institution)
    request_ = read_reference_request(root)
    try:
        registration = reference_registration(request_.info)
        registered = register_reference_number(
            uow=runtime.uow(), clock=runtime.clock, institution=institution,
            registration=registration)
    except (InvalidInput, NotFound, Conflict) as error:
        entry = runtime.catalogue[error.code]
        return reference_result_tree(request_, processed_at=runtime.clock.now(),
                                     charset=charset, refused=(entry, error_message(error, entry)))
    return reference_result_tree(request_, processed_at=registered.at, charset=charset,
                                 reference_number=registration.reference_number)
