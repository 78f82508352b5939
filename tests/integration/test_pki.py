"""The simulator's CA: files on disk, issued certificates, client checks, a real TLS handshake."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import stat
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulator.pki import (
    CA_CERT_FILE,
    CA_KEY_FILE,
    CertificateAuthority,
    CertificateExpired,
    CertificateInvalid,
    CertificateMissing,
    CertificateNotOurs,
    IssuedCertificate,
    certificate_pem,
    init_ca,
    issue_client_certificate,
    issue_server_certificate,
    load_ca,
    load_certificate,
    verify_client_certificate,
)
from simulator.registry.errors import InvalidInput, OqsError, Unauthorized

ISSUED_AT = dt.datetime(2026, 4, 1, 0, 0, tzinfo=dt.UTC)
MID_2026 = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
INSTITUTION_CODE = "1312345679"
INSTITUTION_NAME = "医療法人社団 杉並ひまわりクリニック"
SERVER_HOSTS = ["localhost", "oqs.example.test", "127.0.0.1", "::1"]
TLS_TIMEOUT = 10.0


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return init_ca(tmp_path / "ca", at=ISSUED_AT)


@pytest.fixture
def other_ca(tmp_path: Path) -> CertificateAuthority:
    return init_ca(tmp_path / "other-ca", at=ISSUED_AT, name="Some Other CA")


@pytest.fixture
def client(ca: CertificateAuthority) -> IssuedCertificate:
    return issue_client_certificate(
        ca, institution_code=INSTITUTION_CODE, institution_name=INSTITUTION_NAME, at=ISSUED_AT
    )


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def certificate_of(issued: IssuedCertificate) -> x509.Certificate:
    return x509.load_pem_x509_certificate(issued.cert_pem)


# --- the CA on disk -----------------------------------------------------------------------------


def test_init_writes_the_key_and_certificate_with_private_modes(tmp_path: Path) -> None:
    directory = tmp_path / "ca"

    init_ca(directory, at=ISSUED_AT)

    assert mode_of(directory) == 0o700
    assert mode_of(directory / CA_KEY_FILE) == 0o600
    assert (directory / CA_KEY_FILE).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert (directory / CA_CERT_FILE).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_a_second_init_is_refused_without_force(tmp_path: Path, ca: CertificateAuthority) -> None:
    with pytest.raises(FileExistsError, match="already exists"):
        init_ca(tmp_path / "ca", at=ISSUED_AT)

    assert load_ca(tmp_path / "ca").cert_pem == ca.cert_pem


def test_a_forced_init_replaces_the_ca(tmp_path: Path, ca: CertificateAuthority) -> None:
    replaced = init_ca(tmp_path / "ca", at=ISSUED_AT, force=True)

    assert replaced.cert_pem != ca.cert_pem
    assert load_ca(tmp_path / "ca").cert_pem == replaced.cert_pem
    assert mode_of(tmp_path / "ca" / CA_KEY_FILE) == 0o600


def test_load_returns_the_ca_that_init_wrote(tmp_path: Path, ca: CertificateAuthority) -> None:
    loaded = load_ca(tmp_path / "ca")

    assert loaded.cert_pem == ca.cert_pem
    assert loaded.private_key.private_numbers() == ca.private_key.private_numbers()


def test_load_from_a_directory_without_a_ca_says_to_run_ca_init(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="oqs-sim ca init"):
        load_ca(tmp_path / "nowhere")


def test_the_ca_certificate_is_a_self_signed_constrained_ca(ca: CertificateAuthority) -> None:
    extensions = ca.certificate.extensions
    constraints = extensions.get_extension_for_class(x509.BasicConstraints)
    usage = extensions.get_extension_for_class(x509.KeyUsage)

    assert ca.certificate.issuer == ca.certificate.subject
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    ca.certificate.verify_directly_issued_by(ca.certificate)


# --- issuing ------------------------------------------------------------------------------------


def test_a_client_certificate_names_the_institution(client: IssuedCertificate) -> None:
    subject = certificate_of(client).subject

    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == INSTITUTION_CODE
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == INSTITUTION_NAME
    assert client.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")


def test_validity_starts_five_minutes_before_issue_and_lasts_valid_days(
    ca: CertificateAuthority,
) -> None:
    issued = issue_client_certificate(
        ca, institution_code=INSTITUTION_CODE, institution_name="x", at=ISSUED_AT, valid_days=30
    )

    assert issued.not_before == ISSUED_AT - dt.timedelta(minutes=5)
    assert issued.not_after == ISSUED_AT + dt.timedelta(days=30)
    assert issued.not_after.tzinfo is not None


def test_each_client_certificate_gets_its_own_serial(ca: CertificateAuthority) -> None:
    serials = {
        issue_client_certificate(
            ca, institution_code=INSTITUTION_CODE, institution_name="x", at=ISSUED_AT
        ).serial
        for _ in range(3)
    }

    assert len(serials) == 3


@pytest.mark.parametrize("code", ["131234567", "13123456789", "131234567X", "１３１２３４５６７９"])
def test_issuing_refuses_an_institution_code_that_is_not_ten_digits(
    ca: CertificateAuthority, code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        issue_client_certificate(ca, institution_code=code, institution_name="x", at=ISSUED_AT)

    assert raised.value.field == "institution_code"


def test_the_server_certificate_has_the_san_entries_asked_for(ca: CertificateAuthority) -> None:
    server = issue_server_certificate(ca, hostnames=SERVER_HOSTS, at=ISSUED_AT)
    certificate = certificate_of(server)
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value

    assert san.get_values_for_type(x509.DNSName) == ["localhost", "oqs.example.test"]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest


# --- verifying ----------------------------------------------------------------------------------


def test_a_client_certificate_of_our_ca_verifies_and_yields_code_and_serial(
    ca: CertificateAuthority, client: IssuedCertificate
) -> None:
    identity = verify_client_certificate(ca, certificate_of(client), at=MID_2026)

    assert identity.institution_code == INSTITUTION_CODE
    assert identity.serial == client.serial
    assert identity.not_after == client.not_after


def test_a_client_certificate_from_another_ca_is_not_ours(
    ca: CertificateAuthority, other_ca: CertificateAuthority
) -> None:
    foreign = issue_client_certificate(
        other_ca, institution_code=INSTITUTION_CODE, institution_name="x", at=ISSUED_AT
    )

    with pytest.raises(CertificateNotOurs) as raised:
        verify_client_certificate(ca, certificate_of(foreign), at=MID_2026)

    assert raised.value.code == "certificate_invalid"


def test_a_certificate_signed_by_an_impostor_with_our_ca_name_is_not_ours(
    tmp_path: Path, ca: CertificateAuthority
) -> None:
    impostor = init_ca(tmp_path / "impostor", at=ISSUED_AT)  # same default name, other key
    forged = issue_client_certificate(
        impostor, institution_code=INSTITUTION_CODE, institution_name="x", at=ISSUED_AT
    )

    assert impostor.subject == ca.subject
    with pytest.raises(CertificateNotOurs, match="署名"):
        verify_client_certificate(ca, certificate_of(forged), at=MID_2026)


def test_a_certificate_is_expired_from_its_not_after(
    ca: CertificateAuthority, client: IssuedCertificate
) -> None:
    with pytest.raises(CertificateExpired, match="終わっています") as raised:
        verify_client_certificate(ca, certificate_of(client), at=client.not_after)

    assert raised.value.code == "certificate_expired"


def test_a_certificate_is_refused_before_its_not_before(
    ca: CertificateAuthority, client: IssuedCertificate
) -> None:
    just_before = client.not_before - dt.timedelta(seconds=1)

    with pytest.raises(CertificateExpired, match="まだ始まっていません"):
        verify_client_certificate(ca, certificate_of(client), at=just_before)


def test_a_certificate_is_valid_from_not_before_to_just_before_not_after(
    ca: CertificateAuthority, client: IssuedCertificate
) -> None:
    certificate = certificate_of(client)

    verify_client_certificate(ca, certificate, at=client.not_before)
    verify_client_certificate(ca, certificate, at=client.not_after - dt.timedelta(seconds=1))


def test_a_server_certificate_is_refused_as_a_client_certificate(
    ca: CertificateAuthority,
) -> None:
    server = issue_server_certificate(ca, hostnames=["localhost"], at=ISSUED_AT)

    with pytest.raises(CertificateInvalid, match="クライアント認証") as raised:
        verify_client_certificate(ca, certificate_of(server), at=MID_2026)

    assert raised.value.code == "certificate_invalid"


def test_certificate_errors_are_unauthorized_oqs_errors_with_codes() -> None:
    assert issubclass(CertificateInvalid, Unauthorized)
    assert issubclass(CertificateNotOurs, OqsError)
    assert CertificateMissing("no certificate").code == "certificate_missing"


# --- reading the transport forms ----------------------------------------------------------------


def transport_forms(pem: bytes) -> dict[str, bytes | str]:
    text = pem.decode("ascii")
    return {
        "pem bytes": pem,
        "pem str": text,
        "nginx escaped": urllib.parse.quote(text, safe=""),
        "space joined": text.replace("\n", " "),
        "tab continued": text.rstrip("\n").replace("\n", "\n\t"),
        "crlf": text.replace("\n", "\r\n"),
        "der": x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER),
    }


@pytest.mark.parametrize(
    "form",
    ["pem bytes", "pem str", "nginx escaped", "space joined", "tab continued", "crlf", "der"],
)
def test_every_transport_form_loads_the_same_certificate(
    client: IssuedCertificate, form: str
) -> None:
    data = transport_forms(client.cert_pem)[form]

    assert certificate_pem(load_certificate(data)) == client.cert_pem


def test_the_nginx_escaped_form_is_what_nginx_sends(client: IssuedCertificate) -> None:
    escaped = transport_forms(client.cert_pem)["nginx escaped"]

    assert isinstance(escaped, str)
    assert escaped.startswith("-----BEGIN%20CERTIFICATE-----%0AMII")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "",
        b"garbage",
        "not a certificate",
        b"\x30\x82\x01\x00 truncated DER",
        b"\xff\xfe\x00 binary noise",
        "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMIIB",
        "%ZZ%",
        "-----BEGIN CERTIFICATE-----\n" + "A" * 100_000 + "\n-----END CERTIFICATE-----\n",
    ],
    ids=lambda value: repr(value[:24]),
)
def test_unreadable_input_raises_certificate_invalid(data: bytes | str) -> None:
    with pytest.raises(CertificateInvalid):
        load_certificate(data)


def test_a_private_key_is_not_a_certificate(client: IssuedCertificate) -> None:
    with pytest.raises(CertificateInvalid, match="PEMの証明書ブロック"):
        load_certificate(client.key_pem)


# --- a real TLS handshake on loopback -----------------------------------------------------------


@dataclass
class ServerSaw:
    """What the server side of one connection observed."""

    peer_der: bytes | None = None
    error: BaseException | None = None


def _serve_once(listener: socket.socket, context: ssl.SSLContext, saw: ServerSaw) -> None:
    try:
        conn, _ = listener.accept()
        conn.settimeout(TLS_TIMEOUT)
        with conn, context.wrap_socket(conn, server_side=True) as tls:
            saw.peer_der = tls.getpeercert(binary_form=True)
            tls.sendall(b"ok")
    except Exception as exc:  # handed to the test's thread, checked there
        saw.error = exc


def _connect(port: int, context: ssl.SSLContext) -> bytes | OSError:
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=TLS_TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            return tls.recv(2)
    except OSError as exc:  # ssl.SSLError included
        return exc


def handshake(
    server_context: ssl.SSLContext, client_context: ssl.SSLContext
) -> tuple[ServerSaw, bytes | OSError]:
    """Accept one connection in a thread while connecting from this one; join and close all."""
    saw = ServerSaw()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TLS_TIMEOUT)
        server = threading.Thread(target=_serve_once, args=(listener, server_context, saw))
        server.start()
        try:
            client_saw = _connect(listener.getsockname()[1], client_context)
        finally:
            server.join(TLS_TIMEOUT)
    assert not server.is_alive()
    return saw, client_saw


def _write_pair(directory: Path, name: str, issued: IssuedCertificate) -> tuple[Path, Path]:
    cert_file, key_file = directory / f"{name}.cert.pem", directory / f"{name}.key.pem"
    cert_file.write_bytes(issued.cert_pem)
    key_file.write_bytes(issued.key_pem)
    return cert_file, key_file


@dataclass(frozen=True)
class WallClockPki:
    """A CA and certificates issued at the real wall-clock time, so that OpenSSL accepts them."""

    now: dt.datetime
    ca: CertificateAuthority
    directory: Path

    def server_context(self) -> ssl.SSLContext:
        server = issue_server_certificate(self.ca, hostnames=SERVER_HOSTS, at=self.now)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*_write_pair(self.directory, "server", server))
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(cadata=self.ca.cert_pem.decode())
        return context

    def client_context(self, issued: IssuedCertificate | None = None) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cadata=self.ca.cert_pem.decode())
        if issued is not None:
            context.load_cert_chain(*_write_pair(self.directory, "client", issued))
        return context


@pytest.fixture
def wall(tmp_path: Path) -> WallClockPki:
    now = dt.datetime.now(dt.UTC)  # the handshake is judged by OpenSSL against the real clock
    return WallClockPki(now=now, ca=init_ca(tmp_path / "wall-ca", at=now), directory=tmp_path)


def test_a_client_with_our_certificate_completes_the_handshake_and_is_identified(
    wall: WallClockPki,
) -> None:
    issued = issue_client_certificate(
        wall.ca, institution_code=INSTITUTION_CODE, institution_name=INSTITUTION_NAME, at=wall.now
    )

    saw, client_saw = handshake(wall.server_context(), wall.client_context(issued))

    assert saw.error is None and client_saw == b"ok"
    assert saw.peer_der is not None
    identity = verify_client_certificate(wall.ca, load_certificate(saw.peer_der), at=wall.now)
    assert (identity.institution_code, identity.serial) == (INSTITUTION_CODE, issued.serial)


def test_a_client_without_a_certificate_completes_the_handshake_and_shows_none(
    wall: WallClockPki,
) -> None:
    saw, client_saw = handshake(wall.server_context(), wall.client_context())

    assert saw.error is None and client_saw == b"ok"
    assert saw.peer_der is None


def test_a_client_with_another_cas_certificate_fails_the_handshake(
    wall: WallClockPki, tmp_path: Path
) -> None:
    stranger = init_ca(tmp_path / "stranger-ca", at=wall.now, name="Stranger CA")
    foreign = issue_client_certificate(
        stranger, institution_code=INSTITUTION_CODE, institution_name="x", at=wall.now
    )

    saw, client_saw = handshake(wall.server_context(), wall.client_context(foreign))

    assert isinstance(saw.error, ssl.SSLError)
    assert saw.peer_der is None
    assert client_saw != b"ok"
