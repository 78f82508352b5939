"""The search without a card (docs/decisions.md): カナ and 住所 folding, the request read by element
name, and which persons a search finds among the records OQS shows at an instant."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import replace

import pytest

from simulator.disaster_mode.search import (
    ADDRESS_MAX,
    KANA_MAX,
    SearchQuery,
    candidates,
    fold_address,
    fold_kana,
    search_query,
)
from simulator.registry.errors import DateFormatError, InvalidInput, MissingField
from simulator.registry.model import Sex
from tests.builders import KYOKAI, at, held, record

AS_OF = at(2026, 4, 1, 9, 0)
TODAY = dt.date(2026, 4, 1)
JOB_CHANGE = dt.date(2026, 3, 1)  # the old record ends, the new one starts
BIRTHDATE = dt.date(1970, 6, 15)
OTHER_BIRTHDATE = dt.date(1970, 6, 16)
CHIYODA = "東京都千代田区千代田1-1"
MINATO = "東京都港区芝公園4-2-8"
SAPPORO = "北海道札幌市中央区北1条西2-1"

REQUEST = {"KanaName": "ｻｻｷ ﾊﾅｺ", "Birthdate": "19700615", "Sex": "2"}


def hanako(person_id: int, **overrides):
    """A 佐々木花子 record (half-width kana, as insurers register it)."""
    values = dict(name="佐々木　花子", kana="ｻｻｷ ﾊﾅｺ", birthdate=BIRTHDATE, sex=Sex.FEMALE,
                  address=CHIYODA, number=f"{person_id}0")
    return record(person_id, **(values | overrides))


def ask(**changes) -> SearchQuery:
    return search_query({k: v for k, v in (REQUEST | changes).items() if v is not None})


def found(records, query: SearchQuery | None = None, *, as_of: dt.datetime = AS_OF):
    return [(c.person_id, c.record.number)
            for c in candidates(records, query or ask(), as_of=as_of)]


# -- fold_kana -----------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "ｻｻｷ ﾊﾅｺ", "ササキ ハナコ", "ササキ　ハナコ", "ささき　はなこ", "ｻｻｷﾊﾅｺ", "ササキ・ハナコ",
    "ｻｻｷ･ﾊﾅｺ", " ｻｻｷ  ﾊﾅｺ ", "ササキ　はなこ",
], ids=["half-width", "full-width, half space", "full-width space", "hiragana", "no space",
        "nakaguro", "half-width nakaguro", "extra spaces", "mixed"])
def test_every_way_of_writing_the_kana_folds_to_the_same_full_width_katakana(written) -> None:
    assert fold_kana(written) == "ササキハナコ"


@pytest.mark.parametrize(("written", "folded"), [
    ("ｽｽﾞｷ", "スズキ"),
    ("ﾀﾞｲｽｹ", "ダイスケ"),
    ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
    ("ｳﾞｨｸﾄﾙ", "ヴィクトル"),
    ("ゔぃくとる", "ヴィクトル"),
    ("ぱぴぷ", "パピプ"),
], ids=["voiced", "voiced first", "semi-voiced", "half-width vu", "hiragana vu",
        "hiragana semi-voiced"])
def test_a_half_width_voiced_or_semi_voiced_mark_joins_its_kana(written, folded) -> None:
    assert fold_kana(written) == folded


def test_a_decomposed_voiced_mark_is_the_same_kana_as_the_composed_one() -> None:
    decomposed = unicodedata.normalize("NFD", "ダイスケ")
    assert len(decomposed) == 5

    assert fold_kana(decomposed) == fold_kana("ﾀﾞｲｽｹ") == "ダイスケ"


def test_small_kana_and_the_long_vowel_mark_are_kept() -> None:
    assert fold_kana("ｷｮｳｺ") == "キョウコ"
    assert fold_kana("ｷｮｳｺ") != fold_kana("ｷﾖｳｺ")
    assert fold_kana("ｺｰﾀﾞ ﾏｰｸ") == "コーダマーク"


# -- fold_address --------------------------------------------------------------------------------


def test_full_width_digits_and_letters_become_ascii() -> None:
    assert fold_address("東京都千代田区千代田１－１") == CHIYODA
    assert fold_address("ＡＢＣマンション１０１") == "ABCマンション101"


@pytest.mark.parametrize("dash", ["-", "－", "‐", "‑", "−", "–", "—", "―", "ｰ", "ー"],
                         ids=["hyphen-minus", "full-width", "hyphen", "non-breaking",
                              "minus", "en", "em", "horizontal bar", "half-width choon",
                              "choon"])
def test_every_dash_between_numbers_reads_as_a_hyphen(dash) -> None:
    assert fold_address(f"千代田1{dash}1") == "千代田1-1"


def test_a_long_vowel_mark_inside_a_word_stays() -> None:
    assert fold_address("コーポ１０１") == "コーポ101"
    assert fold_address("ｺｰﾎﾟ101") == "コーポ101"


def test_spaces_of_both_widths_are_removed() -> None:
    assert fold_address("東京都　千代田区 千代田 1 - 1") == CHIYODA


# -- search_query --------------------------------------------------------------------------------


def test_a_query_holds_the_folded_kana_the_date_the_sex_and_the_folded_address() -> None:
    q = ask(KanaName="ささき　はなこ", Address="千代田区千代田１－１")

    assert q == SearchQuery("ササキハナコ", BIRTHDATE, Sex.FEMALE, "千代田区千代田1-1")


def test_a_blank_address_is_no_address() -> None:
    assert ask(Address="  　").address is None
    assert ask().address is None


def test_values_at_their_length_limit_are_accepted() -> None:
    q = ask(KanaName="ア" * KANA_MAX, Address="あ" * ADDRESS_MAX)

    assert (len(q.kana), len(q.address)) == (KANA_MAX, ADDRESS_MAX)


@pytest.mark.parametrize(("changes", "field", "error"), [
    ({"KanaName": None}, "KanaName", MissingField),
    ({"KanaName": "  　"}, "KanaName", MissingField),
    ({"KanaName": "・"}, "KanaName", InvalidInput),
    ({"KanaName": "Sasaki Hanako"}, "KanaName", InvalidInput),
    ({"KanaName": "佐々木　花子"}, "KanaName", InvalidInput),
    ({"KanaName": "ｻｻｷ ﾊﾅｺ1"}, "KanaName", InvalidInput),
    ({"KanaName": "ア" * (KANA_MAX + 1)}, "KanaName", InvalidInput),
    ({"Birthdate": None}, "Birthdate", MissingField),
    ({"Birthdate": ""}, "Birthdate", MissingField),
    ({"Birthdate": "19501301"}, "Birthdate", DateFormatError),
    ({"Birthdate": "19500230"}, "Birthdate", DateFormatError),
    ({"Birthdate": "S450615"}, "Birthdate", DateFormatError),
    ({"Birthdate": "197006150"}, "Birthdate", InvalidInput),
    ({"Sex": None}, "Sex", MissingField),
    ({"Sex": "3"}, "Sex", InvalidInput),
    ({"Sex": "F"}, "Sex", InvalidInput),
    ({"Sex": "0"}, "Sex", InvalidInput),
    ({"Address": "あ" * (ADDRESS_MAX + 1)}, "Address", InvalidInput),
    ({"KanaName": 123}, "KanaName", InvalidInput),
    ({"Birthdate": 19700615}, "Birthdate", InvalidInput),
    ({"Sex": 2}, "Sex", InvalidInput),
    ({"Address": ["千代田"]}, "Address", InvalidInput),
], ids=["kana missing", "kana blank", "kana only a nakaguro", "kana in latin letters",
        "kana in kanji", "kana with a digit", "kana too long", "birthdate missing",
        "birthdate empty", "birthdate month 13", "birthdate 30 february", "birthdate in 和暦",
        "birthdate too long", "sex missing", "sex 3 (unset)", "sex a letter", "sex 0",
        "address too long", "kana a number", "birthdate a number", "sex a number",
        "address a list"])
def test_a_malformed_request_is_refused_naming_the_element(changes, field, error) -> None:
    with pytest.raises(InvalidInput) as raised:
        ask(**changes)

    assert type(raised.value) is error
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")


def test_a_non_string_value_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="Sex: 文字列にしてください"):
        ask(Sex=2)


def test_the_first_malformed_element_in_request_order_is_named() -> None:
    with pytest.raises(InvalidInput) as raised:
        ask(Birthdate="19501301", Sex="3")

    assert raised.value.field == "Birthdate"


# -- candidates: matching ------------------------------------------------------------------------


def test_a_person_is_found_by_kana_birthdate_and_sex() -> None:
    records = [hanako(1), hanako(2, birthdate=OTHER_BIRTHDATE), hanako(3, sex=Sex.MALE),
               hanako(4, kana="ｻｻｷ ﾊﾙｺ")]

    assert found(records) == [(1, "10")]


@pytest.mark.parametrize("kana", ["ササキ　ハナコ", "ささき はなこ", "ｻｻｷﾊﾅｺ", "ササキ・ハナコ"])
def test_the_kana_is_compared_after_folding_on_both_sides(kana) -> None:
    assert found([hanako(1, kana="ササキ　ハナコ")], ask(KanaName="ｻｻｷ ﾊﾅｺ")) == [(1, "10")]
    assert found([hanako(1)], ask(KanaName=kana)) == [(1, "10")]


def test_a_search_matching_nobody_finds_nothing() -> None:
    assert found([hanako(1)], ask(KanaName="ﾀﾅｶ ﾊﾅｺ")) == []
    assert found([], ask()) == []


def test_the_candidate_carries_the_record_it_is_shown_by() -> None:
    (candidate,) = candidates([hanako(7, insurer=KYOKAI, symbol="7001", branch="01")], ask(),
                              as_of=AS_OF)

    r = candidate.record
    assert (candidate.person_id, r.insurer.number, r.symbol, r.number, r.branch) == (
        7, KYOKAI.number, "7001", "70", "01")


# -- candidates: address ---------------------------------------------------------------------------


def test_an_address_narrows_persons_of_the_same_kana_birthdate_and_sex() -> None:
    records = [hanako(1, address=CHIYODA), hanako(2, address=MINATO)]

    assert found(records) == [(1, "10"), (2, "20")]
    assert found(records, ask(Address="千代田区千代田１－１")) == [(1, "10")]
    assert found(records, ask(Address="港区　芝公園４ー２ー８")) == [(2, "20")]


def test_an_address_matches_any_part_of_the_registered_address() -> None:
    records = [hanako(1, address=CHIYODA), hanako(2, address=MINATO)]

    assert found(records, ask(Address="東京都")) == [(1, "10"), (2, "20")]
    assert found(records, ask(Address="大阪府")) == []


def test_the_registered_address_is_folded_too() -> None:
    records = [hanako(1, address="東京都千代田区千代田１－１")]

    assert found(records, ask(Address="千代田1-1")) == [(1, "10")]


def test_a_record_without_an_address_does_not_match_an_address() -> None:
    records = [hanako(1, address=None)]

    assert found(records) == [(1, "10")]
    assert found(records, ask(Address="千代田")) == []


# -- candidates: what OQS shows at the instant -----------------------------------------------------


def test_a_record_not_yet_registered_is_not_found() -> None:
    late = hanako(1, registered_at=AS_OF + dt.timedelta(seconds=1))

    assert found([late]) == []
    assert found([late], as_of=AS_OF + dt.timedelta(seconds=1)) == [(1, "10")]


def test_a_record_registered_at_the_instant_is_found() -> None:
    assert found([hanako(1, registered_at=AS_OF)]) == [(1, "10")]


def test_a_record_on_hold_is_not_found_until_the_hold_is_lifted() -> None:
    on_hold = held(hanako(1), at(2026, 3, 20), until=at(2026, 4, 2))

    assert found([on_hold]) == []
    assert found([on_hold], as_of=at(2026, 4, 2)) == [(1, "10")]
    assert found([on_hold], as_of=at(2026, 3, 19)) == [(1, "10")]


def test_a_new_kana_not_yet_registered_does_not_find_the_person() -> None:
    married = dt.date(2026, 3, 20)
    old = hanako(1, number="11", valid_to=married, loss_registered_at=at(2026, 4, 3))
    new = hanako(1, number="12", kana="ﾀﾅｶ ﾊﾅｺ", valid_from=married,
                 registered_at=at(2026, 4, 3))

    assert found([old, new], ask(KanaName="ﾀﾅｶ ﾊﾅｺ")) == []
    assert found([old, new]) == [(1, "11")]
    assert found([old, new], ask(KanaName="ﾀﾅｶ ﾊﾅｺ"), as_of=at(2026, 4, 3)) == [(1, "12")]


def test_an_address_on_a_record_on_hold_does_not_find_the_person() -> None:
    old = hanako(1, number="11", valid_to=JOB_CHANGE, loss_registered_at=at(2026, 3, 3))
    new = held(hanako(1, number="12", valid_from=JOB_CHANGE, address=MINATO,
                      registered_at=at(2026, 3, 6)), at(2026, 3, 6))

    assert found([old, new], ask(Address="港区")) == []
    assert found([old, new], ask(Address="千代田区")) == [(1, "11")]


def test_a_person_with_two_records_is_one_candidate_shown_by_the_record_valid_today() -> None:
    old = hanako(1, number="11", valid_to=JOB_CHANGE, loss_registered_at=at(2026, 3, 3))
    new = hanako(1, insurer=KYOKAI, symbol="7001", number="12", valid_from=JOB_CHANGE,
                 registered_at=at(2026, 3, 6))

    assert found([old, new]) == [(1, "12")]
    assert found([new, old]) == [(1, "12")]


def test_a_record_starting_later_does_not_replace_the_one_valid_today() -> None:
    next_job = dt.date(2026, 4, 10)
    today = hanako(1, number="11", valid_to=next_job, loss_registered_at=at(2026, 3, 25))
    later = hanako(1, number="12", valid_from=next_job, registered_at=at(2026, 3, 25))

    assert found([today, later]) == [(1, "11")]
    assert found([today, later], as_of=at(2026, 4, 10)) == [(1, "12")]


def test_a_person_found_by_an_old_address_is_shown_by_the_current_record() -> None:
    old = hanako(1, number="11", valid_to=JOB_CHANGE, loss_registered_at=at(2026, 3, 3),
                 address=MINATO)
    new = hanako(1, number="12", valid_from=JOB_CHANGE, registered_at=at(2026, 3, 6))

    (candidate,) = candidates([old, new], ask(Address="港区"), as_of=AS_OF)

    assert (candidate.record.number, candidate.record.address) == ("12", CHIYODA)


def test_a_newer_record_not_yet_registered_leaves_the_person_shown_by_the_old_one() -> None:
    old = hanako(1, number="11", valid_to=JOB_CHANGE, loss_registered_at=at(2026, 4, 3))
    new = hanako(1, number="12", valid_from=JOB_CHANGE, registered_at=at(2026, 4, 3))

    (candidate,) = candidates([old, new], ask(), as_of=AS_OF)

    assert candidate.record.number == "11"
    assert candidate.record.valid_to is None  # the loss is not known yet either
    assert found([old, new], as_of=at(2026, 4, 3)) == [(1, "12")]


def test_a_lost_qualification_still_finds_the_person() -> None:
    lost = hanako(1, valid_to=JOB_CHANGE, loss_registered_at=at(2026, 3, 3))

    (candidate,) = candidates([lost], ask(), as_of=AS_OF)

    assert candidate.record.valid_to == JOB_CHANGE
    assert not candidate.record.valid_on(TODAY)


# -- candidates: order -----------------------------------------------------------------------------


def test_candidates_come_in_kana_then_address_then_person_order() -> None:
    records = [hanako(5, address=CHIYODA), hanako(3, address=SAPPORO),
               hanako(4, address=CHIYODA), hanako(6, address=None),
               replace(hanako(2), kana="ｻｻｷ ﾊﾅｺ ")]

    assert [c.person_id for c in candidates(records, ask(), as_of=AS_OF)] == [6, 3, 4, 5, 2]
