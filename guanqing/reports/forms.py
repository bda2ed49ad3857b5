"""The chooser of the report page: a period (month, quarter, half-year or year that has begun)
and an area (city-wide, a district, a unit) the reader may ask for."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.reports import Period, PeriodKind
from guanqing.reports import selectors

YEARS_BACK = 5


def recent_periods(today: datetime.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods that have begun, newest first, grouped by kind (the period select)."""
    months, quarters, halves, years = [], [], [], []
    for year in range(today.year, today.year - YEARS_BACK, -1):
        years.append(Period(PeriodKind.YEAR, year))
        halves += [Period(PeriodKind.HALF, year, i) for i in (2, 1)]
        quarters += [Period(PeriodKind.QUARTER, year, i) for i in (4, 3, 2, 1)]
        if year >= today.year - 1:
            months += [Period(PeriodKind.MONTH, year, m) for m in range(12, 0, -1)]

    def begun(periods):
        return [(p.key, p.label) for p in periods if p.first <= today]

    return [
        (str(PeriodKind.LABELS[PeriodKind.QUARTER]), begun(quarters)),
        (str(PeriodKind.LABELS[PeriodKind.HALF]), begun(halves)),
        (str(PeriodKind.LABELS[PeriodKind.YEAR]), begun(years)),
        (str(PeriodKind.LABELS[PeriodKind.MONTH]), begun(months)),
    ]


def where_choices(user) -> list:
    choices = []
    if user.role == "committee":
        choices.append(("city", _("全市")))
        districts = [(f"district:{d.pk}", d.name) for d in selectors.districts_for(user)]
        if districts:
            choices.append((_("区县（市）"), districts))
    units = [(f"unit:{u.pk}", u.name) for u in selectors.units_for(user)]
    if units:
        choices.append((_("单位"), units))
    return choices


class ChooserForm(forms.Form):
    period = forms.ChoiceField(label=_("报告期"))
    where = forms.ChoiceField(label=_("范围"))

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = recent_periods(today)
        self.fields["where"].choices = where_choices(user)


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("更正原因"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("发布更正版本时必填：说明哪些数据为何更正"),
    )
