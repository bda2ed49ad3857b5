"""The pages of the committee and the unit administrators that read the pairings as a whole:
结对走访情况 (the compliance board of a period: one unit's pairings, or the city by unit and by
district) and 结对统计 (the figures of a preset period or any date range, city-wide or one unit or
district; printable).

The numbers are `compliance.unit_board / city_board` and `figures.pairing_figures` over
`Pairing.objects.visible_to(request.user)`: the pages only choose the period and scope and format.
A unit outside the user's scope answers 404 exactly like a missing one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core import snapshots
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.ids import parse_id
from guanqing.core.ui import ranking
from guanqing.pairing import compliance, figures, rules, selectors
from guanqing.pairing.access import access
from guanqing.pairing.badges import badge
from guanqing.pairing.models import Pairing
from guanqing.pairing.rules import PeriodKind, Status
from guanqing.registry import pickers
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Unit

CUSTOM = "custom"


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    group: str
    first: datetime.date
    last: datetime.date


def presets(today: datetime.date, config) -> list[Preset]:
    """This year and last year, their quarters and festival windows that have begun, newest first;
    a range that runs past today stops at today."""
    years, quarters, windows = [], [], []
    for year in (today.year, today.year - 1):
        last = min(datetime.date(year, 12, 31), today)
        years.append(
            Preset(
                str(year),
                _("%(year)d 年") % {"year": year},
                "year",
                datetime.date(year, 1, 1),
                last,
            )
        )
        for period in reversed(rules.periods_of_year(year, config)):
            if period.start > today:
                continue
            preset = Preset(
                compliance.period_key(period),
                compliance.period_label(period),
                "quarter" if period.kind == PeriodKind.QUARTER else "festival",
                period.start,
                min(period.end, today),
            )
            (quarters if preset.group == "quarter" else windows).append(preset)
    return years + quarters + windows


PRESET_GROUPS = (
    ("year", gettext_lazy("年度")),
    ("quarter", gettext_lazy("季度")),
    ("festival", gettext_lazy("节日走访期")),
)


# --- the form ----------------------------------------------------------------------------------


class FiguresForm(forms.Form):
    """The period (a preset or from/to), the unit (committee only) and the district."""

    preset = forms.ChoiceField(label=gettext_lazy("期间"), required=False)
    unit = forms.CharField(label=gettext_lazy("单位"), required=False)
    district = forms.ModelChoiceField(
        label=gettext_lazy("区（县、市）"),
        queryset=Division.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部区县"),
    )

    def __init__(self, data, *, presets: list[Preset], districts, today: datetime.date):
        super().__init__(data)
        self.presets = {p.key: p for p in presets}
        self.today = today
        self.fields["preset"].choices = [(p.key, p.label) for p in presets] + [
            (CUSTOM, _("自定义日期"))
        ]
        # "from" is a Python keyword: the two date fields are added by name.
        self.fields["from"] = forms.DateField(label=gettext_lazy("开始日期"), required=False)
        self.fields["to"] = forms.DateField(label=gettext_lazy("结束日期"), required=False)
        self.fields["district"].queryset = districts

    def clean_unit(self) -> int | None:
        value = (self.cleaned_data.get("unit") or "").strip()
        if not value:
            return None
        unit_id = parse_id(value)
        if unit_id is None:
            raise forms.ValidationError(_("单位编号应为整数"))
        return unit_id

    def clean(self):
        data = super().clean()
        key = data.get("preset") or ""
        first, last = data.get("from"), data.get("to")
        if "from" in self.errors or "to" in self.errors:
            return data
        if key == CUSTOM or (not key and (first or last)):
            try:
                span = DateRange.parse(first, last, today=self.today)
            except ValidationError as exc:
                self.add_error(None, exc)
            else:
                first, last = span.first, span.last
            data["preset"] = CUSTOM
        else:
            preset = self.presets.get(key) or self.presets[str(self.today.year)]
            data["preset"], first, last = preset.key, preset.first, preset.last
        data["first"], data["last"] = first, last
        return data


# --- formatting --------------------------------------------------------------------------------


def number(value) -> str:
    """12345 → '12,345'."""
    return f"{int(value or 0):,}"


def money(value) -> str:
    """'1234567.8' → '1,234,567.80'."""
    return f"{Decimal(value or 0):,.2f}"


def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _row(row: dict, name: str, top_total: Decimal) -> dict:
    help_ = row["help"]
    total = Decimal(help_["total_yuan"])
    rate = row["compliance_rate"]
    return {
        "name": name,
        "id": row.get("unit", row.get("district", {})).get("id"),
        "pairings": number(row["pairings"]),
        "households": number(row["households"]),
        "visits": number(row["visits"]),
        "visit_person_times": number(row["visit_person_times"]),
        "festival_person_times": number(row["festival_person_times"]),
        "cash": money(help_["cash_yuan"]),
        "in_kind": money(help_["in_kind_yuan"]),
        "total_wan": money(help_["total_wan_yuan"]),
        "rate": percent(rate),
        # raw values for sorting and the bars
        "raw": {
            "pairings": row["pairings"],
            "households": row["households"],
            "visit_person_times": row["visit_person_times"],
            "festival_person_times": row["festival_person_times"],
            "cash": help_["cash_yuan"],
            "in_kind": help_["in_kind_yuan"],
            "total": help_["total_yuan"],
            "rate": "" if rate is None else rate,
        },
        "rate_width": 0 if rate is None else round(rate * 100, 1),
        "total_width": round(total * 100 / top_total, 1) if top_total else 0,
    }


def _top_total(rows: list[dict]) -> Decimal:
    return max((Decimal(r["help"]["total_yuan"]) for r in rows), default=Decimal(0))


def _rows(rows: list[dict], key: str, top: Decimal | None = None) -> list[dict]:
    top = _top_total(rows) if top is None else top
    return [_row(r, r[key]["name"], top) for r in rows]


def _compliance_column() -> ranking.Column:
    return ranking.share_column(
        "rate",
        _("走访达标率"),
        itemgetter("compliance_rate"),
        sheet_label=_("走访达标率（%）"),
    )


def unit_columns() -> list[ranking.Column]:
    """The table by unit (rows of `figures.pairing_figures`): what each column sorts by and what
    the sheet holds."""

    def help_(key):
        return lambda row: row["help"][key]

    return [
        ranking.name_column(_("单位"), lambda row: row["unit"]["name"]),
        ranking.Column("households", _("结对家庭（户）"), itemgetter("households")),
        ranking.Column("pairings", _("在结对"), itemgetter("pairings")),
        ranking.Column("visits", _("走访（人次）"), itemgetter("visit_person_times")),
        ranking.Column("festival", _("节日走访（人次）"), itemgetter("festival_person_times")),
        ranking.Column("cash", _("帮扶资金（元）"), help_("cash_yuan")),
        ranking.Column("in_kind", _("物品折价（元）"), help_("in_kind_yuan")),
        ranking.Column(
            "total", _("合计（万元）"), help_("total_yuan"), sheet_label=_("帮扶合计（元）")
        ),
        _compliance_column(),
    ]


def cards(result: dict) -> dict:
    help_ = result["help"]
    return {
        "units": number(result["units"]),
        "households": number(result["households"]),
        "pairings": number(result["pairings"]),
        "visits": number(result["visits"]),
        "visit_person_times": number(result["visit_person_times"]),
        "festival_visits": number(result["festival_visits"]),
        "festival_person_times": number(result["festival_person_times"]),
        "cash_yuan": money(help_["cash_yuan"]),
        "cash_wan": money(help_["cash_wan_yuan"]),
        "in_kind_yuan": money(help_["in_kind_yuan"]),
        "in_kind_wan": money(help_["in_kind_wan_yuan"]),
        "total_yuan": money(help_["total_yuan"]),
        "total_wan": money(help_["total_wan_yuan"]),
        "rate": percent(result["compliance_rate"]),
    }


# --- the page ----------------------------------------------------------------------------------


def _unit_picker(request) -> pickers.FilterPicker | None:
    """The unit filter of a reader who may choose any unit (a search past 30 units)."""
    if not access.allows(request.user, "any_unit"):
        return None
    return pickers.unit_filter(request.user, empty_label=_("全市汇总"))


def _chosen_unit(request, unit_id: int | None):
    """The unit chosen (the committee: any or none; a unit admin: its own). One outside the
    reader's scope answers 404 like a missing one."""
    user = request.user
    visible = Unit.objects.visible_to(user)
    if unit_id is not None:
        return get_object_or_404(visible, pk=unit_id)
    if not access.allows(user, "any_unit"):
        return get_object_or_404(visible, pk=user.unit_id)
    return None


