"""Keeping the official calendar (namespace "calendar"): the committee and the system administrator
enter a year from the State Council's notice, amend a day, or import a notice from Excel. Writes go
through guanqing.core.calendar.services."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core import excel
from guanqing.core.calendar.access import access
from guanqing.core.calendar.services import (
    IMPORT_COLUMNS,
    IMPORT_REQUIRED,
    CalendarImportInvalid,
    DayEntry,
    calendar_day_set,
    calendar_days_import,
    calendar_year_publish,
)
from guanqing.core.calendar.workdays import business_date, lunar_to_solar
from guanqing.core.ids import parse_year
from guanqing.core.models import CalendarDay
from guanqing.core.ui.htmx import add_service_errors

MAX_PERIOD_DAYS = 31
HOLIDAY_ROWS = 8
MAKEUP_ROWS = 6
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# The holidays of a notice, in its order; the form offers them as the rows' names.
NOTICE_HOLIDAYS = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]

# ---------------------------------------------------------------------------------------------
# Amending one day
# ---------------------------------------------------------------------------------------------


class DayForm(forms.Form):
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("这一天"),
        choices=[("1", gettext_lazy("上班（工作日）")), ("0", gettext_lazy("不上班（休息）"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    holiday = forms.CharField(
        label=gettext_lazy("节假日名称"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("放假或调休上班时必填，如“春节”"),
    )
    source = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("通知的标题或文号"),
    )

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


@access.page("edit")
def day_edit(request, day: str):
    date = _parse_date(day)
    row = CalendarDay.objects.visible_to(request.user).filter(date=date).first()
    if row is None:
        raise Http404
    initial = {
        "is_workday": "1" if row.is_workday else "0",
        "holiday": row.holiday,
        "source": row.source,
    }
    form = DayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            calendar_day_set(actor=request.user, day=date, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已修改 %(date)s") % {"date": date.isoformat()})
            target = reverse("calendar:year", args=[date.year]) + f"#m{date.month}"
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    context = {"form": form, "day": row}
    if request.htmx:
        return render(request, "core/calendar/_day_form.html", context)
    return render(request, "core/calendar/day.html", context)


# ---------------------------------------------------------------------------------------------
# Entering a year from the notice
# ---------------------------------------------------------------------------------------------


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(
        label=gettext_lazy("依据的通知"),
        max_length=200,
        help_text=gettext_lazy(
            "如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"
        ),
    )


class HolidayRowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=60, required=False)
    start = forms.DateField(
        label=gettext_lazy("起"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        name, start, end = data.get("name"), data.get("start"), data.get("end")
        if not start and not end and not self.errors:
            data["skip"] = True  # a row with only its suggested name is not used
            return data
        if not name:
            self.add_error("name", _("请填写节假日名称"))
        if not start and "start" not in self.errors:
            self.add_error("start", _("请填写开始日期"))
        if not end and "end" not in self.errors:
            self.add_error("end", _("请填写结束日期"))
        if start and end:
            if end < start:
                self.add_error("end", _("结束日期早于开始日期"))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("end", _("一个假期不超过 %(n)s 天") % {"n": MAX_PERIOD_DAYS})
        return data


class MakeupRowForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=60, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("date") and not self.errors:
            data["skip"] = True
            return data
        if not data.get("name"):
            self.add_error("name", _("请填写对应的节假日名称"))
        return data


HolidayFormSet = forms.formset_factory(HolidayRowForm, extra=0)
MakeupFormSet = forms.formset_factory(MakeupRowForm, extra=0)


def _lunar_hints(year: int) -> list[tuple[str, datetime.date]]:
    """The lunar festivals of `year`, to check the notice's dates against."""
    hints = []
    for label, month, day in (
        (_("春节（正月初一）"), 1, 1),
        (_("端午节（五月初五）"), 5, 5),
        (_("中秋节（八月十五）"), 8, 15),
    ):
        try:
            hints.append((label, lunar_to_solar(year, month, day)))
        except Exception:  # noqa: BLE001 - a hint only; the form works without it
            continue
    return hints


def _entries(holidays, makeups):
    """DayEntry list, and for each entry the (form, field) its errors belong to."""
    entries, owners = [], []
    for form in holidays.forms:
        data = form.cleaned_data
        if not data or data.get("skip"):
            continue
        day = data["start"]
        while day <= data["end"]:
            entries.append(DayEntry(day, False, data["name"]))
            owners.append((form, "start"))
            day += datetime.timedelta(days=1)
    for form in makeups.forms:
        data = form.cleaned_data
        if not data or data.get("skip"):
            continue
        entries.append(DayEntry(data["date"], True, data["name"]))
        owners.append((form, "date"))
    return entries, owners


