"""The signed-in user's notifications (通知): read them, open one, mark one or all read.

Every read starts from `Notification.objects.visible_to(request.user)` (the user's own): another
user's notification answers 404 exactly like a missing one. Writes go through the services
`notification_mark_read` and `notification_mark_all_read`, always by POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanqing.core.access import signed_in
from guanqing.core.models import Notification
from guanqing.core.notifications.services import notification_mark_all_read, notification_mark_read
from guanqing.core.ui.htmx import paginate, render_page

PAGE_SIZE = 50


def local_link(link: str) -> str:
    """The link if it is a path on this site (`/pairing/12/`), else '' — nothing else is followed."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    if not url_has_allowed_host_and_scheme(link, allowed_hosts=set()):
        return ""
    return link


def _list_queryset(user):
    """The user's own notifications, unread first, then newest first."""
    return (
        Notification.objects.visible_to(user)
        .annotate(
            read_rank=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("read_rank", "-created_at", "-id")
    )


def _with_links(notifications):
    for notification in notifications:
        notification.local_link = local_link(notification.link)
    return notifications


@signed_in
@require_GET
def notification_list(request):
    page = paginate(request, _list_queryset(request.user), per_page=PAGE_SIZE)
    _with_links(page.object_list)
    context = {"page_obj": page, "notifications": page.object_list}
    return render_page(
        request, "core/notifications.html", "core/notifications_results.html", context
    )


@signed_in
@require_POST
def notification_open(request, pk: int):
    """Mark the notification read, then go where it points (a local page only)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    target = local_link(notification.link)
    return redirect(target or "core:notifications")


@signed_in
@require_POST
def notification_read(request, pk: int):
    """标为已读: htmx gets the row back (and the bell, out of band); a plain form the list."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    if getattr(request, "htmx", False):
        _with_links([notification])
        return render(request, "core/notifications_row.html", {"n": notification, "bell_oob": True})
    return redirect("core:notifications")


@signed_in
@require_POST
def notification_read_all(request):
    count = notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将 %(count)d 条通知标为已读") % {"count": count})
    return redirect("core:notifications")
