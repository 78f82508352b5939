"""Identifier formats: check digit, 保険者番号, 後期高齢番号, 医療機関コード, 記号番号, dates."""

import datetime as dt

import pytest

from simulator.registry.errors import (
    CheckDigitError,
    DateFormatError,
    InvalidInput,
    MissingField,
)
from simulator.registry.identifiers import (
    InstitutionCode,
    InstitutionKind,
    check_digit,
    format_insurer_number,
    institution_kind,
    insurer_law_code,
    normalize_branch_number,
    normalize_card_number,
    normalize_insurer_number,
    normalize_symbol,
    parse_date,
    parse_institution_code,
    validate_koki_insured_number,
)

# Valid numbers. The check digits of SHAHO and KOKUHO were verified by hand:
#   0113001 -> 1*2=2, 0, 0, 3, 1*2=2, 1, 0      -> sum 8  -> (10-8)%10 = 2
#   13805   -> 5*2=10->1, 0, 8*2=16->7, 3, 1*2=2 -> sum 13 -> (10-3)%10 = 7
SHAHO = "01130012"  # 協会けんぽ 東京
KUMIAI = "06130017"  # 組合健保
KOKI = "39131016"  # 後期高齢 広域連合
KOKUHO = "138057"  # 国保 (6 digits)
KOKI_INSURED = "12345674"  # 後期高齢 被保険者番号

VERIFIED_MEDICAL = "0110113719"
VERIFIED_OSAKA = "2714206386"

NEW_YEAR_2023 = dt.date(2023, 1, 1)
LEAP_DAY_2024 = dt.date(2024, 2, 29)


def _invalid_or_missing(raw: str) -> type[InvalidInput]:
    """A blank value is missing (MissingField); anything else is malformed (InvalidInput)."""
    return MissingField if not raw.strip(" \t\r\n\u3000") else InvalidInput


def _raised(error_class, call, *args, **kwargs):
    """Call and return the exception, asserting its exact class."""
    with pytest.raises(error_class) as info:
        call(*args, **kwargs)
    assert type(info.value) is error_class
    return info.value


# -- check digit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("011011371", 9, id="verified-institution-0110113719"),
        pytest.param("271420638", 6, id="verified-institution-2714206386"),
        pytest.param("0113001", 2, id="shaho-01130012"),
        pytest.param("13805", 7, id="kokuho-138057"),
        pytest.param("5", 9, id="single-digit-product-10"),
        pytest.param("0", 0, id="zero"),
    ],
)
def test_the_check_digit_of_a_body_is_computed_by_the_2_1_rule(body, expected):
    assert check_digit(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("", id="empty"),
        pytest.param("12a", id="letter"),
        pytest.param("１２３", id="全角"),
        pytest.param(" 123", id="space"),
    ],
)
def test_check_digit_refuses_a_body_that_is_not_half_width_digits(body):
    with pytest.raises(ValueError):
        check_digit(body)


# -- 保険者番号 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(SHAHO, SHAHO, id="shaho-8-digits"),
        pytest.param(KUMIAI, KUMIAI, id="kumiai-8-digits"),
        pytest.param(KOKI, KOKI, id="koki-8-digits"),
        pytest.param(" 01130012\n", SHAHO, id="8-digits-with-surrounding-whitespace"),
        pytest.param(KOKUHO, KOKUHO, id="kokuho-bare"),
        pytest.param("  138057", KOKUHO, id="kokuho-space-padded"),
        pytest.param("00138057", KOKUHO, id="kokuho-zero-padded"),
        pytest.param("138057  ", KOKUHO, id="kokuho-trailing-spaces"),
    ],
)
def test_a_valid_insurer_number_is_returned_in_canonical_form(raw, expected):
    assert normalize_insurer_number(raw) == expected


