"""Setting a password and the rules around it: validation (length, letters and digits, history),
the history kept for the policy, expiry, and the forced change after an administrator set it."""

from __future__ import annotations

import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanqing.core.policy import current_policy


def password_apply(user, raw: str, *, by_admin: bool, now: datetime.datetime | None = None) -> None:
    """Validate `raw` for `user` (raises ValidationError naming `password`), set it, keep the old
    hash in the history, and mark whether the owner must change it at the next sign-in (a password
    an administrator chose is known to someone else). Saves the user; the caller audits."""
    from guanqing.accounts.models import PasswordHistory

    try:
        validate_password(raw, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    now = now or timezone.now()
    old_hash = user.password if user.pk else ""
    user.set_password(raw)
    user.must_change_password = by_admin
    user.password_changed_at = now
    if user.pk:
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    else:
        user.save()
    keep = current_policy().password_history
    if old_hash and keep:
        PasswordHistory.objects.create(user=user, password=old_hash)
    # The current hash is on the user; the history holds the `keep - 1` before it.
    stale = user.password_history.values_list("pk", flat=True)[max(keep - 1, 0) :]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def password_expired(user, *, policy=None, now: datetime.datetime | None = None) -> bool:
    """True when the policy's maximum age has passed since the password was last set."""
    policy = policy or current_policy()
    if not policy.password_max_age_days:
        return False
    changed = user.password_changed_at or user.date_joined
    now = now or timezone.now()
    return now - changed > datetime.timedelta(days=policy.password_max_age_days)


def must_change(user, *, policy=None, now=None) -> bool:
    """The owner has to choose a new password before doing anything else."""
    return bool(user.must_change_password) or password_expired(user, policy=policy, now=now)
