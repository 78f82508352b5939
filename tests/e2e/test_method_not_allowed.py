"""A 405 says which methods the route takes (RFC 9110 §15.5.6: the Allow header)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("delete", "/sim/v1/clock", {"GET", "PUT"}),
    ("get", "/oqs-api-pro/MSA12020/ILI12020SV01/auth", {"POST"}),
    ("get", "/oqs/files/OQSsiquc01req_1.xml", {"POST"}),
    ("get", "/oqs/card/challenge", {"POST"}),
    ("get", "/oqs/emergency/search", {"POST"}),
    ("put", "/healthz", {"GET"}),
], ids=["admin", "web api", "files", "card", "emergency", "healthz"])
def test_a_wrong_method_is_a_405_with_an_allow_header(client, method, path, allowed) -> None:
    response = getattr(client, method)(path)

    assert response.status_code == 405
    sent = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= sent
    assert method.upper() not in sent
