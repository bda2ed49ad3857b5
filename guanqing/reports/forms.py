"""The chooser of the report page: a period (month, quarter, half-year or year that has begun)
and an area (city-wide, a district, a unit) the reader may ask for.

The committee's area is city-wide, a district, or "a unit" with the unit chosen in a picker searched
past 30 (a province has thousands of units: a select of every one took most of the page's time);
a unit's administrator chooses its own unit. Either way the area travels as one `where`
parameter (`city`, `district:<id>`, `unit:<id>`), which links, exports and publishing keep."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.reports import Period, PeriodKind
from guanqing.core.roles import Role
from guanqing.registry import pickers
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


UNIT_SELECT_UP_TO = 30  # the committee's units listed in a select at most; past it, a search
A_UNIT = "unit"  # the committee's area choice "a unit", the unit chosen in the picker


def where_choices(user) -> list:
    choices = []
    if user.role == Role.COMMITTEE:
        choices.append(("city", _("全市")))
        districts = [(f"district:{d.pk}", d.name) for d in selectors.districts_for(user)]
        if districts:
            choices.append((_("区县（市）"), districts))
        choices.append((A_UNIT, _("某个单位")))
        return choices
    units = [(f"unit:{u.pk}", u.name) for u in selectors.units_for(user)]
    if units:
        choices.append((_("单位"), units))
    return choices


class ChooserForm(forms.Form):
    """`where` is the area's key once the form is valid (`cleaned_data["where"]`)."""

    period = forms.ChoiceField(label=_("报告期"))
    where = forms.ChoiceField(label=_("范围"))

    def __init__(self, data, *, user, today: datetime.date, **kwargs):
        self.committee = user.role == Role.COMMITTEE
        if data is not None and self.committee:
            data = data.copy()
            area = data.get("where") or ""
            if area.startswith(f"{A_UNIT}:"):  # a unit's key: the choice "a unit", and the unit
                data["where"], data[A_UNIT] = A_UNIT, area.partition(":")[2]
        super().__init__(data, **kwargs)
        self.fields["period"].choices = recent_periods(today)
        self.fields["where"].choices = where_choices(user)
        if self.committee:
            self.fields[A_UNIT] = pickers.PickerField(
                "units",
                queryset=selectors.units_for(user),
                required=False,
                select_up_to=UNIT_SELECT_UP_TO,
                label=_("单位"),
                empty_label=_("请选择单位"),
                search_help=_("范围选“某个单位”后，在此点选一个单位，再按“查看”。"),
            )
            # shown while the area is "a unit" (core/static/js/app.js)
            self.fields[A_UNIT].shown_when = f"{self['where'].auto_id}={A_UNIT}"

    def clean(self):
        data = super().clean()
        if self.committee and data.get("where") == A_UNIT:
            unit = data.get(A_UNIT)
            if unit is None:
                if A_UNIT not in self.errors:
                    self.add_error(A_UNIT, _("请选择一个单位"))
            else:
                data["where"] = f"{A_UNIT}:{unit.pk}"
        return data


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("更正原因"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("发布更正版本时必填：说明哪些数据为何更正"),
    )
