"""The audit administrator's pages: read, filter and export the audit log. Nothing here writes to
the log except the record of an export; nothing can change or delete an event."""

from __future__ import annotations

import io
import json
import zoneinfo

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanqing.core.audit.access import access
from guanqing.core.audit.filters import AuditEventFilter
from guanqing.core.audit.labels import change_rows, message_label, type_label
from guanqing.core.excel import audited_export, literal_row, too_many_to_export
from guanqing.core.models import AuditEvent

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50


def _filtered(request) -> AuditEventFilter:
    return AuditEventFilter(request.GET, queryset=AuditEvent.objects.visible_to(request.user))


@access.page("read")
@require_GET
def event_list(request):
    filterset = _filtered(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    labels: dict[str, str] = {}
    for event in events:
        event.change_rows = change_rows(event)
        event.message_label = message_label(event.message)
        if event.object_type not in labels:
            labels[event.object_type] = type_label(event.object_type)
        event.type_label = labels[event.object_type]
    context = {
        "filter": filterset,
        "page": page,
        "events": events,
        "total": page.paginator.count,
        "query": request.GET.urlencode(),
    }
    if request.htmx and request.htmx.target == "audit-results":
        return render(request, "audit/_results.html", context)
    return render(request, "audit/list.html", context)


@access.page("read")
@require_GET
def chain_status(request):
    """Verify the audit chain on demand (it reads every record, so only when asked)."""
    from guanqing.core.audit import chain

    report = chain.verify()
    context = {
        "chain_ok": report.ok,
        "chain_count": report.count,
        "chain_problem": chain.describe_problem(report.problems[0]) if report.problems else "",
    }
    if request.htmx:
        return render(request, "audit/_chain.html", context)
    return render(request, "audit/chain.html", context)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@access.page("read")
@require_GET
def event_export(request):
    """The filtered log as an xlsx workbook; the export itself is recorded in the log."""
    from openpyxl import Workbook

    filterset = _filtered(request)
    events = filterset.qs
    query = request.GET.urlencode()
    refused = too_many_to_export(request, events, back=f"{reverse('audit:event_list')}?{query}")
    if refused is not None:
        return refused
    count = events.count()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("审计日志"))
    sheet.append(
        [
            _("时间"),
            _("操作账号"),
            _("操作"),
            _("对象类型"),
            _("对象编号"),
            _("对象"),
            _("变更内容"),
            _("说明"),
            _("IP 地址"),
        ]
    )
    for event in events.iterator(chunk_size=2000):
        changes = "\n".join(
            f"{row['field']}: {_text(row['old'])} → {_text(row['new'])}"
            for row in change_rows(event)
        )
        sheet.append(
            literal_row(
                sheet,
                [
                    timezone.localtime(event.at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_username,
                    event.get_action_display(),
                    type_label(event.object_type),
                    event.object_id,
                    event.object_repr,
                    changes,
                    message_label(event.message),
                    event.ip_address or "",
                ],
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return audited_export(
        actor=request.user,
        content=buffer.getvalue(),
        title="审计日志",  # stored text stays in the site language
        object_type="core.auditevent",
        rows=count,
        filters={k: v for k, v in request.GET.items() if k in filterset.filters},
    )
