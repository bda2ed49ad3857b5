"""窗口统计 and the boards: the figures of a date range within the viewer's scope
(`figures.window_figures`), and every window side by side (`figures.window_board`) — the
committee's city board, a unit administrator's board of its own windows."""

from __future__ import annotations

from operator import itemgetter

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core import snapshots
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.daterange import DateRange
from guanqing.core.roles import Role
from guanqing.core.ui import ranking
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
        ranked = _ranked_tables(request, ratings, RATING_TABLES, rating_columns, "ratings-")
        if isinstance(ranked, HttpResponse):
            return ranked
        context.update(
            rating_month_rows=_labelled(ratings["by_month"], "month", "month"),
            **{f"rating_{name}_rows": table for name, table in ranked.items()},
        )
    if result:
        ranked = _ranked_tables(request, result, CASE_TABLES, case_columns, "")
        if isinstance(ranked, HttpResponse):
            return ranked
        context.update(
            month_rows=_labelled(result["by_month"], "month", "month"),
            **{f"{name}_rows": table for name, table in ranked.items()},
        )
    return render(request, "window/figures.html", context)


# The tables that grow with the city (windows, items, matters, clerks) show their first rows, ranked
# on the server, and download whole: (name, result key, id key, label key, prefix, heading, noun,
# links). A clerk's numbers are not links: the case list has no filter by clerk.
CASE_TABLES = (
    (
        "windows",
        "by_window",
        "window_id",
        "window",
        "unit",
        gettext_lazy("窗口"),
        gettext_lazy("个窗口"),
        True,
    ),
    (
        "item",
        "by_item",
        "item_id",
        "item",
        "code",
        gettext_lazy("审批事项"),
        gettext_lazy("个事项"),
        True,
    ),
    (
        "matter",
        "by_matter",
        "matter_id",
        "matter",
        "code",
        gettext_lazy("办理项"),
        gettext_lazy("个办理项"),
        True,
    ),
    (
        "clerk",
        "by_clerk",
        "clerk_id",
        "clerk",
        None,
        gettext_lazy("受理人"),
        gettext_lazy("人"),
        False,
    ),
)
RATING_TABLES = (
    (
        "window",
        "by_window",
        "window_id",
        "window",
        "unit",
        gettext_lazy("窗口"),
        gettext_lazy("个窗口"),
        True,
    ),
    (
        "matter",
        "by_matter",
        "matter_id",
        "matter",
        "code",
        gettext_lazy("办理项"),
        gettext_lazy("个办理项"),
        True,
    ),
    (
        "clerk",
        "by_clerk",
        "clerk_id",
        "clerk",
        None,
        gettext_lazy("受理人"),
        gettext_lazy("人"),
        True,
    ),
)


def _percent_column(key: str, label, sheet_label, value_key: str) -> ranking.Column:
    """A rate the figures give in per cent already (83.3): the sheet names the unit."""
    return ranking.Column(key, label, itemgetter(value_key), sheet_label=sheet_label)


def case_columns(heading) -> list[ranking.Column]:
    return [
        ranking.name_column(heading, itemgetter("label")),
        ranking.Column("accepted", _("受理（件）"), itemgetter("accepted")),
        _percent_column("immediate", _("即办件占比"), _("即办件占比（%）"), "immediate_share"),
        ranking.Column(
            "promised",
            _("平均承诺 / 法定时限（工作日）"),
            itemgetter("avg_promised_workdays"),
            sheet_label=_("平均承诺时限（工作日）"),
        ),
        ranking.Column(
            "statutory",
            _("平均法定时限（工作日）"),
            itemgetter("avg_statutory_workdays"),
            on_page=False,
        ),
        _percent_column("compression", _("压缩率"), _("压缩率（%）"), "compression"),
        ranking.Column("completed", _("办结（件）"), itemgetter("completed")),
        ranking.Column("used", _("平均用时（工作日）"), itemgetter("avg_workdays_used")),
        _percent_column("early", _("提前办结率"), _("提前办结率（%）"), "early_rate"),
        ranking.Column("late", _("超期办结（件）"), itemgetter("late")),
    ]


def rating_columns(heading) -> list[ranking.Column]:
    return [
        ranking.name_column(heading, itemgetter("label")),
        ranking.Column("rated", _("评价（次）"), itemgetter("rated")),
        _percent_column("good", _("好评率"), _("好评率（%）"), "good_rate"),
        ranking.Column("bad", _("差评（次）"), itemgetter("bad")),
        _percent_column("rectify", _("差评整改率"), _("差评整改率（%）"), "rectify_rate"),
        _percent_column("feedback", _("回访率"), _("回访率（%）"), "feedback_rate"),
        ranking.Column("completed", _("办结（件）"), itemgetter("completed")),
        _percent_column("participation", _("参评率"), _("参评率（%）"), "participation"),
    ]


def _ranked_tables(request, figures_, tables, columns, prefix):
    """{name: Ranking} of `tables` in `figures_`, or the sheet of the one `?export=` names."""
    ranked = {}
    for name, key, id_key, label, label_prefix, heading, noun, links in tables:
        rows = _labelled(figures_[key], id_key, label, prefix=label_prefix, links=links)
        table = f"{prefix}{name}"
        spec = columns(heading)
        ranked[name] = ranking.rank(
            request,
            rows,
            spec,
            default=spec[1].key,
            table=table,
            sort_param=f"sort-{table}",
            noun=noun,
            anchor=prefix + key.replace("_", "-"),
        )
        if ranking.wants_export(request, table):
            if prefix:
                title = _("好差评（按%(what)s）") % {"what": heading}
            else:
                title = _("办件统计（按%(what)s）") % {"what": heading}
            return ranking.export(ranked[name], title=title, stem=title)
    return ranked


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
