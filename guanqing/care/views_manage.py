"""The committee's care pages — the board of overdue and escalated obligations across units, the
catalogue editor — and the figures for the committee and a unit."""

from __future__ import annotations

import datetime
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guanqing.care import figures, selectors, services
from guanqing.care.access import access
from guanqing.care.forms import RuleForm
from guanqing.care.models import CareRule
from guanqing.care.views_unit import TIMING_TONES, _rows
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.ui import ranking
from guanqing.core.ui.htmx import add_service_errors, paginate


def board_columns() -> list[ranking.Column]:
    return [
        ranking.name_column(_("单位"), lambda row: row.unit.name),
        ranking.Column("open", _("待落实"), attrgetter("open")),
        ranking.Column("overdue", _("逾期未落实"), attrgetter("overdue")),
        ranking.Column("escalated", _("已报单位党委"), attrgetter("escalated")),
    ]


def _linked(rows):
    """Each unit's figures linked to its obligations, filtered as the figure counts them."""
    listed = reverse("care:obligations")
    for row in rows:
        row.url = f"{listed}?unit={row.unit.pk}"
    return rows


@access.page("board")
def board(request):
    today = business_date()
    units, overdue = selectors.board(today)
    # the first 50 units (escalated most, then overdue most), the whole table as a sheet
    units = ranking.rank(request, units, board_columns(), default="escalated", present=_linked)
    if ranking.wants_export(request):
        title = _("有逾期任务的单位")
        return ranking.export(units, title=title, stem=title)
    page = paginate(request, overdue)
    return render(
        request,
        "care/board.html",
        {
            "units": units,
            "page_obj": page,
            "rows": _rows(request.user, page.object_list, today),
            "tones": TIMING_TONES,
        },
    )


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


@access.page("figures")
def figures_page(request):
    today = business_date()
    errors = {}
    try:
        span = DateRange.parse(
            _date(request.GET.get("from")), _date(request.GET.get("to")), today=today
        )
    except (ValueError, ValidationError) as exc:
        errors = getattr(exc, "message_dict", {"from": [_("日期格式应为 YYYY-MM-DD")]})
        span = DateRange.parse(None, None, today=today)
    snapshot = figures.figures_of(request.user, span, today)
    result = snapshot.value
    # by unit: the first 50, the most overdue first, sorted on the server; the rest as a sheet
    by_unit = ranking.rank(request, result.by_unit, unit_columns(), default="overdue")
    if ranking.wants_export(request):
        title = _("关怀统计（按单位）")
        return ranking.export(by_unit, title=title, stem=title)
    return render(
        request,
        "care/figures.html",
        {
            "span": span,
            "errors": errors,
            "figures": result,
            "snapshot": snapshot,
            "tables": [
                (_("按单位"), "units", by_unit.rows, by_unit),
                (_("按制度"), "systems", result.by_system, None),
            ],
        },
    )


def unit_columns() -> list[ranking.Column]:
    """The care figures by unit, ranked on the server."""
    return [
        ranking.name_column(_("单位"), attrgetter("label")),
        *(
            ranking.Column(key, label, attrgetter(key))
            for key, label in (
                ("events", _("事件")),
                ("due", _("到期任务")),
                ("on_time", _("按时落实")),
                ("late", _("逾期落实")),
                ("waived", _("已免除")),
                ("overdue", _("逾期未落实")),
                ("pending", _("未到期")),
            )
        ),
    ]


@access.page("catalogue")
def rules_page(request):
    return render(
        request,
        "care/rules.html",
        {"groups": selectors.rules_by_system(CareRule.objects.visible_to(request.user))},
    )


def _rule_form(request, rule=None):
    initial = (
        {name: getattr(rule, name) for name in services.RULE_FIELDS} if rule is not None else None
    )
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.care_rule_save(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": saved.name})
            return redirect("care:rules")
    return render(
        request,
        "care/rule_form.html",
        {"form": form, "rule": rule},
        status=400 if request.method == "POST" else 200,
    )


@access.page("catalogue")
def rule_new(request):
    return _rule_form(request)


@access.page("catalogue")
def rule_edit(request, pk):
    return _rule_form(request, get_object_or_404(CareRule.objects.visible_to(request.user), pk=pk))