@access.page("edit")
def year_new(request):
    requested = request.GET.get("year", "")
    suggested = parse_year(requested) or business_date().year + 1
    if request.method == "POST":
        form = YearForm(request.POST)
        holidays = HolidayFormSet(request.POST, prefix="holidays")
        makeups = MakeupFormSet(request.POST, prefix="makeups")
    else:
        form = YearForm(
            initial={
                "year": suggested,
                "source": _("国务院办公厅关于%(year)s年部分节假日安排的通知") % {"year": suggested},
            }
        )
        holidays = HolidayFormSet(
            prefix="holidays",
            initial=[{"name": name} for name in NOTICE_HOLIDAYS]
            + [{}] * (HOLIDAY_ROWS - len(NOTICE_HOLIDAYS)),
        )
        makeups = MakeupFormSet(prefix="makeups", initial=[{}] * MAKEUP_ROWS)
    if request.method == "POST" and all([form.is_valid(), holidays.is_valid(), makeups.is_valid()]):
        entries, owners = _entries(holidays, makeups)
        year = form.cleaned_data["year"]
        try:
            calendar_year_publish(
                actor=request.user, year=year, source=form.cleaned_data["source"], days=entries
            )
        except ValidationError as exc:
            _place_errors(form, exc, owners)
        else:
            messages.success(request, _("%(year)s 年工作日历已录入") % {"year": year})
            return redirect("calendar:year", year=year)
    year_value = form.data.get("year") if form.is_bound else suggested
    try:
        hint_year = int(year_value)
    except (TypeError, ValueError):
        hint_year = suggested
    context = {
        "form": form,
        "holidays": holidays,
        "makeups": makeups,
        "hints": _lunar_hints(hint_year) if 2000 <= hint_year <= 2100 else [],
        "hint_year": hint_year,
    }
    return render(request, "core/calendar/year_form.html", context)


def _place_errors(form, exc: ValidationError, owners) -> None:
    """days[i] errors go to the row that produced entry i; the rest to the year form."""
    if not hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
        return
    placed: set[tuple[int, str]] = set()
    for key, messages_ in exc.message_dict.items():
        if key.startswith("days[") and key.endswith("]"):
            owner, field = owners[int(key[5:-1])]
            for message in messages_:
                if (id(owner), message) not in placed:
                    owner.add_error(field, message)
                    placed.add((id(owner), message))
        else:
            add_service_errors(form, ValidationError({key: messages_}))


# ---------------------------------------------------------------------------------------------
# Excel import of a notice
# ---------------------------------------------------------------------------------------------

IMPORT_SPECS = [
    excel.ColumnSpec(
        "日期",
        required=True,
        help="放假或调休上班的日期，格式 2027-02-05（也可用 Excel 日期）",
        example="2027-02-05",
        width=14,
    ),
    excel.ColumnSpec(
        "是否上班",
        required=True,
        help="“否”表示放假，“是”表示调休上班（只能是周六或周日）",
        choices=("是", "否"),
        example="否",
    ),
    excel.ColumnSpec(
        "节假日名称",
        help="如“春节”；放假和调休上班都填所属节日；录入新年份时必填",
        example="春节",
        width=16,
    ),
    excel.ColumnSpec(
        "依据",
        help="通知标题或文号；录入新年份时必填，且同一年份各行相同",
        example="国务院办公厅关于2027年部分节假日安排的通知",
        width=48,
    ),
]
IMPORT_NOTES = [
    "尚未录入的年份：按“工作日上班、周末休息”生成全年，再写入表中列出的日期。",
    "已录入的年份：逐日修改表中列出的日期，其他日期不变。",
    "系统先逐行检查全部数据；只要有一行有错，整个文件都不会写入。",
]
assert [spec.header for spec in IMPORT_SPECS] == list(IMPORT_COLUMNS)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        help_text=gettext_lazy("请使用下载的模板填写，.xlsx 格式"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 2 MB：一份通知不会有这么多行"))
        return upload


@access.page("edit")
def import_notice(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[excel.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            sheet = excel.read_sheet(form.cleaned_data["file"])
        except excel.SheetError as exc:
            form.add_error("file", str(exc))
        else:
            missing = [h for h in IMPORT_REQUIRED if h not in sheet.headers]
            errors = [excel.RowError(1, h, _("缺少这一列")) for h in missing] + sheet.errors
            if not errors:
                try:
                    result = calendar_days_import(actor=request.user, rows=sheet.rows)
                except CalendarImportInvalid as exc:
                    errors = exc.row_errors
                else:
                    parts = []
                    if result.published_years:
                        years = "、".join(str(y) for y in result.published_years)
                        parts.append(_("已录入 %(years)s 年") % {"years": years})
                    parts.append(
                        _("修改 %(amended)s 天，%(unchanged)s 天无变化")
                        % {"amended": result.amended, "unchanged": result.unchanged}
                    )
                    messages.success(request, "；".join(parts))
                    if result.published_years:
                        return redirect("calendar:year", year=result.published_years[0])
                    return redirect("calendar:index")
    return render(
        request,
        "core/calendar/import.html",
        {"form": form, "errors": errors, "columns": IMPORT_SPECS},
    )


@access.page("edit")
@require_GET
def import_template(request):
    content = excel.template_workbook(
        title="节假日安排", columns=IMPORT_SPECS, notes=IMPORT_NOTES, blank_rows=200
    )
    return excel.xlsx_response(content, "工作日历导入模板.xlsx")
