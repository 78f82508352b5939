"""A real server over TLS on loopback: institution login needs the institution's certificate.

Everything goes through the public commands: ``ca init``, ``institution add|revoke`` and
``serve --tls`` as a separate gunicorn process; the client is the standard library's TLS.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.clock import wall_now
from simulator.pki import init_ca, issue_client_certificate
from tests.e2e.test_cli import _console_script, _free_port

LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"


def _cli(env: dict[str, str], *args: str) -> str:
    result = CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """``serve --tls`` with clinic (live certificate) and dental (revoked certificate)."""
    root = tmp_path_factory.mktemp("tls")
    env = {"OQS_PKI_DIR": str(root / "pki"), "OQS_DATABASE_URL": f"sqlite:///{root}/oqs.db"}
    _cli(env, "db", "upgrade")
    _cli(env, "ca", "init")
    _cli(env, "institution", "add", "1311000002", "--name", "さくら内科", "--user", "clinic",
         "--password", "clinic-pw")
    _cli(env, "institution", "add", "1331000008", "--name", "ひまわり歯科", "--user", "dental",
         "--password", "dental-pw")
    _cli(env, "institution", "revoke", "1331000008")
    port = _free_port()
    process = subprocess.Popen(
        [_console_script(), "serve", "--tls", "--no-demo", "--workers", "1", "--port", str(port)],
        env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=root,
    )
    try:
        _wait_until_listening(port, root / "pki" / "ca.cert.pem")
        yield port, root / "pki"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def _context(ca_file: Path, cert_dir: Path | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file))
    if cert_dir is not None:
        context.load_cert_chain(cert_dir / "cert.pem", cert_dir / "key.pem")
    return context


def _wait_until_listening(port: int, ca_file: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            status, _ = _request(port, _context(ca_file), "GET", "/healthz")
            if status == 200:
                return
        except (ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def _request(port: int, context: ssl.SSLContext, method: str, path: str,
             body: dict | None = None, headers: dict | None = None):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload,
                           headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def test_login_with_the_institutions_certificate_succeeds_and_search_follows(tls_server):
    port, pki = tls_server
    with_cert = _context(pki / "ca.cert.pem", pki / "institutions" / "1311000002")

    status, answer = _request(port, with_cert, "POST", LOGIN,
                              {"userId": "clinic", "password": "clinic-pw"})
    search = {"XmlMsg": {
        "MessageHeader": {"QualificationConfirmationDate": "20260401",
                          "MedicalInstitutionCode": "1311000002"},
        "MessageBody": {"QualificationConfirmSearchInfo": {
            "InsurerNumber": "06130017", "InsuredIdentificationNumber": "1",
            "Birthdate": "19850510"}}}}
    # the search presents no client certificate, as real clients do
    found, result = _request(port, _context(pki / "ca.cert.pem"), "POST", SEARCH, search,
                             {"Authorization": answer["result"]["idToken"]})

    assert (status, answer["status"]) == (200, "0")
    assert found == 200
    assert result["XmlMsg"]["MessageBody"]["QualificationValidity"] == "4"


def test_login_without_a_certificate_fails(tls_server):
    port, pki = tls_server

    status, answer = _request(port, _context(pki / "ca.cert.pem"), "POST", LOGIN,
                              {"userId": "clinic", "password": "clinic-pw"})

    assert (status, answer["status"], answer["code"]) == (401, "1", "E5006")


def test_login_with_a_revoked_certificate_fails(tls_server):
    port, pki = tls_server
    revoked = _context(pki / "ca.cert.pem", pki / "institutions" / "1331000008")

    status, answer = _request(port, revoked, "POST", LOGIN,
                              {"userId": "dental", "password": "dental-pw"})

    assert (status, answer["code"]) == (401, "E5008")


def test_another_institutions_certificate_does_not_log_in_this_account(tls_server):
    port, pki = tls_server
    clinics_cert = _context(pki / "ca.cert.pem", pki / "institutions" / "1311000002")

    status, answer = _request(port, clinics_cert, "POST", LOGIN,
                              {"userId": "dental", "password": "dental-pw"})

    assert (status, answer["code"]) == (401, "E5010")


def test_a_certificate_from_another_ca_fails_the_handshake(tls_server, tmp_path):
    port, pki = tls_server
    stranger = init_ca(tmp_path / "other-ca", at=wall_now())
    issued = issue_client_certificate(stranger, institution_code="1311000002",
                                      institution_name="偽物", at=wall_now())
    (tmp_path / "cert.pem").write_bytes(issued.cert_pem)
    (tmp_path / "key.pem").write_bytes(issued.key_pem)

    with pytest.raises((ssl.SSLError, ConnectionError)):
        _request(port, _context(pki / "ca.cert.pem", tmp_path), "POST", LOGIN,
                 {"userId": "clinic", "password": "clinic-pw"})
