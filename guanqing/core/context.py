"""The request in progress, for audit records written deep inside service functions."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


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
    # Behind a reverse proxy, configure it to overwrite REMOTE_ADDR (see docs/deployment.md);
    # X-Forwarded-For is never trusted here because any client can send it.
    return request.META.get("REMOTE_ADDR") or None
