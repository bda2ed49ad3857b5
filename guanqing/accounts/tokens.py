"""API tokens that end: a fixed lifetime from issue (the policy's `token_days`), ended sooner when
unused for the policy's idle minutes, and at once when the account is locked out, deactivated or its
password changes. Only a SHA-256 digest of each key is stored, so a copy of the database holds no
usable token.

Fixed, not sliding: use never extends a token beyond `token_days` after it was issued; use only keeps
it from ending by idleness. `last_used_at` and `idle_until` (the use + the policy's idle minutes) are
written at most once a minute, like the session's activity stamp, so that checking a token reads no
policy: a change of the idle minutes applies to a token from its next recorded use.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from guanqing.core.policy import current_policy

TOUCH_EVERY = datetime.timedelta(seconds=60)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, now: datetime.datetime | None = None) -> str:
    """A new token for `user`; returns the key (shown once, never stored)."""
    from guanqing.accounts.models import ApiToken

    now = now or timezone.now()
    policy = current_policy()
    key = secrets.token_hex(20)
    expires_at = now + datetime.timedelta(days=policy.token_days)
    ApiToken.objects.create(
        user=user,
        digest=digest(key),
        last_used_at=now,
        idle_until=min(now + datetime.timedelta(minutes=policy.idle_minutes), expires_at),
        expires_at=expires_at,
    )
    # Tokens past their end are removed whenever a new one is issued: nothing else reads them.
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    return key


def tokens_revoke(*, user=None, username: str | None = None) -> int:
    """End every token of an account (lock-out, password change, deactivation, reset)."""
    from guanqing.accounts.models import ApiToken

    tokens = ApiToken.objects.all()
    if user is not None:
        tokens = tokens.filter(user=user)
    elif username:
        tokens = tokens.filter(user__username=username)
    else:
        return 0
    deleted, _rows = tokens.delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against `ApiToken`, with the policy's limits."""

    def authenticate_credentials(self, key):
        from guanqing.accounts.models import ApiToken

        token = ApiToken.objects.select_related("user").filter(digest=digest(key or "")).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效"))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用"))
        now = timezone.now()
        if now >= token.expires_at or now >= token.idle_until:
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取"))
        if now - token.last_used_at >= TOUCH_EVERY:
            idle = datetime.timedelta(minutes=current_policy().idle_minutes)
            with transaction.atomic():
                ApiToken.objects.filter(pk=token.pk).update(
                    last_used_at=now, idle_until=min(now + idle, token.expires_at)
                )
        return (user, token)
