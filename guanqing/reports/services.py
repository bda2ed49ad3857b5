"""Publishing a period report: the committee freezes the figures of a period and area as they
stand; a later publication of the same period and area is a correction (a new version, with the
reason and the figures it changed). Nothing here recomputes a published version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core import snapshots, text
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.reports import Period, Where
from guanqing.core.services import save_with_audit
from guanqing.reports import selectors
from guanqing.reports.access import access
from guanqing.reports.models import Publication

REASON_MAX = 1000


def publication_publish(*, actor, period: Period, where: Where, reason: str = "") -> Publication:
    """Freeze the report of `period` for `where` as version 1, or as the next version with
    `reason` (required for a correction) and the figures that changed since the last one.

    A period that has not begun cannot be published; one still running can (a monthly report
    published on the last working day), and says the day it was counted to."""
    access.check(actor, "publish")
    where = selectors.where_for(actor, where.kind, where.pk)
    reason = text.strip_edges(reason or "")
    today = business_date()
    if period.first > today:
        raise ValidationError({"period": [_("报告期尚未开始，不能发布")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("更正原因最多 1000 字")]})
    with snapshots.afresh():  # what is stored is counted now, figures inside sections too
        report = selectors.live_report(actor, period, where, today=today)
    try:
        with transaction.atomic():
            previous = (
                Publication.objects.select_for_update()
                .of(period, where)
                .order_by("-version")
                .first()
            )
            if previous is not None and not reason:
                raise ValidationError(
                    {"reason": [_("该报告期已发布过：发布更正版本须写明更正原因")]}
                )
            if previous is None and reason:
                reason = ""  # the first version corrects nothing
            changes = (
                selectors.changes_between(previous.sections, report.sections) if previous else []
            )
            publication = Publication(
                period_key=period.key,
                period_kind=period.kind,
                period_first=period.first,
                period_last=period.last,
                where_kind=where.kind,
                where_pk=where.pk or 0,
                where_name=where.name,
                version=(previous.version + 1) if previous else 1,
                sections=report.sections,
                counted_on=report.counted_on,
                as_of=report.as_of,
                published_by=actor,
                published_at=timezone.now(),
                reason=reason,
                changes=changes,
            )
            save_with_audit(
                actor=actor,
                instance=publication,
                fields=[
                    "period_key",
                    "where_kind",
                    "where_name",
                    "version",
                    "counted_on",
                    "reason",
                ],
                also_save=["sections", "changes"],
                # Stored in the site language, like every audit message.
                message="发布工作情况统计"
                if publication.version == 1
                else f"发布更正版本（{len(changes)} 项数据变化）",
            )
    except IntegrityError as error:
        # Two publications of the same period and area at once: the second sees the first.
        raise Conflict(_("同一报告期刚刚有人发布，请刷新后再试")) from error
    return publication
