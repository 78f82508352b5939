"""The 一括照会 files ``OQSmuquc01req_`` (upload) and ``OQSmuquc02req_`` (download), kinds of
:mod:`simulator.api.files` (docs/interfaces.md).

- Upload: the envelope is checked (root, header, MedicalInstitutionCode of the logged-in
  institution, QualificationConfirmationDate, at least one and at most ``bulk_max_items``
  items); the items are queued as they are, and the 受付 file answers ReceptionNumber and
  ReceptionDateTime. A bad item becomes an error unit later, never a refused file.
- Download: SegmentOfResult 2 with I4002 while the job is processing; 1 with every
  BulkConfirmUnit and the counts once done; 9 with E4001 for a 受付番号 this institution does
  not have (another institution's included) or whose results have expired.
"""

from __future__ import annotations

from flask import g

from ..bulk.model import JobState
from ..bulk.service import ReceptionUnknown, accept_upload, download
from ..messages.bulk import read_bulk_download, read_bulk_upload, reception_tree, result_tree
from ..messages.encoding import Charset
from ..messages.tree import Node, Raw
from ..runtime import Runtime
from .common import check_institution

__all__ = ["answer_upload", "answer_download"]


def answer_upload(root, *, institution: str, charset: Charset, runtime: Runtime) -> Node:
    upload = read_bulk_upload(root)
    g.oqs_header = upload.header
    check_institution(upload.header, institution)
    job = accept_upload(uow=runtime.uow(), clock=runtime.clock, institution=institution,
                        header=upload.header, items=upload.items,
                        max_items=runtime.settings.bulk_max_items)
    return reception_tree(upload.header, reception_number=job.reception_number,
                          received_at=job.received_at, charset=charset)


def answer_download(root, *, institution: str, charset: Charset, runtime: Runtime) -> Node:
    header, number = read_bulk_download(root)
    g.oqs_header = header
    check_institution(header, institution)
    try:
        found = download(uow=runtime.uow(), clock=runtime.clock, institution=institution,
                         reception_number=number)
    except ReceptionUnknown:
        entry = runtime.catalogue["reception_number_unknown"]
        return result_tree(header, job=None, segment="9", as_of=runtime.clock.now(),
                           charset=charset, error=(entry, entry.text()))
    if found.state is JobState.PROCESSING:
        entry = runtime.catalogue["bulk_processing"]
        return result_tree(header, job=found.job, segment="2", as_of=found.as_of,
                           charset=charset, error=(entry, entry.text()))
    return result_tree(header, job=found.job, segment="1", as_of=found.as_of, charset=charset,
                       units=[Raw(unit) for unit, _ in found.units], normal=found.normal)
