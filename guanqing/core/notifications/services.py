"""Writing and reading in-app notifications (通知). Not audited: the change a notification reports
is audited where it happens, and reading a reminder changes nothing anyone is accountable for."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core.models import Notification
from guanqing.core.services import OutOfScope


def notification_mark_read(*, actor, notification):
    """Mark one of the actor's own notifications read; reading it again keeps the first time.

    Not audited: reading a reminder changes nothing anyone is accountable for.
    """
    if notification.recipient_id != actor.pk:
        raise OutOfScope(_("不存在或不在您的权限范围内"))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many changed.

    Not audited, like `notification_mark_read`.
    """
    return Notification.objects.visible_to(actor).unread().update(read_at=timezone.now())


def notification_send(
    *, recipients: Iterable, kind: str, text: str, dedupe_key: str, link: str = ""
) -> int:
    """Write one in-app notification to each of `recipients` (users or user ids) about the
    thing `dedupe_key` names; a recipient who already has it gets nothing new. Returns how many
    were written. Not audited: the change it reports is audited where it happens."""
    ids = {getattr(r, "pk", r) for r in recipients}
    ids.discard(None)
    if not ids:
        return 0
    mine = Notification.objects.filter(recipient_id__in=ids, dedupe_key=dedupe_key)
    before = mine.count()
    # The unique (recipient, dedupe_key) constraint skips what was written before.
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, kind=kind, text=text[:500], link=link, dedupe_key=dedupe_key
            )
            for pk in sorted(ids)
        ],
        ignore_conflicts=True,
    )
    return mine.count() - before
