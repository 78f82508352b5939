"""The one place where JSON from outside is decoded: the counterpart of :mod:`.xmlparse`.

UTF-8 only; nesting bounded like XML's (:data:`MAX_DEPTH`), checked before the decoder
recurses; strings that no encoding can carry (lone surrogates written as ``\\ud800``) refused.
Every problem becomes :class:`EncodingError` or :class:`MalformedMessage`, naming where it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..registry.errors import EncodingError, MalformedMessage
from .xmlparse import MAX_DEPTH

__all__ = ["decode_json", "MAX_DEPTH"]

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _check_depth(raw: bytes) -> None:
    if raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH:  # the usual case: nothing to scan
        return
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        depth += 1 if match.group() in (b"{", b"[") else -1
        if depth > MAX_DEPTH:
            raise MalformedMessage(
                "(document)", f"入れ子が深すぎます（上限{MAX_DEPTH}階層）。")


def _check_strings(value: Any, path: str) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            where = path or "(document)"
            raise EncodingError(where, f"{where}に対になっていないサロゲート（\\ud800など）が"
                                       "あります。") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, path)
            _check_strings(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{path}[{index + 1}]")


def decode_json(raw: bytes) -> Any:
    """Decode a JSON body.

    :raises EncodingError: bytes that are not UTF-8, or a lone surrogate (``field``: where).
    :raises MalformedMessage: not JSON, or nested deeper than :data:`MAX_DEPTH`.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EncodingError("encoding", f"{error.start}バイト目がUTF-8として正しくありません。"
                            ) from error
    _check_depth(raw)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedMessage(
            "(document)", f"JSONとして読めません（{error.pos}文字目）。") from error
    except RecursionError:  # not reached after the depth check; kept as a guard
        raise MalformedMessage("(document)", "入れ子が深すぎます。") from None
    if _SURROGATE_ESCAPE.search(raw):
        _check_strings(document, "")
    return document