@access.page("figures")
@require_GET
def figures_page(request):
    today = business_date()
    config = compliance.current_config()
    choices = presets(today, config)
    districts = (
        Division.objects.visible_to(request.user)
        .filter(level=DivisionLevel.DISTRICT)
        .current(today)
        .order_by("code")
    )
    form = FiguresForm(request.GET, presets=choices, districts=districts, today=today)
    valid = form.is_valid()
    unit_id = form.cleaned_data.get("unit") if valid or "unit" not in form.errors else None
    unit = _chosen_unit(request, unit_id)
    picker = _unit_picker(request)
    if picker is not None and unit is None:
        unit, error = picker.typed(request.GET)
        if error:
            form.add_error("unit", error)
            valid = False
    context = {
        "form": form,
        "preset_groups": [
            (label, [p for p in choices if p.group == group]) for group, label in PRESET_GROUPS
        ],
        "preset_key": form.cleaned_data.get("preset", "") if valid else request.GET.get("preset"),
        "unit_picker": picker.render(unit) if picker is not None else "",
        "unit": unit,
        "districts": districts,
        "today": today,
        "printed_at": timezone.localtime(),
    }
    if valid:
        data = form.cleaned_data
        district = data.get("district")
        pairings = Pairing.objects.visible_to(request.user)
        if unit is not None:
            pairings = pairings.filter(unit_id=unit.pk)
        snapshot = snapshots.for_reader(
            pairings,
            figures.CITY_FIGURES,
            figures.city_figures_args(config, unit, district, data["first"], data["last"], today),
            lambda: figures.pairing_figures(
                pairings, data["first"], data["last"], today, district=district
            ),
            reader=request.user,
        )
        result = snapshot.value
        scope = unit.name if unit is not None else _("全市")
        if district is not None:
            scope = f"{scope} · {district.name}"
        top = _top_total(result["by_unit"])
        by_unit = ranking.rank(
            request,
            result["by_unit"],
            unit_columns(),
            default="pairings",
            present=lambda rows: _rows(rows, "unit", top),
        )
        if ranking.wants_export(request):
            title = _("结对统计（按单位）")
            return ranking.export(by_unit, title=title, stem=title)
        context.update(
            {
                "result": result,
                "snapshot": snapshot,
                "cards": cards(result),
                "by_district": _rows(result["by_district"], "district"),
                "by_unit": by_unit,
                "scope": scope,
                "district": district,
                "first": data["first"],
                "last": data["last"],
            }
        )
    return render(request, "pairing/figures.html", context)


