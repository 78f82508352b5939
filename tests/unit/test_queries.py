"""Building a validated insurance-card query from the raw strings of a request."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator.registry import rules
from simulator.registry.errors import CheckDigitError, DateFormatError, InvalidInput, MissingField
from simulator.registry.model import Validity
from simulator.registry.queries import insurance_card_query
from tests.builders import KOKUHO, at, record

KOKUHO_MEMBER = record(insurer=KOKUHO, symbol="12-34", number="567", branch=None)
NOW = at(2026, 4, 10)


def search(**overrides):
    values = {
        "InsurerNumber": "  138057",
        "InsuredCardSymbol": "12-34",
        "InsuredIdentificationNumber": "567",
        "Birthdate": "19850510",
        "LimitApplicationCertificateRelatedConsFlg": "0",
    }
    return values | overrides


@pytest.mark.parametrize(
    "insurer_field",
    ["  138057", "00138057", "138057"],
    ids=["space padded", "zero padded", "unpadded"],
)
def test_a_kokuho_number_in_any_padding_finds_the_member(insurer_field: str) -> None:
    query = insurance_card_query(search(InsurerNumber=insurer_field), confirm_date="20260410")

    result = rules.confirm_by_insurance_card([KOKUHO_MEMBER], query=query, as_of=NOW)

    assert query.insurer_number == "138057"
    assert result.validity == Validity.VALID


def test_the_query_carries_dates_branch_and_consent() -> None:
    query = insurance_card_query(
        search(InsuredBranchNumber="1", LimitApplicationCertificateRelatedConsFlg="1"),
        confirm_date="2026-04-10",
    )

    assert query.birthdate == dt.date(1985, 5, 10)
    assert query.confirm_date == dt.date(2026, 4, 10)
    assert query.branch == "01"
    assert query.limit_consent is True


@pytest.mark.parametrize(
    ("overrides", "confirm_date", "error", "field"),
    [
        ({"InsurerNumber": "06130018"}, "20260410", CheckDigitError, "InsurerNumber"),
        ({"InsurerNumber": "  138058"}, "20260410", CheckDigitError, "InsurerNumber"),
        ({"InsurerNumber": ""}, "20260410", MissingField, "InsurerNumber"),
        ({"InsuredIdentificationNumber": " "}, "20260410", InvalidInput,
         "InsuredIdentificationNumber"),
        ({"Birthdate": "1985/05/10"}, "20260410", DateFormatError, "Birthdate"),
        ({"Birthdate": None}, "20260410", MissingField, "Birthdate"),
        ({}, "20260230", DateFormatError, "QualificationConfirmationDate"),
        ({}, None, MissingField, "QualificationConfirmationDate"),
        ({"InsuredBranchNumber": "001"}, "20260410", InvalidInput, "InsuredBranchNumber"),
        ({"LimitApplicationCertificateRelatedConsFlg": "2"}, "20260410", InvalidInput,
         "LimitApplicationCertificateRelatedConsFlg"),
        ({"InsurerNumber": "39131016", "InsuredIdentificationNumber": "12345675"}, "20260410",
         CheckDigitError, "InsuredIdentificationNumber"),
        ({"Birthdate": 19850510}, "20260410", InvalidInput, "Birthdate"),
        ({"InsuredCardSymbol": ["12"]}, "20260410", InvalidInput, "InsuredCardSymbol"),
    ],
    ids=[
        "bad check digit of an 8-digit insurer",
        "bad check digit of a 6-digit kokuho insurer",
        "missing insurer",
        "blank card number",
        "slashed birthdate",
        "missing birthdate",
        "impossible confirmation date",
        "missing confirmation date",
        "three-digit branch",
        "consent flag 2",
        "bad check digit of a 後期高齢 insured number",
        "a number where a string belongs",
        "a list where a string belongs",
    ],
)
def test_bad_input_names_the_field(overrides, confirm_date, error, field) -> None:
    with pytest.raises(error) as raised:
        insurance_card_query(search(**overrides), confirm_date=confirm_date)

    assert raised.value.field == field
    assert field in raised.value.message


def test_a_koki_insured_number_with_its_check_digit_is_accepted() -> None:
    query = insurance_card_query(
        search(InsurerNumber="39131016", InsuredCardSymbol=None,
               InsuredIdentificationNumber="12345674"),
        confirm_date="20260410",
    )

    assert (query.insurer_number, query.number, query.symbol) == ("39131016", "12345674", None)
