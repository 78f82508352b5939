"""Reading a request tree: the one element under a parent, the leaf values of an element,
the MessageHeader. Every problem is a :class:`MalformedMessage` or :class:`MissingField` whose
``field`` is the element's XPath, so the answer can name it."""

from __future__ import annotations

from lxml import etree

from ..registry.errors import MalformedMessage, MissingField

__all__ = ["child", "leaves", "read_header"]


def _path(element: etree._Element) -> str:
    return element.getroottree().getpath(element)


def child(parent: etree._Element, tag: str) -> etree._Element:
    """The one ``tag`` element under ``parent``.

    :raises MissingField / MalformedMessage: it is absent / repeated (``field`` is the XPath).
    """
    found = parent.findall(tag)
    if not found:
        raise MissingField(f"{_path(parent)}/{tag}", "この要素は必須です。")
    if len(found) > 1:
        raise MalformedMessage(_path(found[1]), "この要素は1回しか指定できません。")
    return found[0]


def leaves(parent: etree._Element) -> dict[str, str]:
    """The leaf children of ``parent`` as ``{tag: text}``; a repeated or nested one is refused."""
    values: dict[str, str] = {}
    for element in parent:
        if len(element):
            raise MalformedMessage(_path(element), "子要素ではなく値を設定してください。")
        if element.tag in values:
            raise MalformedMessage(_path(element), "この要素は1回しか指定できません。")
        values[element.tag] = (element.text or "").strip()
    return values


def read_header(root: etree._Element) -> dict[str, str]:
    """The request's MessageHeader values (read first, so an error answer can echo them).

    :raises MalformedMessage: wrong root, nesting or repetition (``field`` is the XPath).
    :raises MissingField: the header or its MedicalInstitutionCode is absent.
    """
    if root.tag != "XmlMsg":
        raise MalformedMessage(f"/{root.tag}", "ルート要素はXmlMsgにしてください。")
    header = leaves(child(root, "MessageHeader"))
    if not header.get("MedicalInstitutionCode"):
        raise MissingField("/XmlMsg/MessageHeader/MedicalInstitutionCode",
                           "この要素は必須です。")
    return header
