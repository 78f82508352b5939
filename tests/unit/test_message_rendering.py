"""The message layer's pure parts: charset rules, ●, and the XML/JSON renderings of one tree."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from simulator.messages.encoding import SHIFT_JIS, UTF8, declared_charset, displayable
from simulator.messages.tree import branch, element_from_json, leaf, to_json, to_xml
from simulator.messages.xmlparse import parse_document
from simulator.registry.errors import EncodingError, MalformedMessage, TooLarge


@pytest.mark.parametrize(
    ("text", "utf8", "shift_jis"),
    [
        ("山田　太郎", "山田　太郎", "山田　太郎"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("髙橋", "●橋", "●橋"),
        ("山﨑", "山●", "山●"),
        ("德", "德", "●"),
        ("①", "●", "●"),
        ("😀", "●", "●"),
        ("1－2", "1－2", "1－2"),
        ("a\x01b", "a●b", "a●b"),
    ],
    ids=["jis x 0208", "half-width kana", "髙", "﨑", "德 pass-through", "nec circled digit",
         "emoji", "full-width hyphen", "control character"],
)
def test_unsupported_characters_become_black_circles(text, utf8, shift_jis) -> None:
    assert displayable(text, UTF8) == utf8
    assert displayable(text, SHIFT_JIS) == shift_jis


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0" encoding="Shift_JIS"?>', SHIFT_JIS),
        (b"<?xml version='1.0' encoding='windows-31j'?>", SHIFT_JIS),
        (b'<?xml version="1.0" encoding="utf-8"?>', UTF8),
        (b'<?xml version="1.0"?>', UTF8),
        (b"\xef\xbb\xbf<XmlMsg/>", UTF8),
        (b"<XmlMsg/>", UTF8),
    ],
)
def test_the_declared_charset_is_read_from_the_declaration(head, expected) -> None:
    assert declared_charset(head) is expected


def test_an_unaccepted_encoding_is_refused() -> None:
    with pytest.raises(EncodingError, match="utf-16"):
        declared_charset(b'<?xml version="1.0" encoding="UTF-16"?>')


TREE = ("XmlMsg", [
    ("MessageHeader", [("SegmentOfResult", "1")]),
    ("MessageBody", [
        ("Repeated", "a"), ("Repeated", "b"),
        ("ResultList", [("ResultOfQualificationConfirmation", [("Name", "髙橋 <&>")])]),
    ]),
])


def test_json_repeats_become_arrays_and_list_containers_arrays_of_objects() -> None:
    document = json.loads(to_json(TREE, UTF8))

    body = document["XmlMsg"]["MessageBody"]
    assert body["Repeated"] == ["a", "b"]
    assert body["ResultList"] == [{"ResultOfQualificationConfirmation": {"Name": "●橋 <&>"}}]


def test_xml_is_escaped_declared_and_encoded() -> None:
    data = to_xml(TREE, SHIFT_JIS)

    assert data.startswith(b'<?xml version="1.0" encoding="Shift_JIS" standalone="no"?>\n')
    root = etree.fromstring(data)
    assert root.findtext("MessageBody/ResultList/ResultOfQualificationConfirmation/Name") == (
        "●橋 <&>")


def test_absent_values_are_omitted_not_empty() -> None:
    node = branch("A", [leaf("B", None), leaf("C", ""), branch("D", [leaf("E", None)])])

    assert node == ("A", [("C", "")])
    assert branch("X", [leaf("Y", None)]) is None


def test_a_json_request_becomes_the_same_element_tree() -> None:
    root = element_from_json({"XmlMsg": {"MessageHeader": {"A": "1", "B": ["x", "y"]}}})

    assert etree.tostring(root) == (
        b"<XmlMsg><MessageHeader><A>1</A><B>x</B><B>y</B></MessageHeader></XmlMsg>")


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"XmlMsg": {"A": 1}}, "/XmlMsg/A"),
        ({"XmlMsg": {"A": None}}, "/XmlMsg/A"),
        ({"XmlMsg": {"bad key": "x"}}, "/XmlMsg/bad key"),
        ({"a": {}, "b": {}}, "(document)"),
        ({"XmlMsg": {"A": "x\x1fy"}}, "/XmlMsg/A"),
        ("XmlMsg", "(document)"),
    ],
)
def test_a_json_request_that_is_not_a_tree_names_where(document, path) -> None:
    with pytest.raises(MalformedMessage) as raised:
        element_from_json(document)

    assert raised.value.field == path


def test_the_parser_bounds_size_and_depth() -> None:
    with pytest.raises(TooLarge):
        parse_document(b"<a/>" * 100, max_bytes=50)
    with pytest.raises(MalformedMessage, match="上限3階層"):
        parse_document(b"<a><b><c><d/></c></b></a>", max_bytes=1000, max_depth=3)
    assert parse_document(b"<a><b><c/></b></a>", max_bytes=1000, max_depth=3).root.tag == "a"


def test_the_parser_never_resolves_entities_even_without_a_doctype_check() -> None:
    with pytest.raises(MalformedMessage, match="DTD"):
        parse_document(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', max_bytes=1000)
    with pytest.raises(MalformedMessage, match="XMLとして読めません"):
        parse_document(b"<a>&undefined;</a>", max_bytes=1000)
