"""The second factor (GB/T 22239 level 3): a TOTP authenticator (RFC 6238, django-otp's
TOTPDevice) and ten single-use recovery codes, stored as salted SHA-256 digests.

The committee and the three separated administrators always need it (`services.OTP_ALWAYS`), the
roles in the policy's `otp_roles` too; anyone else may turn it on for themselves. Only the security
administrator resets somebody's factor (the owner enrols again at the next sign-in). Every write is
audited."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanqing.accounts.access import access
from guanqing.accounts.models import RecoveryCode, User
from guanqing.accounts.tokens import tokens_revoke
from guanqing.core import audit
from guanqing.core.policy import current_policy
from guanqing.core.services import require

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a code is read off paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10  # shown as two groups of five: about 50 bits
DEVICE_NAME = "authenticator"
ISSUER = "Guanqing"


# --- who needs it ----------------------------------------------------------------------------


def otp_needed(user, policy=None) -> bool:
    """The user's role needs a second factor (always for the committee and the three
    administrators, and for the roles the policy adds)."""
    from guanqing.accounts.services import OTP_ALWAYS

    policy = policy or current_policy()
    role = str(user.role or "")
    return bool(role) and (role in OTP_ALWAYS or role in (policy.otp_roles or []))


def device_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def otp_enabled(user) -> bool:
    return device_of(user) is not None


def otp_required_at_sign_in(user, policy=None) -> bool:
    """Sign-in asks for a code: the role needs one, or the owner turned it on."""
    return otp_needed(user, policy) or otp_enabled(user)


# --- enrolment -------------------------------------------------------------------------------


def new_key() -> str:
    """A fresh secret (20 random bytes, hex as TOTPDevice stores it)."""
    return secrets.token_hex(20)


def key_base32(key_hex: str) -> str:
    """The secret as authenticator apps take it when typed in."""
    return base64.b32encode(binascii.unhexlify(key_hex)).decode()


def key_from_base32(secret: str) -> str:
    """The hex key of a base32 secret (the demo's documented secrets)."""
    secret = secret.replace(" ", "").upper()
    secret += "=" * (-len(secret) % 8)
    return binascii.hexlify(base64.b32decode(secret)).decode()


def config_url(user, key_hex: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    label = quote(f"{ISSUER}:{user.get_username()}")
    secret = key_base32(key_hex).rstrip("=")
    return (
        f"otpauth://totp/{label}?secret={secret}&algorithm=SHA1&digits=6&period=30&issuer={ISSUER}"
    )


def qr_svg(text: str) -> str:
    """An inline SVG QR code (no image request, no outside service)."""
    import segno

    return segno.make(text, error="m").svg_inline(border=2, dark="#1f2329", omitsize=True)


def _totp_matches(key_hex: str, code: str) -> int | None:
    """The time step `code` matches for the secret (±1 step), or None."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(binascii.unhexlify(key_hex), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if totp.verify(int(code), tolerance=1):
        return totp.t()
    return None


@transaction.atomic
def device_confirm(*, user: User, key: str, code: str) -> list[str]:
    """Bind an authenticator: `key` is the secret shown to the user, `code` the first code it
    shows. Saves a confirmed device and returns ten fresh recovery codes (shown once)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if otp_enabled(user):
        raise ValidationError({"otp": [_("已绑定身份验证器；如需更换，请联系安全管理员重置")]})
    try:
        binascii.unhexlify(key or "")
    except (binascii.Error, ValueError):
        raise ValidationError({"otp": [_("绑定已过期，请重新开始")]}) from None
    if len(key or "") != 40:
        raise ValidationError({"otp": [_("绑定已过期，请重新开始")]})
    step = _totp_matches(key, code)
    if step is None:
        raise ValidationError({"otp": [_("动态口令不正确，请核对手机时间后输入当前的 6 位数字")]})
    TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers, if any
    TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=step)
    audit.record(
        actor=user,
        action="create",
        obj=user,
        changes={"second_factor": [False, True]},
        message="otp_enrol",
    )
    return _recovery_codes_replace(user)


# --- recovery codes --------------------------------------------------------------------------


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_digest(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    hashed = hashlib.sha256(f"{salt}${_normalise(code)}".encode()).hexdigest()
    return f"sha256${salt}${hashed}"


def _recovery_matches(code: str, stored: str) -> bool:
    try:
        scheme, salt, _hashed = stored.split("$", 2)
    except ValueError:
        return False
    return scheme == "sha256" and hmac.compare_digest(recovery_digest(code, salt), stored)


def _recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=recovery_digest(code)) for code in codes]
    )
    return codes