def test_a_kokuho_number_normalises_to_the_same_six_digits_in_every_form():
    forms = ["138057", "  138057", "00138057"]
    assert {normalize_insurer_number(form) for form in forms} == {"138057"}


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        pytest.param("", "値を設定", id="empty"),
        pytest.param("        ", "値を設定", id="only-spaces"),
        pytest.param("0113001", "6桁または8桁", id="7-digits"),
        pytest.param("13805", "6桁または8桁", id="5-digits"),
        pytest.param("011300120", "6桁または8桁", id="9-digits"),
        pytest.param("0113001A", "6桁または8桁", id="letter"),
        pytest.param("01-13001", "6桁または8桁", id="hyphen"),
        pytest.param(" 0138057", "6桁または8桁", id="one-space-then-7-digits"),
    ],
)
def test_a_malformed_insurer_number_raises_invalid_input_naming_the_field(raw, reason_part):
    error = _raised(_invalid_or_missing(raw), normalize_insurer_number, raw)
    assert error.field == "InsurerNumber"
    assert reason_part in error.reason


def test_full_width_digits_in_an_insurer_number_are_rejected_saying_so():
    error = _raised(InvalidInput, normalize_insurer_number, "０１１３００１２")
    assert error.field == "InsurerNumber"
    assert "全角" in error.reason


def test_the_field_name_given_by_the_caller_is_the_one_reported():
    error = _raised(MissingField, normalize_insurer_number, "", field="HokenjaBango")
    assert error.field == "HokenjaBango"
    assert str(error) == "HokenjaBango: 値を設定してください。"


@pytest.mark.parametrize(
    ("raw", "given", "expected"),
    [
        pytest.param("01130013", "3", "2", id="shaho"),
        pytest.param("39131010", "0", "6", id="koki"),
        pytest.param("138050", "0", "7", id="kokuho-bare"),
        pytest.param("  138051", "1", "7", id="kokuho-space-padded"),
        pytest.param("00138059", "9", "7", id="kokuho-zero-padded"),
    ],
)
def test_an_insurer_number_whose_check_digit_does_not_verify_raises_check_digit_error(
    raw, given, expected
):
    error = _raised(CheckDigitError, normalize_insurer_number, raw)
    assert error.field == "InsurerNumber"
    assert error.reason == f"検証番号{given}が一致しません（正しくは{expected}）。"


@pytest.mark.parametrize(
    ("number", "pad", "expected"),
    [
        pytest.param(SHAHO, " ", "01130012", id="8-digits-as-is"),
        pytest.param(SHAHO, "0", "01130012", id="8-digits-as-is-zero-pad"),
        pytest.param(KOKUHO, " ", "  138057", id="kokuho-space-padded"),
        pytest.param(KOKUHO, "0", "00138057", id="kokuho-zero-padded"),
    ],
)
def test_an_insurer_number_is_formatted_as_the_8_character_field(number, pad, expected):
    assert format_insurer_number(number, pad=pad) == expected


@pytest.mark.parametrize("number", [SHAHO, KUMIAI, KOKI, KOKUHO])
@pytest.mark.parametrize("pad", [" ", "0"], ids=["space", "zero"])
def test_a_formatted_insurer_number_normalises_back_to_itself(number, pad):
    assert normalize_insurer_number(format_insurer_number(number, pad=pad)) == number


@pytest.mark.parametrize(
    ("number", "pad"),
    [
        pytest.param(KOKUHO, "x", id="bad-pad"),
        pytest.param(KOKUHO, "", id="empty-pad"),
        pytest.param("  138057", " ", id="already-padded"),
        pytest.param("1380570", " ", id="7-digits"),
    ],
)
def test_formatting_refuses_a_bad_pad_or_a_non_canonical_number(number, pad):
    with pytest.raises(ValueError):
        format_insurer_number(number, pad=pad)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param(SHAHO, "01", id="kyokai"),
        pytest.param(KUMIAI, "06", id="kumiai"),
        pytest.param(KOKI, "39", id="koki"),
        pytest.param(KOKUHO, None, id="kokuho-has-none"),
    ],
)
def test_the_law_code_is_the_first_two_digits_of_an_8_digit_number(number, expected):
    assert insurer_law_code(number) == expected


# -- 後期高齢 被保険者番号 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(KOKI_INSURED, KOKI_INSURED, id="bare"),
        pytest.param("39271234", "39271234", id="another"),
        pytest.param(" 12345674 ", KOKI_INSURED, id="surrounding-spaces"),
    ],
)
def test_a_valid_koki_insured_number_is_returned(raw, expected):
    assert validate_koki_insured_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("1234567", id="7-digits"),
        pytest.param("123456740", id="9-digits"),
        pytest.param("1234567a", id="letter"),
        pytest.param("１２３４５６７４", id="全角"),
    ],
)
def test_a_malformed_koki_insured_number_raises_invalid_input(raw):
    error = _raised(_invalid_or_missing(raw), validate_koki_insured_number, raw)
    assert error.field == "InsuredIdentificationNumber"


