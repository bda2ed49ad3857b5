"""微心愿数据: the figures of a date range within the viewer's scope (`figures.wish_figures`)."""

from __future__ import annotations

from operator import itemgetter

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.ui import ranking
from guanqing.wishes import figures
from guanqing.wishes.access import access


class FiguresForm(forms.Form):
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
        data["from"], data["to"], data["range"] = span.first, span.last, span
        return data


def _with_pct(rows: list[dict], key: str) -> list[dict]:
    top = max((r[key] for r in rows), default=0)
    for row in rows:
        row["pct"] = round(row[key] * 100 / top, 1) if top else 0
    return rows


# the ranking by fulfilled wishes shows its first ten, and up to this many when unfolded
RANKED_SHOWN = 50


def unit_columns() -> list[ranking.Column]:
    """The table by unit (`figures.wish_figures`'s by_unit rows)."""
    return [
        ranking.name_column(_("单位"), itemgetter("unit")),
        ranking.Column("claims", _("认领（人次）"), itemgetter("claims")),
        ranking.Column("members", _("认领党员（人）"), itemgetter("members_who_claimed")),
        ranking.Column("fulfilled", _("实现（个）"), itemgetter("fulfilled")),
    ]


@access.page("figures")
@require_GET
def figures_page(request):
    form = FiguresForm(request.GET or None)
    result = snapshot = None
    if not form.is_bound or form.is_valid():
        if form.is_bound:
            span = form.cleaned_data["range"]
        else:
            # by default this year to date, as on the pairing and community figures pages
            span = DateRange.parse(None, None, today=business_date())
            form = FiguresForm(initial={"from": span.first, "to": span.last})
        snapshot = figures.figures_of(request.user, span)
        result = snapshot.value
        by_unit = ranking.rank(request, result["by_unit"], unit_columns(), default="claims")
        if ranking.wants_export(request):
            title = _("心愿统计（按单位）")
            return ranking.export(by_unit, title=title, stem=title)
        result = {**result, "by_unit": by_unit, "ranking": result["ranking"][:RANKED_SHOWN]}
        ranked_units = len(snapshot.value["ranking"])
        _with_pct(result["ranking"], "fulfilled")
        _with_pct(result["by_district"], "fulfilled")
        top = max((max(r["posted"], r["fulfilled"]) for r in result["by_category"]), default=0)
        for row in result["by_category"]:
            row["posted_pct"] = round(row["posted"] * 100 / top, 1) if top else 0
            row["fulfilled_pct"] = round(row["fulfilled"] * 100 / top, 1) if top else 0
    context = {"form": form, "result": result, "snapshot": snapshot}
    if result is not None:
        context.update(ranked_units=ranked_units, ranked_shown=RANKED_SHOWN)
    return render(request, "wishes/figures.html", context)
