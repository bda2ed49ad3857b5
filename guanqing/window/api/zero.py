"""The "六零" endpoints: the committee's items, the checks within the user's scope, and a window's
sheet for a month (read; saved whole with PUT by its clerks and its unit's administrator). Writes
go through `guanqing.window.zero_services`; a refused value is a 400 naming the field
(`item_<id>`, `note_<id>`, `month`, `items`)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from guanqing.core.api.base import AccessAPIView, IdField, RoleAllowed, ShapeOnlyModelSerializer
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.filters import IdFilter
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import parse_id
from guanqing.window import zero_selectors as selectors
from guanqing.window import zero_services as services
from guanqing.window.access import access
from guanqing.window.models import Window, ZeroCheck, ZeroItem

MONTH_FORMAT = services.MONTH_FORMAT

# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


class ZeroItemSerializer(ShapeOnlyModelSerializer):
    measure_display = DisplayField(source="get_measure_display")

    class Meta:
        model = ZeroItem
        fields = [
            "id",
            "name",
            "description",
            "measure",
            "measure_display",
            "sort_order",
            "is_active",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"sort_order": {"required": False}, "is_active": {"required": False}}


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("六零承诺项"),
        description=gettext_lazy(
            "各窗口每月自查的承诺项（含停用的）。measure 为系统核对方式：overdue 逾期未办结、late 超期办结、bad_ratings 差评；系统查到记录的月份不能勾选做到。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("六零承诺项详情")),
    create=extend_schema(summary=gettext_lazy("新增六零承诺项（机关工委）")),
    partial_update=extend_schema(
        summary=gettext_lazy("修改六零承诺项：改名、要求、排序、系统核对、停用（机关工委）")
    ),
)
class ZeroItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """六零承诺项 The checklist's items; the committee edits them (items are never deleted here)."""

    model = ZeroItem
    serializer_class = ZeroItemSerializer
    permission_classes = [permissions.IsAuthenticated, RoleAllowed]
    filter_backends: list = []
    access = access
    access_rule = "zero_view"
    action_access = {"create": "zero_items", "partial_update": "zero_items"}

    def get_queryset(self):
        return ZeroItem.objects.order_by("sort_order", "id")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.zero_item_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item = services.zero_item_update(actor=request.user, item=item, **serializer.validated_data)
        return Response(self.get_serializer(item).data)


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


class MonthFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = selectors.parse_month(value)
        if month is None:
            raise forms.ValidationError(MONTH_FORMAT, code="invalid")
        return month


class MonthFilter(django_filters.Filter):
    field_class = MonthFormField


class ZeroCheckFilter(django_filters.FilterSet):
    window = IdFilter(field_name="window_id", label=gettext_lazy("窗口"))
    month = MonthFilter(field_name="month", label=gettext_lazy("月份（YYYY-MM）"))
    item = IdFilter(field_name="item_id", label=gettext_lazy("承诺项"))

    class Meta:
        model = ZeroCheck
        fields = ["window", "month", "item"]


class ZeroCheckSerializer(serializers.ModelSerializer):
    window_name = serializers.CharField(source="window.name", read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    checked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ZeroCheck
        fields = [
            "id",
            "window",
            "window_name",
            "month",
            "item",
            "item_name",
            "met",
            "note",
            "checked_by_name",
            "checked_at",
        ]
        read_only_fields = fields

    def get_checked_by_name(self, obj) -> str:
        user = obj.checked_by
        return getattr(user, "display_name", "") or user.username


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("六零自查记录"),
        description=gettext_lazy(
            "每个窗口每月每项一条：做到与否和说明。窗口受理员看本窗口的，单位党务管理员看本单位窗口的，机关工委看全部。?window=&month=YYYY-MM 取某窗口某月。"
        ),
    ),
)
class ZeroCheckViewSet(mixins.ListModelMixin, ScopedViewSet):
    """六零自查 The monthly checks within the user's scope."""

    model = ZeroCheck
    serializer_class = ZeroCheckSerializer
    filterset_class = ZeroCheckFilter
    select_related = ("window", "item", "checked_by")
    ordering_fields = ["month"]
    ordering = ["-month", "window_id", "item__sort_order", "item_id"]
    access = access
    access_rule = "zero_view"


