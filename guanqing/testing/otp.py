"""Second-factor support for tests: bind an authenticator to an account and compute its codes the
way a phone would (RFC 6238 through django_otp.oath.TOTP)."""

from __future__ import annotations

import binascii
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# A fixed secret (base32), so that a browser test can compute codes for the account.
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol(user, secret: str = SECRET) -> TOTPDevice:
    """A confirmed authenticator for `user` with `secret` (base32)."""
    from guanqing.accounts.twofactor import key_from_base32

    return TOTPDevice.objects.create(
        user=user, name="authenticator", key=key_from_base32(secret), confirmed=True
    )


def code_for(key_hex: str, *, at: float | None = None, steps: int = 0) -> str:
    """The 6-digit code of the hex key at `at` (now by default), `steps` time steps later."""
    totp = TOTP(binascii.unhexlify(key_hex), step=30, t0=0, digits=6, drift=0)
    totp.time = (time.time() if at is None else at) + 30 * steps
    return f"{totp.token():06d}"


def code(device: TOTPDevice, *, steps: int = 0) -> str:
    """The code the device's phone shows now (or `steps` time steps later)."""
    return code_for(device.key, steps=steps)


def fresh_code(device: TOTPDevice) -> str:
    """The current code, with the device's memory of codes already used and of wrong ones
    cleared: a code works once, and tests sign the same account in several times a minute."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return code(device)
