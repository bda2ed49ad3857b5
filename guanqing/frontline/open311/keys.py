"""Open311 application keys: the system administrator issues and revokes them (audited).

A key is shown once, when it is issued; only its SHA-256 and its first 8 characters are kept, so
a lost key is revoked and a new one issued.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core import audit
from guanqing.core.errors import Conflict
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.frontline.access import access
from guanqing.frontline.models import Open311Key

KEY_BYTES = 24  # 48 hexadecimal characters: safe in a form post and a query string
PREFIX_LENGTH = 8
KEY_FIELDS = ["application", "contact", "key_prefix", "issued_by"]
REVOKE_FIELDS = ["revoked_at", "revoked_by"]


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def open311_key_issue(*, actor, application: str, contact: str = "") -> tuple[Open311Key, str]:
    """A new key for an application: (the stored key, the key itself — shown once)."""
    access.check(actor, "open311_keys")
    application = (application or "").strip()
    contact = (contact or "").strip()
    errors: dict[str, list[str]] = {}
    if not application:
        errors["application"] = [_("请填写应用名称")]
    merge_errors(errors)
    raw = secrets.token_hex(KEY_BYTES)
    with transaction.atomic():
        key = Open311Key(
            application=application,
            contact=contact,
            key_hash=key_hash(raw),
            key_prefix=raw[:PREFIX_LENGTH],
            issued_by=actor,
        )
        save_with_audit(actor=actor, instance=key, fields=KEY_FIELDS)
    return key, raw


def open311_key_revoke(*, actor, key: Open311Key) -> Open311Key:
    """Revoke a key: requests made with it are refused (403) from now on."""
    access.check(actor, "open311_keys")
    with transaction.atomic():
        key = lock_in_scope(Open311Key.objects.editable_by(actor), key.pk)
        if key.revoked_at is not None:
            raise Conflict(_("该密钥已经吊销"))
        before = audit.snapshot(key, REVOKE_FIELDS)
        key.revoked_at = timezone.now()
        key.revoked_by = actor
        return save_with_audit(actor=actor, instance=key, fields=REVOKE_FIELDS, before=before)


def active_key(raw) -> Open311Key | None:
    """The key an api_key names, unless it is unknown or revoked."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 200:
        return None
    return Open311Key.objects.filter(
        key_hash=key_hash(raw.strip()), revoked_at__isnull=True
    ).first()