# --- the board ---------------------------------------------------------------------------------


def board_columns() -> list[ranking.Column]:
    """The board's units (`compliance.city_board`'s by_unit rows)."""
    return [
        ranking.name_column(_("单位"), lambda row: row["unit"]["name"]),
        _compliance_column(),
        ranking.Column("pairings", _("结对"), itemgetter("pairings")),
        ranking.Column("done", _("已完成"), itemgetter("done")),
        ranking.Column("due", _("待走访"), itemgetter("due")),
        ranking.Column("due_soon", _("即将到期"), itemgetter("due_soon")),
        ranking.Column("overdue", _("已逾期"), itemgetter("overdue")),
    ]


def _rated(rows: list[dict]) -> list[dict]:
    for row in rows:
        rate = row["compliance_rate"]
        row["pct"] = None if rate is None else round(rate * 100, 1)
    return rows


def _status_shown(request) -> str:
    """`?status=`: only one unit's pairings of that status, or only the units with any."""
    value = request.GET.get("status") or ""
    return value if value in {s.value for s in Status} else ""


@access.page("board")
def board(request):
    user = request.user
    today = business_date()
    config = compliance.current_config()
    choices = selectors.board_period_choices(today, config)
    keys = [key for key, _label in choices]
    period_key = request.GET.get("period") or selectors.default_board_period(keys, today, config)
    if period_key not in keys:
        period_key = keys[0]
    period = compliance.parse_period(period_key, config)
    status = _status_shown(request)
    scoped = Pairing.objects.visible_to(user)
    picker = _unit_picker(request)
    unit = None
    unit_error = ""
    if picker is not None:
        unit, unit_error = picker.chosen(request.GET)
    else:
        unit = user.unit
    context = {
        "unit_error": unit_error,
        "period_choices": choices,
        "period_key": period_key,
        "unit_picker": picker.render(unit) if picker is not None else "",
        "unit": unit,
        "today": today,
        "status": status,
        "status_badge": badge(status) if status else None,
    }
    if unit is not None:
        data = compliance.unit_board(scoped, unit, period, today, config)
        if status:
            data["pairings"] = [row for row in data["pairings"] if row["status"] == status]
        for row in data["pairings"]:
            row["badge"] = badge(row["status"])
        context["board"] = data
    else:
        snapshot = snapshots.for_reader(
            scoped,
            compliance.CITY_BOARD,
            compliance.city_board_args(period, today, config),
            lambda: compliance.city_board(scoped, period, today, config),
        )
        context["snapshot"] = snapshot
        data = snapshot.value
        by_unit = data["by_unit"]
        if status:
            by_unit = [row for row in by_unit if row[status]]
        # the units slipping most come first
        by_unit = ranking.rank(
            request, by_unit, board_columns(), default="-rate", present=_rated, anchor=""
        )
        if ranking.wants_export(request):
            title = _("结对走访情况（按单位）")
            return ranking.export(by_unit, title=title, stem=f"{title}_{period.label}")
        data = {**data, "by_unit": by_unit}
        _rated(data["by_district"])
        context["board"] = data
    totals = data["totals"]
    rate = totals["compliance_rate"]
    totals["pct"] = None if rate is None else round(rate * 100, 1)
    return render(request, "pairing/board.html", context)
