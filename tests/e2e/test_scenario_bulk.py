"""The ``bulk`` route of scenario files: 一括照会 uploaded and downloaded through the
file interface by ``oqs-sim scenario check``, with units compared by ArbitraryIdentifier."""

from __future__ import annotations

from pathlib import Path

from simulator.scenarios.ask import Asker
from simulator.scenarios.check import _differences, check_files, render_table

BASE = """\
name: small-bulk
title: 一括照会の小さな例
clock: 2026-06-01T09:00:00+09:00
institutions:
  - {code: "1311501231", name: みどり中央病院}
  - {code: "1311234569", name: さくら内科クリニック}
insurers:
  - {number: "06139992", name: 山田商事健康保険組合}
persons:
  - id: taro
    name: 山田　太郎
    kana: ﾔﾏﾀﾞ ﾀﾛｳ
    birthdate: 1985-05-10
    sex: "1"
    address: 東京都千代田区千代田1-1
    qualifications:
      - {insurer: "06139992", symbol: "1234", number: "5678", branch: "00",
         valid_from: 2015-04-01, registered_at: 2015-04-03T10:00:00+09:00}
expect:
  - at: 2026-06-01T18:00:00+09:00
    institution: "1311501231"
    query:
      route: bulk
      reception: tomorrow
      date: 2026-06-02
      items:
        - {person: taro}
        - {id: nobody, insurer: "06139992", number: "0000", birthdate: 1985-05-10}
    result: {segment: "2", code: I4002, processed: null}
  - at: 2026-06-01T18:10:00+09:00
    institution: "1311501231"
    query: {route: bulk, reception: tomorrow}
    result:
      segment: "1"
      processed: 2
      normal: 2
      errors: 0
      validities: {"1": 1, "4": 1}
      units:
        taro: {validity: "1", name: 山田　太郎, limit_changed: "1"}
        nobody: {validity: "4", results: 0}
"""


def check(tmp_path: Path, text: str):
    path = tmp_path / "small-bulk.yaml"
    path.write_text(text, encoding="utf-8")
    (report,) = check_files([path])
    return report


def test_a_bulk_is_uploaded_then_processing_then_compared_unit_by_unit(tmp_path) -> None:
    report = check(tmp_path, BASE)

    assert report.ok, render_table([report])
    assert [o.actual["segment"] for o in report.outcomes] == ["2", "1"]
    assert report.outcomes[1].actual["units"]["taro"]["insurer"] == "06139992"
    assert "items=2" in render_table([report])


def test_a_wrong_unit_is_a_failure_naming_the_unit_and_the_key(tmp_path) -> None:
    report = check(tmp_path, BASE.replace('nobody: {validity: "4"', 'nobody: {validity: "1"'))

    assert not report.ok
    assert report.outcomes[1].differences == ["units.nobody.validity: expected '1', got '4'"]


def test_a_unit_that_is_not_there_is_a_failure(tmp_path) -> None:
    report = check(tmp_path, BASE.replace("        nobody: {", "        ghost: {"))

    assert report.outcomes[1].differences == [
        "units.ghost: expected {'validity': '4', 'results': 0}, got None"]


def test_a_download_without_processing_is_still_in_progress(tmp_path) -> None:
    text = BASE.replace("query: {route: bulk, reception: tomorrow}",
                        "query: {route: bulk, reception: tomorrow, process: false}")

    report = check(tmp_path, text)

    assert report.outcomes[1].actual["segment"] == "2"
    assert report.outcomes[1].differences[0] == "segment: expected '1', got '2'"


def test_another_institution_cannot_download_the_upload(tmp_path) -> None:
    text = BASE.replace('  - at: 2026-06-01T18:10:00+09:00\n    institution: "1311501231"',
                        '  - at: 2026-06-01T18:10:00+09:00\n    institution: "1311234569"')

    report = check(tmp_path, text)

    actual = report.outcomes[1].actual
    assert (actual["segment"], actual["code"], actual["units"]) == ("9", "E4001", {})


