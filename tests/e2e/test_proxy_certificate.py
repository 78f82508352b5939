"""Certificate mode behind a TLS-terminating proxy: the certificate arrives in a header."""

from __future__ import annotations

import urllib.parse

import pytest

from simulator import create_app
from simulator.clock import FixedClock, wall_now
from simulator.config import ConfigError
from simulator.institutions.service import register_institution
from simulator.pki import init_ca
from simulator.store import SqlUnitOfWork
from tests.e2e.conftest import BUSINESS_NOW, LOGIN


@pytest.fixture
def proxied(database_url, tmp_path):
    authority = init_ca(tmp_path / "pki", at=wall_now())
    app = create_app({"database_url": database_url, "admin_token": "a", "auth": "certificate",
                      "pki_dir": str(tmp_path / "pki")}, clock=FixedClock(BUSINESS_NOW))
    issued = register_institution(
        uow=SqlUnitOfWork(app.extensions["oqs"].engine), ca=authority, code="1311000002",
        name="さくら内科", user="clinic", password="clinic-pw", at=wall_now())
    yield app.test_client(), issued
    app.extensions["oqs"].engine.dispose()


CREDENTIALS = {"userId": "clinic", "password": "clinic-pw"}


@pytest.mark.parametrize(
    "encode",
    [lambda pem: pem.decode().replace("\n", " "), lambda pem: urllib.parse.quote(pem.decode())],
    ids=["newlines as spaces", "nginx escaped"],
)
def test_the_proxy_header_carries_the_certificate(proxied, encode) -> None:
    client, issued = proxied

    response = client.post(LOGIN, json=CREDENTIALS,
                           headers={"X-SSL-Client-Cert": encode(issued.cert_pem)})

    assert response.status_code == 200
    assert response.get_json()["status"] == "0"


@pytest.mark.parametrize(
    ("header", "code"),
    [(None, "E5006"), ("not a certificate", "E5007")],
    ids=["no header", "garbage"],
)
def test_without_a_readable_certificate_login_fails(proxied, header, code) -> None:
    client, _ = proxied
    headers = {"X-SSL-Client-Cert": header} if header else {}

    response = client.post(LOGIN, json=CREDENTIALS, headers=headers)

    assert (response.status_code, response.get_json()["code"]) == (401, code)


def test_certificate_mode_without_a_ca_stops_start_up(tmp_path) -> None:
    with pytest.raises(ConfigError, match="oqs-sim ca init"):
        create_app({"database_url": f"sqlite:///{tmp_path}/x.db", "auth": "certificate",
                    "pki_dir": str(tmp_path / "none")})
