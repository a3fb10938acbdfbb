"""Mask e-mail addresses for logs and CLI output (``jane.doe@fund.example`` -> ``j***e@f***.example``)."""

from __future__ import annotations


def _mask_part(text: str) -> str:
    if len(text) <= 2:
        return (text[:1] or "") + "***"
    return f"{text[0]}***{text[-1]}"


def mask_email(address: str | None) -> str:
    """Keep the first/last character of the local part, the first of the domain and the top-level domain."""
    if not address:
        return "<none>"
    if "@" not in address:
        return _mask_part(address)
    local, domain = address.rsplit("@", 1)
    host, _, tld = domain.rpartition(".")
    masked_domain = f"{host[:1]}***.{tld}" if host else f"{domain[:1]}***"
    return f"{_mask_part(local)}@{masked_domain}"
