"""A bulk job (一括照会) and where it stands (pure).

A job is *processing* until every item has its unit, *done* from then until its results expire
(``expires_at``, business time: the retention period after it finished), and *expired* after,
when a download answers as for an unknown 受付番号.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["BulkJob", "JobState", "MALFORMED"]

#: Key of an uploaded item whose own structure was broken; its value is "<path>: <reason>".
MALFORMED = "(malformed)"


class JobState(StrEnum):
    PROCESSING = "processing"  # SegmentOfResult 2 (処理中)
    DONE = "done"  # SegmentOfResult 1
    EXPIRED = "expired"  # past retention: unknown


@dataclass(frozen=True, slots=True)
class BulkJob:
    reception_number: str  # 受付番号
    institution: str
    confirm_date: str  # QualificationConfirmationDate, YYYYMMDD (checked at upload)
    item_count: int
    received_at: dt.datetime  # 受付日時, business time
    arbitrary_file_identifier: str | None = None
    processed: int = 0
    finished_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    id: int | None = None

    def state(self, at: dt.datetime) -> JobState:
        if self.finished_at is None:
            return JobState.PROCESSING
        if self.expires_at is not None and at >= self.expires_at:
            return JobState.EXPIRED
        return JobState.DONE
