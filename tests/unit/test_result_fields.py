"""The result fields strict clients read: who gets InsuredPartialContributionRatio, the
特定疾病 consent flag, the echoed search, and the envelope error's body."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from simulator.codes import load_catalogue
from simulator.messages.encoding import UTF8
from simulator.messages.qualification import (
    SingleRequest,
    confirmation_tree,
    echoable_header,
    envelope_error_tree,
    search_echo,
)
from simulator.registry.lookup import Confirmation
from simulator.registry.model import Insurer, InsurerKind, SpecificDiseaseCertificate, Validity
from tests.builders import at, query, record

NOW = at(2026, 4, 1, 9, 0)
KOKI = Insurer("39131016", "東京都後期高齢者医療広域連合", InsurerKind.KOKI)
DIALYSIS = SpecificDiseaseCertificate("1", 10000, dt.date(2025, 1, 5), dt.date(2025, 1, 1))
REQUEST = SingleRequest({"QualificationConfirmationDate": "20260401",
                         "MedicalInstitutionCode": "1311000002"},
                        {"InsurerNumber": "06130017", "InsuredIdentificationNumber": "5678",
                         "Birthdate": "19850510"})


def result_of(shown, *, consent: bool = False) -> dict[str, object]:
    confirmation = Confirmation(Validity.VALID, query(shown, day=NOW.date(),
                                                      limit_consent=consent), NOW, (shown,))
    (_, (_, (_, body))) = confirmation_tree(confirmation, REQUEST, charset=UTF8)
    ((_, result),) = dict(body)["ResultList"]
    return dict(result)


def test_the_ratio_is_given_for_a_koki_record_only() -> None:
    employee = record(ratio="030")
    koki = replace(record(ratio="010"), insurer=KOKI, symbol=None, branch=None)

    assert "InsuredPartialContributionRatio" not in result_of(employee)
    assert result_of(koki)["InsuredPartialContributionRatio"] == "010"


def test_the_specific_disease_flag_follows_the_consent_and_brings_the_certificates() -> None:
    shown = record(specific_diseases=(DIALYSIS,))

    without, consented = result_of(replace(shown, specific_diseases=())), result_of(
        shown, consent=True)

    assert without["SpecificDiseasesCertificateRelatedConsFlg"] == "0"
    assert "SpecificDiseasesCertificateRelatedConsTime" not in without
    assert consented["SpecificDiseasesCertificateRelatedConsFlg"] == "1"
    assert consented["SpecificDiseasesCertificateRelatedConsTime"] == "20260401090000"
    assert "SpecificDiseasesCertificateList" in consented


def test_the_card_dates_are_rendered_when_the_record_has_them() -> None:
    shown = record(card_valid_start=dt.date(2025, 8, 1), card_valid_end=dt.date(2026, 7, 31))

    result = result_of(shown)

    assert (result["InsuredCardValidDate"], result["InsuredCardExpirationDate"]) == (
        "20250801", "20260731")


def test_the_echoed_search_always_carries_the_consent_flag() -> None:
    (_, children) = search_echo({"InsurerNumber": "06130017"})

    assert dict(children)["LimitApplicationCertificateRelatedConsFlg"] == "0"
    assert search_echo({}) is None


def test_only_well_formed_header_values_are_echoed() -> None:
    header = {"QualificationConfirmationDate": "2026-04-01", "MedicalInstitutionCode":
              "1311000002", "ArbitraryFileIdentifier": "F" * 101, "Other": "x"}

    assert echoable_header(header) == {"MedicalInstitutionCode": "1311000002"}


def test_an_envelope_error_has_a_body_repeating_its_code_and_message() -> None:
    entry = load_catalogue()["date_format"]

    (_, (header, body)) = envelope_error_tree(
        REQUEST.header, result=entry, message="日付", processed_at=NOW, charset=UTF8,
        search=REQUEST.search)

    assert dict(header[1])["ReferenceClassification"] == "2"
    assert dict(header[1])["SegmentOfResult"] == "9"
    assert [tag for tag, _ in body[1]] == [
        "QualificationConfirmSearchInfo", "ProcessingResultStatus", "ProcessingResultCode",
        "ProcessingResultMessage"]
    assert dict(body[1])["ProcessingResultCode"] == entry.code
