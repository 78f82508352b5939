"""A bug inside the simulator still answers in the interface's own format (E9003, 500)."""

from __future__ import annotations

from lxml import etree

from simulator.api import files, webapi
from tests.e2e import world
from tests.e2e.conftest import LOGIN, login


def _broken(*args, **kwargs):
    raise RuntimeError("a bug")


def test_a_bug_in_the_login_answers_the_login_format(oqs, monkeypatch, caplog) -> None:
    monkeypatch.setattr(webapi, "login", _broken)

    response = oqs.post(LOGIN, json={"userId": "clinic", "password": "sakura-pw"})

    assert response.status_code == 500
    assert response.get_json() == {"status": "1", "msg": "システムエラーが発生しました。",
                                   "code": "E9003"}
    assert "a bug" in caplog.text  # the traceback goes to the log, not to the client
    assert "a bug" not in response.get_data(as_text=True)


def test_a_bug_in_the_file_interface_answers_an_err_file(oqs, monkeypatch) -> None:
    token = login(oqs)
    monkeypatch.setattr(files, "parse_document", _broken)

    body = world.request_xml(world.SEARCHES["1"])

    response = oqs.post("/oqs/files/OQSsiquc01req_1.xml", data=body,
                        headers={"Authorization": token})

    assert response.status_code == 500
    assert response.headers["X-OQS-File-Name"] == "OQSsiquc01req_1.err"
    assert etree.fromstring(response.data).findtext("MessageHeader/ErrorCode") == "E9003"
