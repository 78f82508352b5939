"""Reading a person import file (docs/import.md): bytes in, a document in the scenario
vocabulary out, with every problem placed where the author can find it.

The document is what a scenario file's cast would be: ``{"insurers": [{number, name}],
"persons": [{id, name, kana, ..., card, qualifications, drugs, checkups}]}``. JSON files are
that document; a CSV file (one row per qualification) is turned into it by :mod:`.csv_file`,
which remembers the line and column each value came from.

Pure: no store, no clock. A file that cannot be read at all (bytes, syntax, header) raises
:class:`ImportRejected` at once; problems of its values are returned by :mod:`.checks` and the
use case, and reported together.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from ..messages.jsonbody import decode_json
from ..registry.errors import EncodingError, MalformedMessage
from .csv_file import read_csv
from .model import ImportFile, ImportRejected, Problem, shown

__all__ = ["FORMATS", "format_of", "decode", "read_import", "read_document"]

FORMATS = ("csv", "json")


def format_of(source: str, given: str | None) -> str:
    """``given`` (csv or json), else the file name's extension."""
    if given is not None:
        if given.lower() not in FORMATS:
            raise ImportRejected(source, [Problem("format",
                                                  f"形式は csv か json です: {shown(given)}")])
        return given.lower()
    extension = PurePath(source).suffix.lower().removeprefix(".")
    if extension not in FORMATS:
        raise ImportRejected(source, [Problem(
            "format", "ファイル名が .csv でも .json でもありません（--format csv|json で指定して"
                      "ください）。")])
    return extension


def decode(data: bytes, fmt: str, source: str) -> str:
    """The text of the file: UTF-8 (a BOM is dropped); a CSV that is not UTF-8 is read as
    Shift_JIS (cp932), as Excel writes it on Japanese Windows."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if fmt == "csv":
            try:
                return data.decode("cp932")
            except UnicodeDecodeError:
                pass
        expected = "UTF-8 でも Shift_JIS (cp932) でも" if fmt == "csv" else "UTF-8 として"
        raise ImportRejected(source, [Problem(
            "encoding", f"{error.start + 1}バイト目が{expected}読めません。")]) from None


def read_document(data: bytes, source: str) -> Mapping[str, Any]:
    """A JSON import document (UTF-8, a BOM allowed); its shape is checked later."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    decode(data, "json", source)  # refuses bytes that are not UTF-8, naming the first
    try:
        document = decode_json(data)
    except (EncodingError, MalformedMessage) as error:
        cause = error.__cause__
        if isinstance(cause, json.JSONDecodeError):
            problem = Problem("", f"JSONとして読めません（{cause.lineno}行 {cause.colno}列: "
                                  f"{cause.msg}）。", cause.lineno)
        else:
            problem = Problem("", error.reason)
        raise ImportRejected(source, [problem]) from None
    return document


def read_import(data: bytes, source: str, fmt: str | None = None) -> ImportFile:
    """Read the file ``source`` (its bytes ``data``) as ``fmt``, else as its extension says.

    :raises ImportRejected: when the file cannot be read at all (format, bytes, JSON syntax,
        CSV header or rows).
    """
    fmt = format_of(source, fmt)
    if fmt == "json":
        return ImportFile(source, fmt, read_document(data, source))
    return read_csv(decode(data, fmt, source), source)
