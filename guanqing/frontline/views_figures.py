"""走访统计: the outreach and problem figures of a date range (`figures.frontline_figures`) within
the viewer's scope — the committee the city, a unit administrator its unit — in total, with the
article's seven figures, by unit and by district."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core import snapshots
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
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
        )
        result = snapshot.value
        result["link"] = _outreach_link(span)
        for row in result["by_unit"]:
            row["link"] = _outreach_link(span, unit=row["unit"]["id"]) if row["unit"]["id"] else ""
    context = {"form": form, "result": result, "snapshot": snapshot}
    return render(request, "frontline/figures.html", context)
