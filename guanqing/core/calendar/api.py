"""The official calendar under /api/v1/calendar/: a deadline counted in workdays, and the days of a
range with their status. Read-only, for every signed-in user; the calendar is edited in the UI."""

from __future__ import annotations

import datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays, is_workday
from guanqing.core.models import CalendarDay

MAX_RANGE_DAYS = 400
MAX_WORKDAYS = 2500  # about ten years of workdays: beyond that a year is missing anyway
DATE_FORMATS = ["%Y-%m-%d"]
DATE_MESSAGE = gettext_lazy("日期格式应为 YYYY-MM-DD")


class DeadlineQuery(serializers.Serializer):
    start = serializers.DateField(
        input_formats=DATE_FORMATS, error_messages={"invalid": DATE_MESSAGE}
    )
    workdays = serializers.IntegerField(
        min_value=0,
        max_value=MAX_WORKDAYS,
        error_messages={
            "invalid": gettext_lazy("工作日数应为 0 或正整数"),
            "min_value": gettext_lazy("工作日数不能为负数"),
            "max_value": gettext_lazy("工作日数不能超过 {max_value}"),
        },
    )


class DeadlineAnswer(serializers.Serializer):
    start = serializers.DateField()
    workdays = serializers.IntegerField()
    deadline = serializers.DateField(help_text=gettext_lazy("第 N 个工作日（从次日起算）"))


class DaysQuery(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under another name and renamed below.
    from_ = serializers.DateField(
        input_formats=DATE_FORMATS, error_messages={"invalid": DATE_MESSAGE}
    )
    to = serializers.DateField(input_formats=DATE_FORMATS, error_messages={"invalid": DATE_MESSAGE})

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        start, end = attrs["from"], attrs["to"]
        if end < start:
            raise serializers.ValidationError({"to": [_("结束日期早于开始日期")]})
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {
                    "to": [
                        _("一次最多查询 %(max_range_days)s 天") % {"max_range_days": MAX_RANGE_DAYS}
                    ]
                }
            )
        return attrs


class CalendarDaySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=["workday", "weekend", "holiday", "makeup"],
        read_only=True,
        help_text="workday 工作日 · weekend 周末 · holiday 法定节假日 · makeup 调休上班",
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "kind", "holiday", "source"]
        read_only_fields = fields


def _missing(field: str, exc: CalendarYearMissing) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [str(exc)]})


class DeadlineView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("按工作日计算期限"),
        description=(
            gettext_lazy(
                "从 start 的次日起数第 workdays 个工作日（调休上班的周末算工作日；workdays=0 即 start）。日历中没有的年份答 400，并说明是哪一年、如何录入。"
            )
        ),
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("workdays", OpenApiTypes.INT, required=True, description="0 或以上"),
        ],
        responses={200: DeadlineAnswer},
    )
    def get(self, request):
        query = DeadlineQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, workdays = query.validated_data["start"], query.validated_data["workdays"]
        try:
            deadline = add_workdays(start, workdays) if workdays else _checked(start)
        except CalendarYearMissing as exc:
            raise _missing("start" if exc.year == start.year else "workdays", exc) from None
        return Response(
            DeadlineAnswer({"start": start, "workdays": workdays, "deadline": deadline}).data
        )


def _checked(day: datetime.date) -> datetime.date:
    """`day` itself, once its year is known to be held (0 workdays never reads the calendar)."""
    is_workday(day)
    return day


class DaysView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("日历中一段日期的状态"),
        description=(
            format_lazy(
                gettext_lazy(
                    "from 至 to（含两端，最多 {max_days} 天）每一天：是否工作日、类型、节假日名称、依据。"
                    "范围涉及日历中没有的年份答 400，并说明是哪一年。"
                ),
                max_days=MAX_RANGE_DAYS,
            )
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
        ],
        responses={200: CalendarDaySerializer(many=True)},
    )
    def get(self, request):
        query = DaysQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["from"], query.validated_data["to"]
        days = list(
            CalendarDay.objects.visible_to(request.user)
            .filter(date__range=(start, end))
            .order_by("date")
        )
        # Years are stored whole, so a year with no row in the range is a year not entered.
        held = {day.date.year for day in days}
        for year in range(start.year, end.year + 1):
            if year not in held:
                field = "from" if year == start.year else "to"
                raise _missing(field, CalendarYearMissing(year))
        return Response(CalendarDaySerializer(days, many=True).data)
