"""Benchmark: how fast the ``bulk_queries`` job processes one 一括照会 upload (issue 7).

Not a test: run by hand on the project machine and report the numbers.

    python benchmarks/bulk_processing.py [--items 10000] [--repeat 5] [--db sqlite:////tmp/b.db]

It builds a store of ``--items`` insured persons (each with one record, spread over
``--insurers`` insurers), then ``--repeat``
times uploads one file with one item per person through the file interface (a Flask test
client) and times the run of the job that processes every item. The first run meets persons
this clinic never confirmed; later ones meet its earlier confirmations, so they also compare
the 限度額 certificates (LimitApplicationCertificateChanged) — the steady state of a hospital
checking its appointments every evening. Each run's items/s is printed, then the median.
The store is a fresh file each time the script runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from simulator import create_app
from simulator.clock import FixedClock
from simulator.config import Settings
from simulator.jobs import run_job
from simulator.migrate import upgrade
from simulator.registry.identifiers import check_digit
from simulator.registry.model import JST, Insurer, InsurerKind
from simulator.store import SqlUnitOfWork
from tests.builders import institution, person, record

NOW = dt.datetime(2026, 4, 1, 20, 0, tzinfo=JST)
CLINIC = "1311000002"


def insurers(count: int) -> list[Insurer]:
    """``count`` 健保組合 (法別 06, Tokyo) with valid check digits: a hospital's patients come
    from many insurers, and the job looks persons up once per insurer of a batch."""
    numbers = (f"0613{serial:03d}" for serial in range(count))
    return [Insurer(f"{body}{check_digit(body)}", f"ベンチ健保{n}", InsurerKind.KUMIAI)
            for n, body in enumerate(numbers)]


def build(engine, count: int, insurer_count: int) -> list[dict[str, str]]:
    from simulator.auth import hash_password

    items = []
    spread = insurers(insurer_count)
    with SqlUnitOfWork(engine) as uow:
        for insurer in spread:
            uow.repo.add_insurer(insurer)
        uow.repo.add_institution(institution(CLINIC))
        uow.repo.set_account(CLINIC, account="bench", password_hash=hash_password("bench-pw"))
        for n in range(count):
            born = dt.date(1950, 1, 1) + dt.timedelta(days=n % 20000)
            insurer = spread[n % len(spread)]
            person_id = uow.repo.add_person(person(birthdate=born))
            uow.repo.add_qualification(record(person_id, insurer=insurer,
                                              number=str(100000 + n), birthdate=born))
            items.append({"InsurerNumber": insurer.number, "InsuredCardSymbol": "1234",
                          "InsuredIdentificationNumber": str(100000 + n),
                          "InsuredBranchNumber": "00", "Birthdate": born.strftime("%Y%m%d"),
                          "ArbitraryIdentifier": f"p{n}"})
        uow.commit()
    return items


def upload_xml(items: list[dict[str, str]]) -> bytes:
    def element(item: dict[str, str]) -> str:
        return "".join(f"<{k}>{v}</{k}>" for k, v in item.items())

    body = "".join(f"<QualificationConfirmSearchInfo>{element(i)}</QualificationConfirmSearchInfo>"
                   for i in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader>'
            f"<QualificationConfirmationDate>20260402</QualificationConfirmationDate>"
            f"<MedicalInstitutionCode>{CLINIC}</MedicalInstitutionCode></MessageHeader>"
            f"<MessageBody>{body}</MessageBody></XmlMsg>").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--insurers", type=int, default=100,
                        help="insurers the persons are spread over (default 100)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    options = parser.parse_args()
    url = options.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app({"database_url": url, "admin_token": "bench", "secret_key": "bench",
                      "bulk_max_items": max(options.items, 1)}, clock=FixedClock(NOW))
    runtime = app.extensions["oqs"]
    upgrade(runtime.engine)
    items = build(runtime.engine, options.items, options.insurers)
    client = app.test_client()
    token = client.post("/oqs-api-pro/MSA12020/ILI12020SV01/auth",
                        json={"userId": "bench", "password": "bench-pw"}).get_json()
    headers = {"Authorization": token["result"]["idToken"]}

    rates = []
    for run in range(1, options.repeat + 1):
        runtime.clock.advance(dt.timedelta(days=1))  # the next evening's upload
        started = time.perf_counter()
        response = client.post("/oqs/files/OQSmuquc01req_bench.xml",
                               data=upload_xml(items), headers=headers)
        uploaded = time.perf_counter()
        assert response.status_code == 200, response.data[:500]
        processed = run_job("bulk_queries", engine=runtime.engine, clock=runtime.clock,
                            settings=Settings(bulk_items_per_run=options.items))
        finished = time.perf_counter()
        assert processed == options.items, processed
        rates.append(options.items / (finished - uploaded))
        print(f"run {run}: {runtime.engine.dialect.name}, {options.items} items; "
              f"upload {uploaded - started:.2f} s; processing {finished - uploaded:.2f} s = "
              f"{rates[-1]:,.0f} items/s")
    print(f"median of {len(rates)} runs: {statistics.median(rates):,.0f} items/s")


if __name__ == "__main__":
    main()
