"""Sign-in events go to the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from guanqing.accounts.tokens import tokens_revoke
from guanqing.core import audit, text


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(actor=user, action="login", obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        idle = bool(getattr(request, "guanqing_idle_logout", False))
        audit.record(actor=user, action="logout", obj=user, message="idle" if idle else "")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # whatever was typed, as typed, minus what no log or spreadsheet can hold
    username = text.strip_control(str((credentials or {}).get("username") or ""))[:150]
    audit.record(
        actor=None,
        actor_username=username,
        action="login_failed",
        object_type="accounts.user",
        object_repr=username,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    username = text.strip_control(str(username or ""))[:150]
    # A locked account's API tokens stop working at once, not when they expire.
    tokens_revoke(username=username)
    audit.record(
        actor=None,
        actor_username=username or "",
        action="locked_out",
        object_type="accounts.user",
        object_repr=username or "",
    )
