"""SMTP over verified TLS, against local aiosmtpd servers (STARTTLS and implicit TLS) with a throw-away
self-signed certificate; a password is never sent over a connection without TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from outreach_support import SinkHandler

from crmhub.outreach.smtp import OutgoingMessage, SmtpSecurityError, SmtpSettings, send_batch
from crmhub.outreach.unleash_server import free_port

MSG = OutgoingMessage(outbox_id=7, recipient="lp@lp.example", subject="Hello", body_text="t", body_html="<p>t</p>",
                      message_id="<7@outreach.crmhub>", idempotency_key="k7")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 / localhost (valid one day), as (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crmhub test smtp")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


class _Auth:
    """Records every login the server saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[bytes, bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        with self.lock:
            self.seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)


@pytest.fixture
def server(cert):
    started = []

    def start(*, starttls: bool = False, implicit: bool = False, auth_require_tls: bool = True):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*cert)
        handler, auth = SinkHandler(), _Auth()
        kwargs = {"authenticator": auth, "auth_require_tls": auth_require_tls}
        if starttls:
            kwargs.update(tls_context=context, require_starttls=True)
        if implicit:
            kwargs.update(ssl_context=context)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return controller.port, handler, auth

    yield start
    for controller in started:
        controller.stop()


def test_starttls_is_verified_and_then_logs_in(server, cert):
    port, handler, auth = server(starttls=True)
    trusted = SmtpSettings(host="127.0.0.1", port=port, from_addr="ir@firm.example", username="ir",
                           password="s3cret", starttls=True, ca_file=cert[0])
    assert send_batch(trusted, [MSG]) == {7: None}
    assert auth.seen == [(b"ir", b"s3cret")] and handler.recipients() == ["lp@lp.example"]


def test_an_unverifiable_certificate_stops_before_the_password(server):
    port, handler, auth = server(starttls=True)
    system_cas = SmtpSettings(host="127.0.0.1", port=port, from_addr="ir@firm.example", username="ir",
                              password="s3cret", starttls=True)
    outcome = send_batch(system_cas, [MSG])
    assert outcome[7].startswith("connect:") and "CERTIFICATE_VERIFY_FAILED" in outcome[7]
    assert auth.seen == [] and handler.messages == []


def test_implicit_tls_is_verified(server, cert):
    port, handler, auth = server(implicit=True, auth_require_tls=False)  # aiosmtpd only knows STARTTLS as TLS
    settings = SmtpSettings(host="127.0.0.1", port=port, from_addr="ir@firm.example", username="ir",
                            password="s3cret", use_ssl=True, ca_file=cert[0])
    assert send_batch(settings, [MSG]) == {7: None} and auth.seen == [(b"ir", b"s3cret")]
    untrusted = SmtpSettings(host="127.0.0.1", port=port, from_addr="ir@firm.example", username="ir",
                             password="s3cret", use_ssl=True)
    assert send_batch(untrusted, [MSG])[7].startswith("connect:") and len(auth.seen) == 1


def test_a_password_is_never_sent_without_tls(server):
    port, handler, auth = server(auth_require_tls=False)   # a server that would happily take it in clear text
    with pytest.raises(SmtpSecurityError, match="TLS"):
        settings = SmtpSettings(host="127.0.0.1", port=port, from_addr="ir@firm.example", username="ir",
                                password="s3cret")
        send_batch(settings, [MSG])
    assert auth.seen == [] and handler.messages == []


def test_no_login_over_plain_smtp_still_works(server):
    port, handler, _auth = server()
    plain = SmtpSettings(host="127.0.0.1", port=port, from_addr="ir@firm.example")
    assert send_batch(plain, [MSG]) == {7: None} and handler.recipients() == ["lp@lp.example"]
