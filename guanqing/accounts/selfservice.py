"""What every signed-in user does to their own account: change the password."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanqing.accounts.models import User
from guanqing.accounts.passwords import password_apply
from guanqing.accounts.tokens import tokens_revoke
from guanqing.core import audit


@transaction.atomic
def password_change_own(*, actor: User, current: str, password: str) -> User:
    """The owner proves the current password and chooses a new one (the validators apply, the
    history among them). Clears the forced change; the owner's API tokens end."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(current or ""):
        raise ValidationError({"current": [_("当前密码不正确")]})
    password_apply(user, password, by_admin=False)
    tokens_revoke(user=user)
    audit.record(actor=user, action="password_change", obj=user, message="self")
    actor.password = user.password
    actor.must_change_password = user.must_change_password
    actor.password_changed_at = user.password_changed_at
    return user
