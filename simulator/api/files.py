"""The XML file interface over HTTP (docs/interfaces.md): ``POST /oqs/files/<request file name>``.

The name's prefix selects the kind. The answer is the response file: its name in
``X-OQS-File-Name`` (``req`` → ``res``) and its bytes in the request's charset. A request that
cannot be processed answers the ``.err`` content (the envelope error tree, SegmentOfResult 9)
with ``X-OQS-File-Name: <request base name>.err``: HTTP 401/403 for identity problems, 503 when
the system is down, 422 for everything else. The institution is identified by the same idToken
as the Web API (``Authorization``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint, g, request
from werkzeug.routing import BaseConverter

from ..faults.model import Route
from ..messages.tree import to_xml
from ..messages.xmlparse import parse_document
from ..registry.errors import Forbidden, InvalidInput, OqsError, Unauthorized, Unavailable
from ..runtime import current_runtime
from .bulk_files import answer_download, answer_upload
from .common import answer_single, error_tree, read_body, register_unexpected, xml_response
from .echo import echo_charset, echo_request
from .fault_gate import install
from .medical_files import answer_checkup, answer_drug
from .reference_files import answer_reference

bp = Blueprint("files", __name__, url_prefix="/oqs/files")


class AnyName(BaseConverter):
    """Whatever follows ``/oqs/files/``, newlines and slashes included, so that every name
    reaches :func:`check_name` and is refused there in the interface's own format."""

    regex = r"[\s\S]+"
    part_isolating = False


bp.record_once(lambda state: state.app.url_map.converters.setdefault("any_name", AnyName))
install(bp, Route.FILES)

#: Request kinds by file-name prefix; later kinds register here.
KINDS: dict[str, Callable] = {
    "OQSsiquc01req_": answer_single,
    "OQSsiimm01req_": answer_reference,
    "YZKsiquc01req_": answer_drug,
    "TKKsiquc01req_": answer_checkup,
    "OQSmuquc01req_": answer_upload,
    "OQSmuquc02req_": answer_download,
}
_STATUS = ((Unauthorized, 401), (Forbidden, 403), (Unavailable, 503))
#: What a request file's name may hold: the 連携アプリ's names are ASCII letters, digits, ``_``,
#: ``-`` and ``.`` (``OQSsiquc01req_2021081611906.xml``). Anything else is refused before the
#: file is read, so a name can never reach a response header or the log.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
FILE_NAME_FIELD = "ファイル名"


class UnknownFileKind(OqsError):
    code = "unknown_file_kind"


def check_name(name: str) -> str:
    """Refuse a request file name outside :data:`_NAME`.

    :raises InvalidInput: naming the file name (ファイル名).
    """
    if not _NAME.fullmatch(name):
        raise InvalidInput(FILE_NAME_FIELD, "英数字と「_」「-」「.」で200文字以内にしてください。")
    return name


def _kind(name: str) -> Callable:
    for prefix, handler in KINDS.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return handler
    raise UnknownFileKind(name)


def response_name(name: str) -> str:
    return name.replace("req_", "res_", 1)


def error_name(name: str) -> str:
    """The ``.err`` answer's name; an unusable request name is made safe (``_``, 200 chars)."""
    safe = _UNSAFE.sub("_", name)[:200] or "request"
    return f"{safe.removesuffix('.xml')}.err"


@bp.post("/", defaults={"name": ""})
@bp.post("/<any_name:name>")
def post_file(name: str):
    runtime = current_runtime()
    handler = _kind(check_name(name))
    institution = runtime.signer.institution(request.headers.get("Authorization"))
    document = parse_document(read_body(runtime.settings.max_body_bytes),
                              max_bytes=runtime.settings.max_body_bytes)
    g.oqs_charset = document.charset
    node = handler(document.root, institution=institution, charset=document.charset,
                   runtime=runtime)
    return xml_response(to_xml(node, document.charset), document.charset,
                        name=response_name(name))


def _request_name() -> str:
    return (request.view_args or {}).get("name") or "request"


@bp.errorhandler(OqsError)
def refused(error: OqsError):
    runtime = current_runtime()
    limit = runtime.settings.max_body_bytes
    charset = echo_charset(limit)
    header, search = echo_request(limit, xml=True)
    single = _request_name().startswith("OQSsiquc01req_")
    node, _ = error_tree(error, runtime=runtime, charset=charset, header=header,
                         search=search if single else None)
    status = next((s for cls, s in _STATUS if isinstance(error, cls)), 422)
    if error.code == "internal_error":
        status = 500
    return xml_response(to_xml(node, charset), charset, name=error_name(_request_name()),
                        status=status)


register_unexpected(bp, refused)
