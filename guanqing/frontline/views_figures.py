"""走访统计: the outreach and problem figures of a date range (`figures.frontline_figures`) within
the viewer's scope — the committee the city, a unit administrator its unit — in total, with the
article's seven figures, by unit and by district."""

from __future__ import annotations

from operator import itemgetter
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core import snapshots
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.ui import ranking
from guanqing.frontline import figures
from guanqing.frontline.access import access
from guanqing.frontline.models import Outreach

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class RangeForm(forms.Form):
    """From and to (inclusive); by default 1 January of `to`'s year to today (`DateRange`)."""

    to = forms.DateField(
        label=gettext_lazy("结束日期"), required=False, widget=forms.DateInput(**DATE_WIDGET)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is added by name, first.
        self.fields = {
            "from": forms.DateField(
                label=gettext_lazy("开始日期"),
                required=False,
                widget=forms.DateInput(**DATE_WIDGET),
            ),
            **self.fields,
        }

    def clean(self):
        data = super().clean()
        try:
            data["range"] = DateRange.parse(data.get("from"), data.get("to"), today=business_date())
        except ValidationError as exc:
            for message in exc.message_dict.get("to", exc.messages):
                self.add_error("to", message)
        return data


def _span(request) -> tuple[RangeForm, DateRange | None]:
    form = RangeForm(request.GET or None)
    if not form.is_bound:
        span = DateRange.parse(None, None, today=business_date())
        return RangeForm(initial={"from": span.first, "to": span.last}), span
    if form.is_valid():
        return form, form.cleaned_data["range"]
    return form, None


def _outreach_link(span: DateRange, **params) -> str:
    query = {"date_from": span.first.isoformat(), "date_to": span.last.isoformat(), **params}
    return f"{reverse('frontline:outreach')}?{urlencode(query)}"


def unit_columns() -> list[ranking.Column]:
    """The table by unit (`figures.frontline_figures`'s by_unit rows)."""
    return [
        ranking.name_column(_("单位"), lambda row: row["unit"]["name"] or _("未派单")),
        ranking.Column("visits", _("走访次数"), itemgetter("visits")),
        ranking.Column("person_times", _("走访人次"), itemgetter("person_times")),
        ranking.Column("bureau", _("局级干部人次"), itemgetter("bureau_person_times")),
        ranking.Column("grassroots", _("基层单位"), itemgetter("grassroots_units")),
        ranking.Column("villages", _("村（社区）"), itemgetter("villages")),
        ranking.Column("enterprises", _("企业"), itemgetter("enterprises")),
        ranking.Column(
            "donated", _("捐赠（万元）"), itemgetter("donated_yuan"), sheet_label=_("捐赠（元）")
        ),
        ranking.Column("collected", _("收集难题"), itemgetter("problems_collected")),
        ranking.Column("solved", _("解决难题"), itemgetter("problems_solved")),
        ranking.Column("on_time", _("按期解决"), itemgetter("problems_solved_on_time")),
        ranking.Column("overdue", _("超期"), itemgetter("problems_overdue")),
        ranking.Column("noticed", _("通报"), itemgetter("problems_noticed")),
        ranking.Column(
            "satisfaction",
            _("满意率"),
            itemgetter("satisfaction"),
            sheet_label=_("满意率（%）"),
        ),
    ]


@access.page("figures")
@require_GET
def figures_page(request):
    form, span = _span(request)
    result = snapshot = None
    if span is not None:
        snapshot = snapshots.for_reader(
            Outreach.objects.visible_to(request.user),
            figures.CITY_FIGURES,
            snapshots.span_args(span, business_date()),
            lambda: figures.frontline_figures(request.user, span),
            reader=request.user,
        )
        result = snapshot.value

        def linked(rows):
            for row in rows:
                unit_id = row["unit"]["id"]
                row["link"] = _outreach_link(span, unit=unit_id) if unit_id else ""
            return rows

        by_unit = ranking.rank(
            request, result["by_unit"], unit_columns(), default="person_times", present=linked
        )
        if ranking.wants_export(request):
            title = _("一线走访统计（按单位）")
            return ranking.export(by_unit, title=title, stem=title)
        result = {**result, "link": _outreach_link(span), "by_unit": by_unit}
    context = {"form": form, "result": result, "snapshot": snapshot}
    return render(request, "frontline/figures.html", context)
