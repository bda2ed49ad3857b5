"""The "六零" pages: the board (windows × the last six months), a window's self-check for a month
(the form for its clerks and its unit's administrator, read-only for the committee) and the
committee's item editor."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate
from guanqing.window import zero_selectors as selectors
from guanqing.window import zero_services as services
from guanqing.window.access import access
from guanqing.window.forms_zero import ZeroCheckForm, ZeroItemForm
from guanqing.window.models import Window

# ---------------------------------------------------------------------------------------------
# The board and a window's month
# ---------------------------------------------------------------------------------------------


@access.page("zero_view")
def zero_board(request):
    today = business_date()
    months = selectors.last_months(today)
    page = paginate(request, selectors.board_windows(request.user))
    windows = selectors.board_rows(page.object_list, months, today)
    return render(
        request,
        "window/zero/board.html",
        {
            "months": months,
            "windows": windows,
            "page_obj": page,
            "current_month": selectors.month_of(today),
        },
    )


def sheet_url(window_pk: int, month) -> str:
    return reverse("window:zero_sheet", args=[window_pk, selectors.format_month(month)])


@access.page("zero_view")
def zero_sheet(request, window_pk, month):
    user = request.user
    today = business_date()
    window = get_object_or_404(Window.objects.visible_to(user).select_related("unit"), pk=window_pk)
    month = selectors.parse_month(month)
    if month is None or month > selectors.month_of(today):
        raise Http404
    can_check = access.allows(user, "zero_check")
    if request.method == "POST":
        access.check(user, "zero_check")
    sheet = selectors.sheet(window, month, today=today)
    form = None
    if can_check:
        form = ZeroCheckForm(request.POST if request.method == "POST" else None, sheet=sheet)
        if form.is_bound and form.is_valid():
            try:
                services.zero_check_save(
                    actor=user, window=window, month=month, answers=form.answers()
                )
            except OutOfScope:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("六零自查已保存"))
                return redirect(sheet_url(window.pk, month))
    previous = selectors.add_months(month, -1)
    following = selectors.add_months(month, 1)
    return render(
        request,
        "window/zero/sheet.html",
        {
            "window": window,
            "month": month,
            "month_key": selectors.format_month(month),
            "sheet": sheet,
            "form": form,
            "rows": list(form.rows()) if form is not None else None,
            "previous_url": (
                sheet_url(window.pk, previous) if previous.year >= selectors.FIRST_YEAR else None
            ),
            "next_url": (
                sheet_url(window.pk, following) if following <= selectors.month_of(today) else None
            ),
        },
    )


# ---------------------------------------------------------------------------------------------
# The committee's items
# ---------------------------------------------------------------------------------------------


@access.page("zero_items")
def zero_items(request):
    form = ZeroItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.zero_item_create(actor=request.user, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("承诺项已保存"))
            return redirect("window:zero_items")
    return render(
        request,
        "window/zero/items.html",
        {"items": list(selectors.items_with_check_counts()), "form": form},
    )


@access.page("zero_items")
def zero_item_edit(request, pk):
    item = get_object_or_404(selectors.items_with_check_counts(), pk=pk)
    action = request.POST.get("action", "save") if request.method == "POST" else None
    initial = {
        "name": item.name,
        "description": item.description,
        "measure": item.measure,
        "sort_order": item.sort_order,
        "is_active": item.is_active,
    }
    form = ZeroItemForm(request.POST if action == "save" else None, editing=True, initial=initial)
    try:
        if action in ("up", "down"):
            services.zero_item_move(
                actor=request.user, item=item, offset=-1 if action == "up" else 1
            )
            return redirect("window:zero_items")
        if action == "delete":
            services.zero_item_delete(actor=request.user, item=item)
            messages.success(request, _("承诺项已删除"))
            return redirect("window:zero_items")
        if action == "save" and form.is_valid():
            try:
                services.zero_item_update(actor=request.user, item=item, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("承诺项已保存"))
                return redirect("window:zero_items")
    except OutOfScope:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, str(exc))
    return render(request, "window/zero/item_form.html", {"item": item, "form": form})
