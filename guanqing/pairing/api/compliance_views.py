"""Compliance and figures under /api/v1/: a pairing's year, a member's to-do list, the unit and
city boards, the pairing figures. Every answer is computed when asked (nothing is stored) from the
requesting user's scope: a pairing or unit outside it answers 404 like a missing one."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from guanqing.core import snapshots
from guanqing.core.api.base import AccessAPIView
from guanqing.core.api.schema import UNIT_NOT_FOUND
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRangeQuery, date_range_parameters
from guanqing.pairing import compliance, figures, rules
from guanqing.pairing.access import access
from guanqing.pairing.models import Pairing
from guanqing.registry.api.params import unit_param
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Unit

NO_MEMBER = gettext_lazy("您的账号没有关联党员")


class _RuleView(AccessAPIView):
    access = access


class PairingComplianceView(_RuleView):
    """结对走访考核 One pairing's duties of a year: the four quarters and two festival windows."""

    access_rule = "pairings"

    @extend_schema(
        summary=gettext_lazy("结对的年度走访考核"),
        description=(
            gettext_lazy(
                "每个期间（四个季度、元旦春节、七一）的状态 done/due/due_soon/overdue/not_owed/upcoming、责任人（期限当天的结对人）和期限。"
            )
        ),
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description=gettext_lazy("YYYY，默认今年")),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        pairing = get_object_or_404(Pairing.objects.visible_to(request.user), pk=pk)
        day = business_date()
        raw = request.query_params.get("year")
        year = day.year if raw is None else compliance.parse_year(raw)
        periods = compliance.pairing_year(pairing, year, day)
        return Response({"pairing": pairing.pk, "year": year, "today": day, "periods": periods})


class TodoView(_RuleView):
    """我的待办 The signed-in member's open visit duties."""

    access_rule = "pairings"

    @extend_schema(
        summary=gettext_lazy("我的走访待办"),
        description=(
            gettext_lazy(
                "当前及刚结束期间中由本人负责、尚未完成的走访（待完成、临期、逾期），最紧迫的在前。"
            )
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        member = request.user.member
        if member is None:
            raise exceptions.PermissionDenied(NO_MEMBER)
        day = business_date()
        duties = compliance.member_todo(member, day, Pairing.objects.visible_to(request.user))
        return Response(
            {"member": {"id": member.pk, "name": member.name}, "today": day, "duties": duties}
        )


class BoardView(_RuleView):
    """走访考核看板 The unit board (unit admin: its own unit) or the city board (committee)."""

    access_rule = "board"

    @extend_schema(
        summary=gettext_lazy("走访考核看板"),
        description=(
            gettext_lazy(
                "period 为季度（2026Q1）或节日走访期（2026-new_year、2026-july），默认本季度。单位管理员只看本单位；机关工委给 unit 看某单位，不给则看全市（按单位、按区县）。"
            )
        ),
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="2026Q1 · 2026-new_year · 2026-july"
            ),
            OpenApiParameter("unit", OpenApiTypes.INT, description=gettext_lazy("单位编号")),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: UNIT_NOT_FOUND},
    )
    def get(self, request):
        day = business_date()
        config = compliance.current_config()
        raw = request.query_params.get("period")
        period = rules.quarter_of(day) if raw is None else compliance.parse_period(raw, config)
        pairings = Pairing.objects.visible_to(request.user)
        unit = unit_param(request)
        if unit is None and not access.allows(request.user, "any_unit"):
            unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=request.user.unit_id)
        if unit is not None:
            board = compliance.unit_board(pairings, unit, period, day, config)
            return Response({"scope": "unit", **board})
        snapshot = snapshots.for_reader(
            pairings,
            compliance.CITY_BOARD,
            compliance.city_board_args(period, day, config),
            lambda: compliance.city_board(pairings, period, day, config),
        )
        return Response({"scope": "city", **snapshot.value, "as_of": snapshot.as_of})


class FiguresQuery(DateRangeQuery):
    """`?from=&to=` (`DateRangeQuery`) and `?district=`: a district's 6 or 12-digit code."""

    district = serializers.RegexField(
        r"^([0-9]{6}|[0-9]{12})$",
        required=False,
        error_messages={"invalid": gettext_lazy("区县代码应为 6 或 12 位数字")},
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        code = attrs.get("district")
        if code:
            district = Division.objects.filter(
                code=code.ljust(12, "0"), level=DivisionLevel.DISTRICT
            ).first()
            if district is None:
                raise serializers.ValidationError(
                    {"district": [_("区县代码 %(code)s 不存在") % {"code": code}]}
                )
            attrs["district"] = district
        return attrs


class PairingFiguresView(_RuleView):
    """结对帮困数据 The pairing figures of a date range, by unit and by district."""

    access_rule = "figures"

    @extend_schema(
        summary=gettext_lazy("结对帮困数据"),
        description=(
            gettext_lazy(
                "结对数、户数、走访次数与人次、节日走访、帮扶金额（元、万元，两位小数）、考核完成率；合计、按单位、按区县（撤并的区县计入今天的区县）。机关工委看全部，单位管理员看本单位。"
            )
        ),
        parameters=[
            *date_range_parameters(),
            OpenApiParameter("unit", OpenApiTypes.INT, description=gettext_lazy("单位编号")),
            OpenApiParameter("district", OpenApiTypes.STR, description=gettext_lazy("区县代码")),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: UNIT_NOT_FOUND},
    )
    def get(self, request):
        query = FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        pairings = Pairing.objects.visible_to(request.user)
        unit = unit_param(request)
        if unit is not None:
            pairings = pairings.filter(unit_id=unit.pk)
        today, district = business_date(), data.get("district")
        snapshot = snapshots.for_reader(
            pairings,
            figures.CITY_FIGURES,
            figures.city_figures_args(
                compliance.current_config(), unit, district, data["from"], data["to"], today
            ),
            lambda: figures.pairing_figures(
                pairings, data["from"], data["to"], today, district=district
            ),
            reader=request.user,
        )
        return Response({**snapshot.value, "as_of": snapshot.as_of})
