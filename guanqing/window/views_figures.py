"""窗口统计 and the boards: the figures of a date range within the viewer's scope
(`figures.window_figures`), and every window side by side (`figures.window_board`) — the
committee's city board, a unit administrator's board of its own windows."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core import snapshots
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.daterange import DateRange
from guanqing.core.roles import Role
from guanqing.window import figures
from guanqing.window.access import access
from guanqing.window.models import Case


class RangeForm(forms.Form):
    """From and to (inclusive); by default 1 January of `to`'s year to today (`DateRange`)."""

    to = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "from": forms.DateField(
                label=gettext_lazy("开始日期"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            ),
            **self.fields,
        }

    def clean(self):
        data = super().clean()
        try:
            span = DateRange.parse(data.get("from"), data.get("to"), today=business_date())
        except ValidationError as exc:
            for message in exc.message_dict.get("to", exc.messages):
                self.add_error("to", message)
            return data
        data["range"] = span
        return data


def _span(request) -> tuple[RangeForm, DateRange | None]:
    form = RangeForm(request.GET or None)
    if not form.is_bound:
        span = DateRange.parse(None, None, today=business_date())
        return RangeForm(initial={"from": span.first, "to": span.last}), span
    if form.is_valid():
        return form, form.cleaned_data["range"]
    return form, None


def _board_title(user):
    if user.role == Role.COMMITTEE:
        return gettext_lazy("全市窗口看板")
    return gettext_lazy("本单位窗口看板")


@access.page("figures")
@require_GET
def figures_page(request):
    form, span = _span(request)
    result = ratings = error = None
    snapshot = None
    if span is not None:
        cases = Case.objects.visible_to(request.user)
        args = snapshots.span_args(span, business_date())
        try:
            snapshot = snapshots.for_reader(
                cases,
                figures.CITY_FIGURES,
                args,
                lambda: figures.window_figures(request.user, span),
            )
            result = snapshot.value
        except CalendarYearMissing as exc:
            error = str(exc)
        ratings = snapshots.for_reader(
            cases,
            figures.CITY_RATINGS,
            args,
            lambda: figures.rating_figures(request.user, span),
        ).value
    context = {
        "form": form,
        "result": result,
        "ratings": ratings,
        "error": error,
        "board_title": _board_title(request.user),
        "snapshot": snapshot,
    }
    if ratings:
        context.update(
            rating_window_rows=_labelled(
                ratings["by_window"], "window_id", "window", prefix="unit"
            ),
            rating_month_rows=_labelled(ratings["by_month"], "month", "month"),
            rating_matter_rows=_labelled(
                ratings["by_matter"], "matter_id", "matter", prefix="code"
            ),
            rating_clerk_rows=_labelled(ratings["by_clerk"], "clerk_id", "clerk"),
        )
    if result:
        context.update(
            windows_rows=_labelled(result["by_window"], "window_id", "window", prefix="unit"),
            month_rows=_labelled(result["by_month"], "month", "month"),
            item_rows=_labelled(result["by_item"], "item_id", "item", prefix="code"),
            matter_rows=_labelled(result["by_matter"], "matter_id", "matter", prefix="code"),
            # no case-list filter by clerk: the clerk's numbers are not links
            clerk_rows=_labelled(result["by_clerk"], "clerk_id", "clerk", links=False),
        )
    return render(request, "window/figures.html", context)


def _labelled(rows, key, label, *, prefix=None, links=True):
    """The rows of a figures table with their `row_key` and `label` (`prefix` shown before)."""
    for row in rows:
        row["row_key"] = row[key]
        row["label"] = f"{row[prefix]} {row[label]}" if prefix else row[label]
        if not links or "links" not in row:
            row["links"] = None
    return rows


@access.page("figures")
@require_GET
def board_page(request):
    form, span = _span(request)
    result = error = snapshot = None
    if span is not None:
        try:
            snapshot = snapshots.for_reader(
                Case.objects.visible_to(request.user),
                figures.CITY_BOARD,
                snapshots.span_args(span, business_date()),
                lambda: figures.window_board(request.user, span),
            )
            result = snapshot.value
        except CalendarYearMissing as exc:
            error = str(exc)
    context = {"form": form, "result": result, "error": error, "snapshot": snapshot}
    return render(request, "window/board.html", context | {"title": _board_title(request.user)})