@transaction.atomic
def recovery_codes_generate(*, actor: User, code: str) -> list[str]:
    """New recovery codes for the actor (the old ones stop working); needs a current code.
    Returns the plain codes, shown once: only their digests are kept."""
    if otp_verify(actor, code) is None:
        raise ValidationError({"otp": [_("动态口令不正确")]})
    codes = _recovery_codes_replace(actor)
    audit.record(
        actor=actor,
        action="update",
        obj=actor,
        changes={"recovery_codes": [None, RECOVERY_CODE_COUNT]},
        message="recovery_codes",
    )
    return codes


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- verification ----------------------------------------------------------------------------


class Throttled(Exception):
    """The authenticator refuses to check codes for a moment after wrong ones."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def otp_verify(user, code: str):
    """The device (or "recovery") that accepts `code` for `user`, or None.

    Six digits are checked against the authenticator through TOTPDevice.verify_token (its clock
    drift, the one-use-per-step rule and its throttling after wrong codes); anything else as a
    recovery code, which then is used up. Raises Throttled while the device waits after wrong
    codes."""
    code = (code or "").strip()
    if not code:
        return None
    compact = code.replace(" ", "")
    device = device_of(user)
    if compact.isdigit() and len(compact) == 6:
        if device is None:
            return None
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            allowed, info = device.verify_is_allowed()
            if not allowed:
                until = (info or {}).get("locked_until")
                wait = int((until - timezone.now()).total_seconds()) + 1 if until else 1
                raise Throttled(max(wait, 1))
            return device if device.verify_token(compact) else None
    return _recovery_use(user, code)


@transaction.atomic
def _recovery_use(user, code: str):
    if not _normalise(code) or len(_normalise(code)) != RECOVERY_LENGTH:
        return None
    for row in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
        if _recovery_matches(code, row.digest):
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            audit.record(
                actor=user,
                action="update",
                obj=user,
                changes={"recovery_codes": [None, recovery_codes_left(user)]},
                message="recovery_used",
            )
            return "recovery"
    return None


def otp_failure_record(*, username: str, request=None) -> bool:
    """A wrong second-factor code: audited, and counted by django-axes like a wrong password (the
    same lock-out). Returns True when this failure locked the account."""
    from axes.handlers.proxy import AxesProxyHandler

    audit.record(
        actor=None,
        actor_username=username,
        action="login_failed",
        object_type="accounts.user",
        object_repr=username,
        message="otp",
    )
    if request is None:
        return False
    AxesProxyHandler.user_login_failed(
        sender=otp_failure_record, credentials={"username": username}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def is_locked(request, username: str) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": username})


# --- switching off, resetting ----------------------------------------------------------------


def factor_delete(user) -> bool:
    had = otp_enabled(user) or RecoveryCode.objects.filter(user=user).exists()
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    return had


@transaction.atomic
def otp_disable(*, actor: User, code: str) -> None:
    """The owner turns off a second factor that the role does not require (needs a code)."""
    if otp_needed(actor):
        raise ValidationError({"otp": [_("您的角色必须使用两步验证，不能关闭")]})
    if not otp_enabled(actor):
        raise ValidationError({"otp": [_("尚未开启两步验证")]})
    if otp_verify(actor, code) is None:
        raise ValidationError({"otp": [_("动态口令不正确")]})
    factor_delete(actor)
    audit.record(
        actor=actor,
        action="delete",
        obj=actor,
        changes={"second_factor": [True, False]},
        message="otp_disable",
    )


@transaction.atomic
def otp_reset(*, actor: User, user: User) -> User:
    """The security administrator removes somebody's authenticator and recovery codes (a lost
    phone): the owner enrols again at the next sign-in. The owner's API tokens end too, and the
    owner is told."""
    from guanqing.core.notifications.services import notification_send

    require(access.allows(actor, "security"), _("只有安全管理员可以重置两步验证"))
    user = User.objects.select_for_update().filter(pk=user.pk).first()
    if user is None:
        raise ValidationError({"user": [_("账号不存在")]})
    if user.pk == actor.pk:
        raise ValidationError({"user": [_("不能重置自己的两步验证")]})
    if not factor_delete(user):
        raise ValidationError({"user": [_("该账号尚未绑定两步验证")]})
    tokens_revoke(user=user)
    audit.record(
        actor=actor,
        action="delete",
        obj=user,
        changes={"second_factor": [True, False]},
        message="otp_reset",
    )
    notification_send(
        recipients=[user],
        kind="otp_reset",
        text=_("安全管理员已重置您的两步验证，下次登录时请重新绑定身份验证器。"),
        dedupe_key=f"otp_reset:{user.pk}:{timezone.now().isoformat()}",
    )
    return user
