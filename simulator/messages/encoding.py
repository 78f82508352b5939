"""Character sets of the file interface: reading requests and writing results (docs/interfaces.md).

Requests declare UTF-8 or Shift_JIS in their XML declaration; results use the request's encoding
and say which in CharacterCodeIdentifier (OQSCD005: 0 UTF-8, 1 Shift_JIS). Shift_JIS is read and
written as Windows' code page 932, the variant the terminals' software uses.

:func:`displayable` replaces characters outside the supported set (JIS X 0208, ASCII, half-width
katakana, plus in UTF-8 a pass-through list) with ●, so a Shift_JIS result holds nothing but
JIS X 0208 and strict readers can read it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

from ..datasets import DATASETS, load_yaml
from ..registry.errors import EncodingError

__all__ = ["Charset", "UTF8", "SHIFT_JIS", "declared_charset", "decode", "displayable"]


@dataclass(frozen=True, slots=True)
class Charset:
    identifier: str  # CharacterCodeIdentifier
    declared: str  # as written in the XML declaration
    codec: str  # Python codec


UTF8 = Charset("0", "UTF-8", "utf-8")
SHIFT_JIS = Charset("1", "Shift_JIS", "cp932")

_NAMES = {
    "utf-8": UTF8, "utf8": UTF8,
    "shift_jis": SHIFT_JIS, "shift-jis": SHIFT_JIS, "sjis": SHIFT_JIS, "x-sjis": SHIFT_JIS,
    "windows-31j": SHIFT_JIS, "ms932": SHIFT_JIS, "cp932": SHIFT_JIS, "ms_kanji": SHIFT_JIS,
}
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")

_characters = load_yaml(DATASETS / "codes" / "characters.yaml")
REPLACEMENT: str = _characters["replacement"]
_PASS_THROUGH = frozenset(_characters["pass_through"])


def declared_charset(body: bytes) -> Charset:
    """The charset a request declares (UTF-8 when it declares none, as XML says).

    :raises EncodingError: for an encoding the interface does not accept.
    """
    if body.startswith(codecs.BOM_UTF8):
        return UTF8
    match = _DECLARATION.match(body[:200])
    if match is None:
        return UTF8
    name = match.group(1).decode("ascii").lower()
    if name not in _NAMES:
        raise EncodingError(
            "encoding", f"{name}は使えません。UTF-8またはShift_JISにしてください。")
    return _NAMES[name]


def decode(body: bytes, charset: Charset) -> str:
    """Decode the request.

    :raises EncodingError: naming the byte offset of the first invalid sequence.
    """
    try:
        return body.decode(charset.codec).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise EncodingError(
            "encoding", f"{error.start}バイト目が{charset.declared}として正しくありません。"
        ) from error


def _in_jis_x_0208(char: str) -> bool:
    """ASCII, half-width katakana or JIS X 0208: what code page 932 writes and a strict
    Shift_JIS reader reads back. Code page 932's own additions (NEC row 13 ①, IBM 髙, the
    user-defined area, the single bytes 0xA0 and 0xFD–0xFF) are not."""
    try:
        char.encode("cp932").decode("shift_jis")
    except UnicodeError:
        return False
    return True


@lru_cache(maxsize=65536)
def _supported(char: str, utf8: bool) -> bool:
    if char < " " and char not in "\t\n\r":  # not allowed in XML 1.0
        return False
    return _in_jis_x_0208(char) or (utf8 and char in _PASS_THROUGH)


def displayable(text: str, charset: Charset) -> str:
    """Return ``text`` with every unsupported character replaced by ●."""
    if text.isascii() and text.isprintable():
        return text
    return _displayable(text, charset is UTF8)


@lru_cache(maxsize=65536)
def _displayable(text: str, utf8: bool) -> str:
    # names, kana, addresses and insurer names repeat across results: cache whole strings
    return "".join(c if _supported(c, utf8) else REPLACEMENT for c in text)
