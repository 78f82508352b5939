"""A bulk worker killed mid-job (a real process, SIGKILL) loses nothing and duplicates nothing.

The job runs as ``oqs-sim jobs run bulk_queries`` in its own process with small transactions
(``bulk_batch_items`` 10); the test kills it with SIGKILL as soon as some but not all items are
stored, checks that only whole batches were stored, runs the job again to the end, and
downloads: every item once, in file order, and one audit entry per person shown per item.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from lxml import etree
from sqlalchemy import func, select

from simulator import create_app, schema
from simulator.clock import FixedClock
from simulator.db import make_engine
from tests.e2e import world
from tests.e2e.conftest import ADMIN_TOKEN, login
from tests.e2e.test_bulk_files import DOWNLOAD, UPLOAD, download_xml, post, upload_xml
from tests.e2e.test_cli_jobs import _console_script

COPIES = 300  # × the 5 searches of world.SEARCHES
BATCH = 10
AUDITS_PER_COPY = 6  # validity 1–4 show one person (4: none, audited once); twins show two


def _stored(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.bulk_items).where(
            schema.bulk_items.c.unit.is_not(None))).scalar_one()


def _run_job(url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [_console_script(), "jobs", "run", "bulk_queries", "--db", url],
        env={**os.environ, "OQS_BULK_BATCH_ITEMS": str(BATCH), **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(database_url) -> None:
    app = create_app({"database_url": database_url, "admin_token": ADMIN_TOKEN,
                      "secret_key": "test-secret"}, clock=FixedClock(world.BUSINESS_NOW))
    engine = make_engine(database_url)
    world.build(engine)
    client = app.test_client()
    token = login(client)
    items = [{**search, "ArbitraryIdentifier": f"{n}-{v}"}
             for n in range(COPIES) for v, search in world.SEARCHES.items()]
    response = post(client, UPLOAD, upload_xml(items), token)
    number = etree.fromstring(response.data).findtext("MessageBody/ReceptionNumber")
    total = len(items)

    worker = _run_job(database_url)
    deadline = time.monotonic() + 60
    while not 0 < _stored(engine) < total and time.monotonic() < deadline:
        assert worker.poll() is None, worker.communicate()[0].decode()
        time.sleep(0.002)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    killed_at = _stored(engine)

    assert worker.returncode == -signal.SIGKILL
    assert 0 < killed_at < total
    assert killed_at % BATCH == 0  # only whole transactions were stored
    waiting = post(client, DOWNLOAD, download_xml(number), token)
    assert etree.fromstring(waiting.data).findtext("MessageHeader/SegmentOfResult") == "2"

    output, _ = _run_job(database_url).communicate(timeout=120)
    assert output.decode().strip() == f"bulk_queries: {total - killed_at} items"

    done = etree.fromstring(post(client, DOWNLOAD, download_xml(number), token).data)
    assert done.findtext("MessageHeader/NumberOfProcessingResult") == str(total)
    shown = [u.findtext("QualificationConfirmSearchInfo/ArbitraryIdentifier")
             for u in done.findall("MessageBody/BulkConfirmUnit")]
    assert shown == [item["ArbitraryIdentifier"] for item in items]
    with engine.connect() as connection:
        audited = connection.execute(select(func.count()).select_from(schema.audit_entries).where(
            schema.audit_entries.c.route == "bulk")).scalar_one()
    assert audited == COPIES * AUDITS_PER_COPY
    engine.dispose()
    app.extensions["oqs"].engine.dispose()