# ---------------------------------------------------------------------------------------------
# A window's month
# ---------------------------------------------------------------------------------------------


class ZeroAnswerSerializer(serializers.Serializer):
    item = IdField()
    met = serializers.BooleanField()
    note = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )


class ZeroMonthInputSerializer(serializers.Serializer):
    items = serializers.ListField(child=ZeroAnswerSerializer(), max_length=200)


class ZeroSheetLineSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    measure = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()
    evidence = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy("系统查到的记录数（没有系统核对的项为 null）；大于 0 时不能做到"),
    )
    met = serializers.BooleanField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    checked_by = serializers.CharField(allow_null=True)
    checked_at = serializers.DateTimeField(allow_null=True)


class ZeroSheetSerializer(serializers.Serializer):
    window = serializers.IntegerField()
    window_name = serializers.CharField()
    month = serializers.CharField()
    lines = ZeroSheetLineSerializer(many=True)


def sheet_data(sheet) -> dict:
    lines = []
    for line in sheet.lines:
        check = line.check
        checked_by = None
        if check is not None:
            checked_by = getattr(check.checked_by, "display_name", "") or check.checked_by.username
        lines.append(
            {
                "item": line.item.pk,
                "name": line.item.name,
                "description": line.item.description,
                "measure": line.item.measure,
                "is_active": line.item.is_active,
                "evidence": line.evidence.count if line.evidence is not None else None,
                "met": check.met if check is not None else None,
                "note": check.note if check is not None else "",
                "checked_by": checked_by,
                "checked_at": check.checked_at if check is not None else None,
            }
        )
    return {
        "window": sheet.window.pk,
        "window_name": sheet.window.name,
        "month": selectors.format_month(sheet.month),
        "lines": lines,
    }


PATH_PARAMETERS = [
    OpenApiParameter("window_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="窗口"),
    OpenApiParameter("month", OpenApiTypes.STR, OpenApiParameter.PATH, description="YYYY-MM"),
]


class ZeroMonthView(AccessAPIView):
    """A window's "六零" sheet for a month: each item with the system's evidence and the check."""

    access = access
    access_rule = "zero_view"

    def _window(self, value) -> Window:
        """The window in the path, within the user's scope (404 otherwise, or for no id)."""
        pk = parse_id(value)
        window = Window.objects.visible_to(self.request.user).filter(pk=pk).first() if pk else None
        if window is None:
            raise exceptions.NotFound()
        return window

    def _month(self, value, today):
        month = selectors.parse_month(value)
        if month is None:
            raise exceptions.ValidationError({"month": [str(MONTH_FORMAT)]})
        if month > selectors.month_of(today):
            raise exceptions.ValidationError({"month": [str(services.FUTURE_MONTH)]})
        return month

    def _answer(self, window, month, today):
        sheet = selectors.sheet(window, month, today=today)
        return Response(ZeroSheetSerializer(sheet_data(sheet)).data)

    @extend_schema(
        parameters=PATH_PARAMETERS,
        responses={200: ZeroSheetSerializer},
        summary=gettext_lazy("窗口某月的六零自查（含系统核对）"),
    )
    def get(self, request, window_pk, month):
        today = business_date()
        window = self._window(window_pk)
        return self._answer(window, self._month(month, today), today)

    @extend_schema(
        parameters=PATH_PARAMETERS,
        request=ZeroMonthInputSerializer,
        responses={200: ZeroSheetSerializer},
        summary=gettext_lazy("填写窗口某月的六零自查（窗口受理员、单位党务管理员）"),
        description=gettext_lazy(
            "items 为每个在用承诺项的 {item, met, note}；未做到的须写说明。系统查到逾期、超期办结或差评的项不能做到，错误写在 item_<id> 下；说明的错误写在 note_<id> 下。再次提交即更新。"
        ),
    )
    def put(self, request, window_pk, month):
        access.check(request.user, "zero_check")
        window = self._window(window_pk)
        serializer = ZeroMonthInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        today = business_date()
        services.zero_check_save(
            actor=request.user,
            window=window,
            month=month,
            answers=[dict(answer) for answer in serializer.validated_data["items"]],
        )
        return self._answer(window, services.check_month(month, today), today)