def test_a_download_of_an_upload_never_made_is_an_error_naming_the_place(tmp_path) -> None:
    report = check(tmp_path, BASE.replace("reception: tomorrow}", "reception: yesterday}"))

    assert report.error is not None
    assert "expect[1].query.reception" in report.error and "yesterday" in report.error


def test_an_upload_without_a_confirmation_date_does_not_validate(tmp_path) -> None:
    report = check(tmp_path, BASE.replace("      date: 2026-06-02\n", ""))

    assert report.error is not None and "expect[0].query" in report.error


def test_an_item_naming_a_person_and_card_items_does_not_validate(tmp_path) -> None:
    report = check(tmp_path, BASE.replace("- {person: taro}", "- {person: taro, number: \"1\"}"))

    assert report.error is not None and "items" in report.error


def test_a_refused_upload_is_the_answer_and_cannot_be_downloaded(tmp_path) -> None:
    """A confirmation date that is no real day: the file is refused (SegmentOfResult 9)."""
    upload_only = BASE[:BASE.index("  - at: 2026-06-01T18:10")]
    refused = upload_only.replace("date: 2026-06-02", "date: 2026-06-31").replace(
        "result: {segment: \"2\", code: I4002, processed: null}",
        "result: {segment: \"9\", ok: false}")

    report = check(tmp_path, refused)

    assert report.ok, render_table([report])
    assert report.outcomes[0].actual["code"] == "E3004"
    report = check(tmp_path, BASE.replace("date: 2026-06-02", "date: 2026-06-31"))
    assert "expect[1].query.reception" in report.error and "was refused" in report.error


def test_only_the_keys_given_are_compared_at_every_level() -> None:
    actual = {"segment": "1", "units": {"a": {"validity": "1", "results": 1}, "b": {}},
              "validities": {"1": 1}}

    assert _differences({"units": {"a": {"validity": "1"}}}, actual) == []
    assert _differences({"validities": {"1": 1}}, actual) == []
    assert _differences({"validities": {"2": 1}}, actual) == [
        "validities.2: expected 1, got None"]
    assert _differences({"units": {"a": "x"}}, actual) == [
        "units.a: expected 'x', got {'validity': '1', 'results': 1}"]


def test_items_may_be_insurance_card_queries_sharing_their_date(tmp_path) -> None:
    """docs/scenarios.md: a bulk's items are insurance-card queries; their one ``date`` is the
    upload's QualificationConfirmationDate when the query gives none."""
    text = BASE.replace("      date: 2026-06-02\n", "").replace(
        '- {id: nobody, insurer: "06139992", number: "0000", birthdate: 1985-05-10}',
        '- {id: nobody, insurer: "06139992", number: "0000", birthdate: 1985-05-10,'
        ' date: 2026-06-02}')

    report = check(tmp_path, text)

    assert report.ok, render_table([report])


def test_items_with_two_dates_are_an_error_naming_the_item(tmp_path) -> None:
    text = BASE.replace(
        '- {id: nobody, insurer: "06139992", number: "0000", birthdate: 1985-05-10}',
        '- {id: nobody, insurer: "06139992", number: "0000", birthdate: 1985-05-10,'
        ' date: 2026-06-03}')

    report = check(tmp_path, text)

    assert "expect[0].query.items[1].date" in report.error
    assert "one QualificationConfirmationDate" in report.error


def test_an_item_carries_the_limit_consent_flag_when_given() -> None:
    asker = Asker(client=None, runtime=None, scenario="x", passwords={}, bundles={})
    item = {"insurer": "06139992", "number": "0000", "birthdate": "1985-05-10"}

    assert ("LimitApplicationCertificateRelatedConsFlg", "1") in asker._bulk_item(
        0, {**item, "limit_consent": True})
    assert ("LimitApplicationCertificateRelatedConsFlg", "0") in asker._bulk_item(
        0, {**item, "limit_consent": False})
    assert [k for k, _ in asker._bulk_item(0, item)] == [
        "InsurerNumber", "InsuredIdentificationNumber", "Birthdate", "ArbitraryIdentifier"]
