"""The hostile values the mutations draw from."""

from __future__ import annotations

from .documents import Obj, Raw

EDGE_STRINGS = [
    "", " ", "\u3000", "\t\r\n", "x" * 10_000, "\x00", "a\x00b", "\x01", "\x08", "\x1b[31m",
    "\x7f", "\ud800", "a\udfffb", "\ue000", "\uf8ff", "\ufffe", "\ufeff", "①", "髙", "﨑",
    "😀", "𠮷", "ｱｲｳｴｵ", "\u202e", "Ａ１", "'; DROP TABLE persons; --", "<![CDATA[x]]>",
    "&amp;", "&#0;", "%s%n%x", "{{7*7}}", "../../etc/passwd", "0", "-1", "1" * 40,
    "２０２６０４０１", "20260230", "99999999", "1e999", "NaN", "null", "true",
]

WRONG_TYPES = [
    0, -1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**400, 1.5, 1e308, -0.0, None, True, False,
    [], [1, "a"], Obj(), Obj([("a", 1)]), Raw("1e999"), Raw("NaN"), Raw("-Infinity"),
]

ADMIN_IDS = [
    "0", "-1", "1", str(2**63 - 1), str(2**63), str(2**64), str(10**30), "1.5", "1e3", "abc",
    "%00", "%0a", "%ff", "%E3%81%82", "\u0661", "x" * 300, "..", "..%2f..", " 1", "0x10",
    "null", "%20", "1;DROP",
]

# Characters a request file name must cope with (inserted raw in the request target).
HOSTILE_NAME_PARTS = [
    b"\r", b"\n", b"\r\nX-Injected: 1", b"\x00", b"\x1b", b"\x7f", b"\t", b" ", b"%0a", b"%0d%0a",
    b"%00", b"%1b", b"%7f", b"%ff", b"%E3%81%82", "日本".encode(), b"\xff\xfe", b"\x82\xa0",
    b"\xc0\xae", b"A" * 300, b"../", b"..%2f", b"%2e%2e/", b"/", b"//", b"\\", b"?x=1", b"#f",
    b";x", b"*", b"\"'<>", b"%", b"%zz", b"~",
]

PREFIX_MUTATIONS = [
    b"OQSxxxxx01req_", b"OQSsiquc01_", b"OQSsiquc01res_", b"oqssiquc01req_", b"OQSsiquc01req",
    b"req_", b"", b"OQSsiquc99req_", b"OQSsiquc01req_OQSsiquc01req_",
]

SUFFIXES = [b".xml", b".XML", b"", b".err", b".xml.xml", b".zip", b"." * 3]

SHIFT_JIS_BYTES = [
    b"\xa0", b"\xfd", b"\xfe", b"\xff", b"\xf0\x40", b"\xf9\xfc", b"\x82", b"\x82<", b"\x81\x7f",
    b"\x87\x40", b"\xed\x40", b"\xfa\x40", b"\x80", b"\x85\x40",
]

CONTENT_TYPES = [
    None, b"", b"text/plain", b"application/xml", b"application/json", b"application/x-www-form-"
    b"urlencoded", b"multipart/form-data; boundary=x", b"application/json; charset=shift_jis",
    b"application/xml; charset=EUC-JP", b"*/*", b"application/json; charset=\xff",
    b"application/yaml",
]

WRONG_METHODS = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "post"]

BROKEN_AUTH = [
    None, b"", b" ", b"Bearer", b"Bearer ", b"{token}x", b"x{token}", b"{token}{token}",
    b"Bearer {token}", b"Basic Y2xpbmljOnBhc3M=", b"a.b.c", b"..", b"x" * 10_000,
    b"{token}\x00", b"\xe3\x81\x82", b"\xff\xfe", b"eyJhbGciOiJub25lIn0.e30.",
]

ENCODING_DECLARATIONS = [
    "Shift_JIS", "UTF-8", "EUC-JP", "UTF-16", "ISO-2022-JP", "x-unknown", "", "cp932", "ascii",
    "UTF-32",
]
