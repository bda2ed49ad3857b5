"""The security policy in force (the security administrator edits it; settings give the defaults)."""

from __future__ import annotations

import datetime

from django.conf import settings

from guanqing.core.models import SecurityPolicy


def current_policy() -> SecurityPolicy:
    policy = SecurityPolicy.objects.order_by("pk").first()
    if policy is None:
        policy = SecurityPolicy(
            failure_limit=settings.LOCKOUT_ATTEMPTS_DEFAULT,
            lockout_minutes=settings.LOCKOUT_MINUTES_DEFAULT,
            idle_minutes=settings.SESSION_IDLE_MINUTES,
        )
    return policy


def request_policy(request) -> SecurityPolicy:
    """The policy, read at most once per request."""
    if request is None:
        return current_policy()
    cached = getattr(request, "_guanqing_policy", None)
    if cached is None:
        cached = current_policy()
        request._guanqing_policy = cached
    return cached


def axes_failure_limit(request, credentials) -> int:
    return request_policy(request).failure_limit


def axes_cooloff(request) -> datetime.timedelta:
    return datetime.timedelta(minutes=request_policy(request).lockout_minutes)
