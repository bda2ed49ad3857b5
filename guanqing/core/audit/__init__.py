"""Writing the audit log. Service functions call these inside their own transaction."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable

from django.conf import settings
from django.db import connections, models, router
from django.utils import translation

from guanqing.core import bulk
from guanqing.core.context import current_request_info
from guanqing.core.models import AuditAction, AuditEvent, audit_now

# Fields whose values are never written to the audit log in clear.
SENSITIVE_MARK = "（已隐藏）"


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class Snapshot(dict):
    """The values as the audit log shows them, plus the raw values that decide what changed
    (two party branches may share a name; moving a member between them is still a change)."""

    def __init__(self, shown: dict, raw: dict):
        super().__init__(shown)
        self.raw = raw


def snapshot(instance: models.Model, fields: Iterable[str]) -> Snapshot:
    """The current values of `fields`, as the audit log shows them.

    Choice labels are stored in the site language (Chinese), so the log reads the same whichever
    language the person making the change had switched the pages to.
    """
    values, raw = {}, {}
    with translation.override(settings.LANGUAGE_CODE):
        for name in fields:
            field = instance._meta.get_field(name)
            raw[name] = getattr(instance, field.attname)
            if isinstance(field, models.ForeignKey):
                related = getattr(instance, name)
                values[name] = str(related) if related is not None else None
            else:
                display = getattr(instance, f"get_{name}_display", None)
                values[name] = _plain(display() if display else getattr(instance, name))
    return Snapshot(values, raw)


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    before_raw = getattr(before, "raw", None)
    after_raw = getattr(after, "raw", None)
    changes = {}
    for name, value in after.items():
        old = before.get(name)
        if before_raw is not None and after_raw is not None and name in before_raw:
            if before_raw[name] == after_raw.get(name):
                continue
            if old == value:  # same label, different record: say which
                old, value = f"{old}（#{before_raw[name]}）", f"{value}（#{after_raw[name]}）"
        elif old == value:
            continue
        changes[name] = [old, value]
    return changes


def _label(instance_or_type) -> str:
    if isinstance(instance_or_type, str):
        return instance_or_type
    meta = instance_or_type._meta
    return f"{meta.app_label}.{meta.model_name}"


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict | None = None,
    root: models.Model | None = None,
    message: str = "",
    actor_username: str | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the same transaction as the write it records."""
    if obj is not None:
        object_type = object_type or _label(obj)
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    root = root if root is not None else obj
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_username=(
            actor_username if actor_username is not None else (user.username if user else "")
        ),
        action=AuditAction(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:200],
        root_type=_label(root) if root is not None else object_type,
        root_id=str(root.pk) if root is not None else str(object_id or ""),
        changes=changes or {},
        message=message[:300],
        ip_address=current_request_info().ip_address,
    )


