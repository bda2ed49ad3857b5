"""The request in progress, for audit records written deep inside service functions."""

from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None = None


_NO_REQUEST = RequestInfo()
_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "guanqing_request", default=None
)


def current_request_info() -> RequestInfo:
    return _current.get() or _NO_REQUEST


def set_request_info(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def reset_request_info(token: contextvars.Token) -> None:
    _current.reset(token)


def client_ip(request) -> str | None:
    """The client's address: the one rule for the audit log, django-axes and the API throttles.

    With GUANQING_TRUSTED_PROXIES = 0 (the default) it is REMOTE_ADDR, and X-Forwarded-For is
    ignored because any client can send it. With N trusted reverse proxies in front, it is the
    N-th address from the right of X-Forwarded-For: each proxy appends the address it received
    the request from, so whatever a client wrote further left is not believed. A value that is
    not an IP address falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",")]
    candidate = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
