"""simulator.logs: what a log line shows of a value cannot break the line or hide in it."""

from __future__ import annotations

import logging

import pytest

from simulator.logs import EscapingFormatter, escape


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\nb", "a\\x0ab"),
    ("a\r\nb", "a\\x0d\\x0ab"),
    ("\x1b[31mred", "\\x1b[31mred"),
    ("nul\x00 del\x7f nel\x85 csi\x9b", "nul\\x00 del\\x7f nel\\x85 csi\\x9b"),
    ("line\u2028para\u2029", "line\\u2028para\\u2029"),
    ("bidi\u202eevil\u2066", "bidi\\u202eevil\\u2066"),
    ("tab\there", "tab\\x09here"),
    ("さくら内科 髙橋 ①", "さくら内科 髙橋 ①"),
    ("back\\slash", "back\\slash"),
])
def test_escape_shows_control_and_separator_characters_as_escapes(raw, shown) -> None:
    assert escape(raw) == shown


def _record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("simulator.test", logging.ERROR, __file__, 1, message, args,
                             exc_info)


def test_the_formatted_message_and_its_arguments_stay_on_one_line() -> None:
    formatter = EscapingFormatter("%(levelname)s %(message)s")

    line = formatter.format(_record("GET %s from %s", "/x\nINFO forged", "ua\x1b[2J"))

    assert line == "ERROR GET /x\\x0aINFO forged from ua\\x1b[2J"


def _raised(error: BaseException):
    try:
        raise error
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_a_traceback_keeps_its_lines_and_escapes_the_exception_message() -> None:
    try:
        try:
            raise KeyError("inner\nFORGED")
        except KeyError as inner:
            raise ValueError("outer /x\r\nFORGED") from inner
    except ValueError as outer:
        info = (ValueError, outer, outer.__traceback__)

    text = EscapingFormatter("%(message)s").format(_record("unexpected error", exc_info=info))
    lines = text.split("\n")

    assert lines[0] == "unexpected error"
    assert lines[1] == "Traceback (most recent call last):"
    assert "KeyError: 'inner\\nFORGED'" in lines
    assert "ValueError: outer /x\\x0d\\x0aFORGED" in lines
    assert "The above exception was the direct cause of the following exception:" in lines
    assert not [line for line in lines if line.startswith("FORGED")]


def test_an_exception_text_cached_by_another_formatter_is_not_reused() -> None:
    record = _record("failed", exc_info=_raised(ValueError("x\nFORGED")))
    logging.Formatter().format(record)  # caches the unescaped text on the record

    text = EscapingFormatter("%(message)s").format(record)

    assert "ValueError: x\\x0aFORGED" in text.split("\n")
