"""Helpers that every service function uses: validate, save the changed fields, audit — together."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy

from guanqing.core import audit, text


class ScopeError(PermissionDenied):
    """The actor may not do this (403): its role lacks the right."""


class OutOfScope(ScopeError):
    """The record is outside the actor's scope: answered exactly like a missing record (404)."""


def require(condition: bool, message: str = gettext_lazy("您没有权限执行此操作")) -> None:
    if not condition:
        raise ScopeError(message)


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def merge_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def save_with_audit(
    *,
    actor,
    instance: models.Model,
    fields: Iterable[str],
    before: dict | None = None,
    also_save: Iterable[str] = (),
    extra_changes: dict | None = None,
    root: models.Model | None = None,
    actor_name: str | None = None,
    message: str = "",
) -> models.Model:
    """full_clean (control characters refused too), save only the changed `fields` (or insert),
    then append the audit record.

    `before` is the snapshot of `fields` taken before the caller changed anything; `also_save` are
    fields stored but not shown in the log (an ID number's hash and ciphertext), and `extra_changes`
    what the log shows for them instead (the masked number). `actor_name` names in the log an actor
    without an account (the resident with a one-time code, the daily job: `actor` is None);
    `message` is the record's free-text message. Call inside transaction.atomic().
    """
    fields = list(fields)
    creating = instance.pk is None
    text.full_clean(instance)
    after = audit.snapshot(instance, fields)
    if creating:
        instance.save()
        changes = {name: [None, value] for name, value in after.items() if value not in ("", None)}
    else:
        changes = audit.diff(before or {}, after)
        if not changes and not extra_changes:
            return instance
        auto_now = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
        update_fields = [f for f in fields if f in changes] + auto_now
        if extra_changes:
            update_fields += list(also_save)
        instance.save(update_fields=sorted(set(update_fields)))
    changes.update(extra_changes or {})
    audit.record(
        actor=actor,
        action="create" if creating else "update",
        obj=instance,
        changes=changes,
        root=root,
        message=message,
        actor_username=actor_name,
    )
    return instance