def test_a_koki_insured_number_with_a_wrong_check_digit_raises_check_digit_error():
    error = _raised(CheckDigitError, validate_koki_insured_number, "12345675")
    assert error.field == "InsuredIdentificationNumber"
    assert error.reason == "検証番号5が一致しません（正しくは4）。"


# -- 医療機関コード ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            VERIFIED_MEDICAL,
            InstitutionCode(VERIFIED_MEDICAL, "01", InstitutionKind.MEDICAL),
            id="verified-0110113719",
        ),
        pytest.param(
            VERIFIED_OSAKA,
            InstitutionCode(VERIFIED_OSAKA, "27", InstitutionKind.MEDICAL),
            id="verified-2714206386",
        ),
        pytest.param(
            "1311000002",
            InstitutionCode("1311000002", "13", InstitutionKind.MEDICAL),
            id="medical-1",
        ),
        pytest.param(
            "1331000008",
            InstitutionCode("1331000008", "13", InstitutionKind.DENTAL),
            id="dental-3",
        ),
        pytest.param(
            "1341000006",
            InstitutionCode("1341000006", "13", InstitutionKind.PHARMACY),
            id="pharmacy-4",
        ),
        pytest.param(
            "4711000002",
            InstitutionCode("4711000002", "47", InstitutionKind.MEDICAL),
            id="prefecture-47",
        ),
        pytest.param(
            " 1341000006\n",
            InstitutionCode("1341000006", "13", InstitutionKind.PHARMACY),
            id="surrounding-whitespace",
        ),
    ],
)
def test_a_valid_institution_code_is_parsed_into_its_parts(raw, expected):
    assert parse_institution_code(raw) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("1311000002", InstitutionKind.MEDICAL, id="1-medical"),
        pytest.param("1331000008", InstitutionKind.DENTAL, id="3-dental"),
        pytest.param("1341000006", InstitutionKind.PHARMACY, id="4-pharmacy"),
    ],
)
def test_the_institution_kind_is_read_from_the_third_digit(code, expected):
    assert institution_kind(code) is expected


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        pytest.param("", "値を設定", id="empty"),
        pytest.param("011011371", "半角数字10桁", id="9-digits"),
        pytest.param("01101137190", "半角数字10桁", id="11-digits"),
        pytest.param("01101137-9", "半角数字10桁", id="hyphen"),
        pytest.param("０１１０１１３７１９", "全角", id="全角"),
        pytest.param("0011000007", "都道府県番号00", id="prefecture-00"),
        pytest.param("4811000001", "都道府県番号48", id="prefecture-48"),
        pytest.param("1321000000", "点数表", id="third-digit-2"),
        pytest.param("1351000003", "点数表", id="third-digit-5"),
    ],
)
def test_a_malformed_institution_code_raises_invalid_input_naming_the_problem(raw, reason_part):
    error = _raised(_invalid_or_missing(raw), parse_institution_code, raw)
    assert error.field == "MedicalInstitutionCode"
    assert reason_part in error.reason


@pytest.mark.parametrize(
    ("raw", "given", "expected"),
    [
        pytest.param("0110113710", "0", "9", id="verified-0110113719-altered"),
        pytest.param("2714206385", "5", "6", id="verified-2714206386-altered"),
    ],
)
def test_an_institution_code_with_a_wrong_check_digit_raises_check_digit_error(
    raw, given, expected
):
    error = _raised(CheckDigitError, parse_institution_code, raw)
    assert error.field == "MedicalInstitutionCode"
    assert error.reason == f"検証番号{given}が一致しません（正しくは{expected}）。"


def test_institution_kind_raises_the_same_error_as_parsing():
    error = _raised(InvalidInput, institution_kind, "1321000000")
    assert error.field == "MedicalInstitutionCode"


