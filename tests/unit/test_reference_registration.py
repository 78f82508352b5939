"""Reading ReferenceNumberRegistrationInfo: normalisation and the field each refusal names."""

from __future__ import annotations

import pytest

from simulator.references.service import ReferenceRegistration, reference_registration
from simulator.registry.errors import CheckDigitError, InvalidInput, MissingField

CARD = {"InsurerNumber": "06130017", "InsuredCardSymbol": "1234",
        "InsuredIdentificationNumber": "5678"}


def test_values_are_normalised_as_in_a_qualification_request() -> None:
    info = {"ReferenceNumber": "  K-1  ", "InsurerNumber": "  138057",
            "InsuredCardSymbol": "\u300012-34 ", "InsuredIdentificationNumber": " 77 ",
            "InsuredBranchNumber": "1"}

    assert reference_registration(info) == ReferenceRegistration("K-1", "138057", "77", "12-34",
                                                                 "01")


def test_symbol_and_branch_are_optional() -> None:
    registration = reference_registration({"ReferenceNumber": "K-1", "InsurerNumber": "06130017",
                                           "InsuredIdentificationNumber": "5678"})

    assert (registration.symbol, registration.branch) == (None, None)


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"ReferenceNumber": "   "}, MissingField, "ReferenceNumber"),
        ({"ReferenceNumber": "あ" * 51}, InvalidInput, "ReferenceNumber"),
        ({"ReferenceNumber": "K\x07"}, InvalidInput, "ReferenceNumber"),
        ({"ReferenceNumber": 7}, InvalidInput, "ReferenceNumber"),
        ({"InsurerNumber": "0613001"}, InvalidInput, "InsurerNumber"),
        ({"InsurerNumber": "06130010"}, CheckDigitError, "InsurerNumber"),
        ({"InsuredCardSymbol": "1" * 21}, InvalidInput, "InsuredCardSymbol"),
        ({"InsuredIdentificationNumber": "5" * 21}, InvalidInput, "InsuredIdentificationNumber"),
        ({"InsuredBranchNumber": "０１"}, InvalidInput, "InsuredBranchNumber"),
    ],
    ids=["blank number", "51 characters", "control character", "not a string",
         "7-digit insurer", "bad check digit", "symbol of 21", "card number of 21",
         "full-width branch"],
)
def test_a_bad_value_is_refused_naming_its_element(change, error, field) -> None:
    with pytest.raises(error) as raised:
        reference_registration({"ReferenceNumber": "K-1", **CARD, **change})

    assert raised.value.field == field


def test_a_number_of_50_full_width_characters_fits() -> None:
    assert reference_registration({"ReferenceNumber": "あ" * 50, **CARD}).reference_number == (
        "あ" * 50)
