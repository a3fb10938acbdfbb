"""HubSpot webhook signatures (v3): one implementation for the sender (sandbox) and the receivers (CDC).

``X-HubSpot-Signature-v3`` = base64(HMAC-SHA256(secret, method + uri + body + timestamp)) with
``X-HubSpot-Request-Timestamp`` (epoch ms); a timestamp older than 5 minutes is refused. See
https://developers.hubspot.com/docs/guides/apps/authentication/validating-requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import unquote

SIGNATURE_HEADER = "x-hubspot-signature-v3"
TIMESTAMP_HEADER = "x-hubspot-request-timestamp"

#: Characters HubSpot decodes in the request URI before signing (all but ``?``).
_DECODED = ["%3A", "%2F", "%40", "%21", "%24", "%27", "%28", "%29", "%2A", "%2C", "%3B"]


def _canonical_uri(uri: str) -> str:
    out = uri
    for enc in _DECODED:
        out = out.replace(enc, unquote(enc)).replace(enc.lower(), unquote(enc))
    return out


def sign_v3(secret: str, method: str, uri: str, body: bytes | str, timestamp: int | str) -> str:
    """HubSpot signature v3: base64(HMAC-SHA256(secret, method + uri + body + timestamp))."""
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    message = f"{method.upper()}{_canonical_uri(uri)}{raw}{timestamp}".encode()
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature_v3(
    secret: str,
    method: str,
    uri: str,
    body: bytes | str,
    timestamp: int | str | None,
    signature: str | None,
    max_age_s: float = 300,
    now: float | None = None,
) -> bool:
    """Check a HubSpot v3 signature and its timestamp.

    Args:
        secret: the app's client secret (the sandbox's ``--webhook-secret``).
        method: HTTP method of the received request (``POST``).
        uri: the full URL the request was sent to (scheme, host, path and query).
        body: raw request body, exactly as received.
        timestamp: ``X-HubSpot-Request-Timestamp`` header (epoch ms).
        signature: ``X-HubSpot-Signature-v3`` header.
        max_age_s: reject timestamps older (or further in the future) than this (HubSpot: 5 minutes).
        now: current time in epoch seconds (default: ``time.time()``), for tests.

    Returns:
        True only if the timestamp is fresh and the signature matches.
    """
    if not signature or timestamp is None or not secret:
        return False
    try:
        ts_ms = int(str(timestamp).strip())
    except ValueError:
        return False
    current_ms = (time.time() if now is None else now) * 1000
    if abs(current_ms - ts_ms) > max_age_s * 1000:
        return False
    try:
        expected = sign_v3(secret, method, uri, body, str(timestamp).strip())
    except UnicodeDecodeError:
        return False
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("ascii", "replace"))