# -- 枝番 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, None, id="none"),
        pytest.param("", None, id="empty"),
        pytest.param("  ", None, id="blank"),
        pytest.param("1", "01", id="one-digit-padded"),
        pytest.param("01", "01", id="two-digits"),
        pytest.param("00", "00", id="zero-zero"),
        pytest.param("12", "12", id="twelve"),
        pytest.param(" 3 ", "03", id="surrounding-spaces"),
    ],
)
def test_a_branch_number_is_zero_padded_to_two_digits(raw, expected):
    assert normalize_branch_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("123", id="3-digits"),
        pytest.param("a1", id="letter"),
        pytest.param("-1", id="sign"),
        pytest.param("１", id="全角"),
    ],
)
def test_a_malformed_branch_number_raises_invalid_input(raw):
    error = _raised(InvalidInput, normalize_branch_number, raw)
    assert error.field == "InsuredBranchNumber"


# -- 記号・番号 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, None, id="none"),
        pytest.param("", None, id="empty"),
        pytest.param(" \u3000 ", None, id="only-spaces"),
        pytest.param("  12-34\u3000", "12-34", id="kokuho-hyphen-stripped"),
        pytest.param("\u3000東京あ\u3000", "東京あ", id="kanji-full-width-spaces"),
        pytest.param("1" * 20, "1" * 20, id="20-characters"),
        pytest.param(" " + "1" * 20 + " ", "1" * 20, id="20-characters-after-stripping"),
    ],
)
def test_a_card_symbol_is_stripped_and_blank_is_none(raw, expected):
    assert normalize_symbol(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("1234567", "1234567", id="digits"),
        pytest.param("\u30000012 ", "0012", id="full-width-space-stripped"),
        pytest.param("A" * 20, "A" * 20, id="20-characters"),
    ],
)
def test_a_card_number_is_stripped(raw, expected):
    assert normalize_card_number(raw) == expected


@pytest.mark.parametrize(
    ("call", "raw", "field", "reason_part"),
    [
        pytest.param(normalize_symbol, "1" * 21, "InsuredCardSymbol", "20", id="symbol-21"),
        pytest.param(normalize_symbol, "12\t34", "InsuredCardSymbol", "制御文字", id="symbol-tab"),
        pytest.param(
            normalize_symbol, "12\x0034", "InsuredCardSymbol", "制御文字", id="symbol-nul"),
        pytest.param(
            normalize_card_number, "", "InsuredIdentificationNumber", "値を設定", id="number-empty"
        ),
        pytest.param(
            normalize_card_number,
            "\u3000 ",
            "InsuredIdentificationNumber",
            "値を設定",
            id="number-blank",
        ),
        pytest.param(
            normalize_card_number, "1" * 21, "InsuredIdentificationNumber", "20", id="number-21"
        ),
        pytest.param(
            normalize_card_number,
            "12\x7f34",
            "InsuredIdentificationNumber",
            "制御文字",
            id="number-del",
        ),
    ],
)
def test_a_bad_card_symbol_or_number_raises_invalid_input(call, raw, field, reason_part):
    error = _raised(_invalid_or_missing(raw), call, raw)
    assert error.field == field
    assert reason_part in error.reason


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("20230101", NEW_YEAR_2023, id="oqs-form"),
        pytest.param("2023-01-01", NEW_YEAR_2023, id="iso-form"),
        pytest.param("20240229", LEAP_DAY_2024, id="leap-day-oqs"),
        pytest.param("2024-02-29", LEAP_DAY_2024, id="leap-day-iso"),
    ],
)
def test_a_date_is_read_in_either_form(raw, expected):
    assert parse_date(raw, field="BirthDate") == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("2023-02-30", id="impossible-iso"),
        pytest.param("20230230", id="impossible-oqs"),
        pytest.param("20230229", id="not-a-leap-year"),
        pytest.param("2023/01/01", id="slashes"),
        pytest.param("2023-1-1", id="unpadded"),
        pytest.param("230101", id="two-digit-year"),
        pytest.param("2023-0101", id="mixed"),
        pytest.param("00000101", id="year-zero"),
        pytest.param("２０２３０１０１", id="全角"),
        pytest.param("", id="empty"),
    ],
)
def test_a_date_in_neither_form_raises_date_format_error(raw):
    error = _raised(DateFormatError, parse_date, raw, field="QualificationConfirmationDate")
    assert error.field == "QualificationConfirmationDate"
    assert "YYYYMMDD" in error.reason
