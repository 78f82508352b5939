"""The 薬剤情報 and 特定健診情報 files ``YZKsiquc01req_`` / ``TKKsiquc01req_`` (docs/interfaces.md),
kinds of :mod:`simulator.api.files`.

Envelope problems (a broken tree, another institution's MedicalInstitutionCode, a malformed
value such as StartDate) raise, and the file interface answers the ``.err`` file. A request the
system processed but refused (nobody or several persons under the card items, PDF asked for,
no live consent) is a normal result file whose ResultCode is the refusal's code.
"""

from __future__ import annotations

from flask import g

from ..codes import ResultCode
from ..medical.masters import checkup_items, drugs
from ..medical.service import MedicalAnswer, checkup_information, drug_information
from ..messages.encoding import Charset
from ..messages.medical import checkup_tree, drug_tree, read_medical_request
from ..messages.tree import Node
from ..runtime import Runtime
from .common import check_institution

__all__ = ["answer_drug", "answer_checkup"]

# Read the masters when the interface is loaded, so that a broken master stops start-up.
ITEMS = checkup_items()
drugs()


def _refusal(answer: MedicalAnswer, runtime: Runtime) -> tuple[ResultCode, str] | None:
    if answer.refusal is None:
        return None
    entry = runtime.catalogue[answer.refusal]
    return entry, entry.text(detail=answer.detail)


def _read(root, institution: str):
    request_ = read_medical_request(root)
    g.oqs_header = request_.header
    check_institution(request_.header, institution)
    return request_


def answer_drug(root, *, institution: str, charset: Charset, runtime: Runtime) -> Node:
    """Answer one 薬剤情報 request tree for the logged-in ``institution``."""
    request_ = _read(root, institution)
    answer = drug_information(uow=runtime.uow(), clock=runtime.clock, institution=institution,
                              request=request_.values)
    return drug_tree(request_, processed_at=answer.as_of, charset=charset,
                     institution=institution, record=answer.record, drugs=answer.drugs,
                     refusal=_refusal(answer, runtime))


def answer_checkup(root, *, institution: str, charset: Charset, runtime: Runtime) -> Node:
    """Answer one 特定健診情報 request tree for the logged-in ``institution``."""
    request_ = _read(root, institution)
    answer = checkup_information(uow=runtime.uow(), clock=runtime.clock,
                                 institution=institution, request=request_.values)
    return checkup_tree(request_, processed_at=answer.as_of, charset=charset, items=ITEMS,
                        record=answer.record, checkups=answer.checkups,
                        refusal=_refusal(answer, runtime))
