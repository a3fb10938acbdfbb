"""How a CRM connection's ``extra`` reaches an HTTP client: TLS verification and the per-request timeout.

An Airflow connection's ``extra`` is JSON typed by hand: ``"verify": "false"`` is as common as
``"verify": false``. httpx reads any string as a CA bundle path, so the string ``"false"`` would make the
client look for a file named ``false``. :func:`tls_verify` reads the usual spellings of yes/no as booleans and
anything else as a path. :func:`request_timeout` combines the connection's ``timeout`` with a caller's own
limit (a sync's ``timeout_s``): the smaller wins, so neither side can lengthen what the other bounded.
"""

from __future__ import annotations

_FALSE = {"false", "0", "no", "off", "n", "f"}
_TRUE = {"true", "1", "yes", "on", "y", "t", ""}


def tls_verify(value: object) -> bool | str:
    """``verify`` for httpx: True (system CAs), False (no verification) or a CA bundle path.

    ``None`` means the default (True); booleans pass through; ``"false"``/``"0"``/``"no"``/``"off"`` (any case)
    are False and ``"true"``/``"1"``/``"yes"``/``"on"``/``""`` are True; any other string is a CA bundle path.
    """
    if value is None or isinstance(value, bool):
        return True if value is None else value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip()
    if text.lower() in _FALSE:
        return False
    if text.lower() in _TRUE:
        return True
    return text


def request_timeout(connection_timeout: float | None, own_timeout: float) -> float:
    """The per-request timeout: the smaller of the connection's ``timeout`` (None: not set) and the caller's own."""
    if connection_timeout is None:
        return own_timeout
    return min(float(connection_timeout), own_timeout)
