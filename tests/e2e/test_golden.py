"""Golden files: for the fixed world and business clock, answers match checked-in bytes.

ProcessExecutionTime comes from the (fixed) business clock, so whole files compare. Regenerate
after a deliberate format change with ``OQS_UPDATE_GOLDEN=1 pytest tests/e2e/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e import world
from tests.e2e.conftest import SEARCH, login

GOLDEN = Path(__file__).with_name("golden")
FILE = "/oqs/files/OQSsiquc01req_0001.xml"

JSON_CASES = {
    "search-valid-with-consent.json": dict(
        world.SEARCHES["1"], LimitApplicationCertificateRelatedConsFlg="1",
        ArbitraryIdentifier="P-001"),
    "search-invalid.json": world.SEARCHES["2"],
    "search-newer-exists.json": world.SEARCHES["3"],
    "search-not-found.json": world.SEARCHES["4"],
    "search-multiple.json": world.SEARCHES["5"],
    "search-bad-check-digit.json": dict(world.SEARCHES["1"], InsurerNumber="06130018"),
}
XML_CASES = {
    "file-valid-utf8.xml": (world.SEARCHES["1"], "UTF-8"),
    "file-valid-shift_jis.xml": (world.SEARCHES["1"], "Shift_JIS"),
    "file-multiple-shift_jis.xml": (world.SEARCHES["5"], "Shift_JIS"),
    "file-invalid-utf8.xml": (world.SEARCHES["2"], "UTF-8"),
}


def _compare(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("OQS_UPDATE_GOLDEN") == "1":
        path.write_bytes(actual)
    assert path.exists(), f"{name} missing: run with OQS_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_bytes()


@pytest.mark.parametrize("name", JSON_CASES)
def test_web_api_answers_match_their_golden_file(oqs, name) -> None:
    response = oqs.post(SEARCH, json=world.request_tree(JSON_CASES[name]),
                        headers={"Authorization": login(oqs)})

    _compare(name, response.data)


@pytest.mark.parametrize("name", XML_CASES)
def test_file_answers_match_their_golden_file(oqs, name) -> None:
    search, encoding = XML_CASES[name]
    body = world.request_xml(search, encoding=encoding, ArbitraryFileIdentifier="OQS-0001")

    response = oqs.post(FILE, data=body, headers={"Authorization": login(oqs)})

    _compare(name, response.data)


def test_an_err_file_matches_its_golden_file(oqs) -> None:
    body = world.request_xml(world.SEARCHES["1"], confirm_date="2026-04-0X",
                             ArbitraryFileIdentifier="OQS-0002")

    response = oqs.post(FILE, data=body, headers={"Authorization": login(oqs)})

    _compare("file-bad-date.err", response.data)