def build(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict | None = None,
    root: models.Model | None = None,
    message: str = "",
    actor_username: str | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """The event `record()` would append, unsaved: for `record_many()`. `ip_address` defaults to
    the current request's, as in `record()`."""
    if obj is not None:
        object_type = object_type or _label(obj)
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    root = root if root is not None else obj
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = _new_event(
        at=audit_now(),
        actor_id=user.pk if user else None,
        actor_username=(
            actor_username if actor_username is not None else (user.username if user else "")
        ),
        action=AuditAction(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:200],
        root_type=_label(root) if root is not None else object_type,
        root_id=str(root.pk) if root is not None else str(object_id or ""),
        changes=changes or {},
        message=message[:300],
        ip_address=ip_address if ip_address is not None else current_request_info().ip_address,
    )
    if user is not None:
        AuditEvent.actor.field.set_cached_value(event, user)
    return event


_EVENT_FIELDS: tuple[list, dict[str, int], list] | None = None


def _new_event(**values) -> AuditEvent:
    """`AuditEvent(**values)` (values by attribute name), built by position: the fixed defaults of
    the other fields are looked up once, not on every call (one computed per record — the time,
    an empty dict — is computed for each record that leaves it out, as Django does)."""
    global _EVENT_FIELDS
    if _EVENT_FIELDS is None:
        fields = AuditEvent._meta.concrete_fields
        per_record = [f for f in fields if f.has_default() and callable(f.default)]
        defaults = [None if f in per_record else f.get_default() for f in fields]
        index = {f.attname: position for position, f in enumerate(fields)}
        _EVENT_FIELDS = defaults, index, per_record
    defaults, index, per_record = _EVENT_FIELDS
    args = list(defaults)
    for name, value in values.items():
        args[index[name]] = value
    for field in per_record:
        if field.attname not in values:
            args[index[field.attname]] = field.get_default()
    return bulk.built(AuditEvent, args)


_SCALARS = frozenset({str, int, bool, type(None)})


def _is_canonical(value) -> bool:
    """Whether `value` is already in the form the chain signs (chain._canonical_json: string keys,
    lists, no float), so that it is signed as it is instead of being copied."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is list:
        return all(type(item) in _SCALARS or _is_canonical(item) for item in value)
    if kind is dict:
        for name, item in value.items():
            if type(name) is not str:
                return False
            kind = type(item)
            if kind is list:  # the usual [old, new] pair, looked at here rather than by a call
                for part in item:
                    if type(part) not in _SCALARS and not _is_canonical(part):
                        return False
            elif kind not in _SCALARS and not _is_canonical(item):
                return False
        return True
    return False


def _stamp(event: AuditEvent) -> str | None:
    """`event.stamp()`: the same time and content hash, the changes not copied for the hash when
    they are already in the signed form (most are: {field: [old, new]} of strings and numbers).
    Returns the changes as the signed text encodes them, or None when they were not in that form
    (and so were copied into it for the hash)."""
    from guanqing.core.audit import chain

    changes = event.changes
    if changes is None or not _is_canonical(changes):
        event.stamp()
        return None
    if event.at is None:
        event.at = audit_now()
    text = chain.signed_json(changes)
    event.content_hmac = chain.content_hmac_with(
        chain.content_of(event, signed_changes=changes), text
    )
    return text


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many events built by `build()` in a few INSERTs, in list order (ids ascend in that
    order, as if `record()` had been called for each). Each is timed and signed exactly as
    `AuditEvent.save()` does it, and the chain seals them after the commit like any other record
    (comparing each stored row with what was sent rather than hashing it a second time).
    Call it inside the same transaction as the writes the events record."""
    from guanqing.core.audit import chain

    if any(event.pk is not None for event in events):
        raise ValueError("record_many() appends new events only")
    if events:
        texts = [_stamp(event) for event in events]
        using = router.db_for_write(AuditEvent)
        # jsonb keeps no order of keys: the changes go as the text just signed, not encoded again
        # (elsewhere the stored text keeps the order of the changes as given)
        encoded = {"changes": texts} if connections[using].vendor == "postgresql" else None
        sent = bulk.insert(AuditEvent, events, using=using, encoded=encoded)
        if sent is not None:
            chain.note_written(using, events, sent, bulk.columns(AuditEvent))
        chain.seal_after_commit(using)
    return events


class Snapshotter:
    """`snapshot(instance, fields)` for many instances of one model: the same values, with each
    choice field's labels looked up once rather than on every call (a bulk import takes
    thousands of snapshots)."""

    def __init__(self, model: type[models.Model], fields: Iterable[str]):
        self.fields = []
        with translation.override(settings.LANGUAGE_CODE):
            for name in fields:
                field = model._meta.get_field(name)
                labels = None
                if not isinstance(field, models.ForeignKey) and field.choices is not None:
                    labels = {value: str(label) for value, label in field.flatchoices}
                self.fields.append(
                    (name, field.attname, isinstance(field, models.ForeignKey), labels)
                )

    def __call__(self, instance: models.Model) -> Snapshot:
        values, raw = {}, {}
        for name, attname, is_foreign_key, labels in self.fields:
            value = raw[name] = getattr(instance, attname)
            if is_foreign_key:
                related = getattr(instance, name)
                values[name] = str(related) if related is not None else None
                continue
            if labels is not None:
                try:
                    shown = labels.get(value, value)
                except TypeError:  # an unhashable value: shown as it is, as snapshot() does
                    shown = value
                value = shown
            # a string, a number or nothing is shown as it is (what _plain returns for them)
            values[name] = value if type(value) in _SCALARS else _plain(value)
        return Snapshot(values, raw)
