"""Care endpoints under /api/v1/care/: the catalogue (list; the committee writes), events (list,
record, retrieve with its obligations), obligations (list, retrieve, meet, waive) and the figures.

Reads go through `visible_to(user)`, writes through `guanqing.care.services`: a refused value is a
400 naming the field, a move the obligation's lifecycle refuses a 409, a record outside the scope a
404. Recording an event that exists already answers 200 with that event instead of 201. Retrieving
a sensitive event is audited like its page.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.care import figures, selectors, services
from guanqing.care.access import access
from guanqing.care.api import serializers as s
from guanqing.care.filters import EventFilter, ObligationFilter
from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.core.api.base import AccessAPIView, ServiceCreateMixin, ServiceUpdateMixin
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRangeQuery, date_range_parameters
from guanqing.core.roles import Role


def _refused():
    return OpenApiResponse(description=gettext_lazy("任务当前状态不允许此操作 {detail: message}"))


class _TodayMixin:
    def get_serializer_context(self):
        return super().get_serializer_context() | {"today": business_date()}


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("关怀事项目录")),
    retrieve=extend_schema(summary=gettext_lazy("关怀事项")),
    create=extend_schema(
        summary=gettext_lazy("新增关怀事项（机关工委）"),
        request=s.RuleWriteSerializer,
        responses={201: s.RuleSerializer},
    ),
    update=extend_schema(
        summary=gettext_lazy("修改关怀事项（机关工委）"),
        request=s.RuleWriteSerializer,
        responses={200: s.RuleSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改关怀事项的部分字段（机关工委）"),
        request=s.RuleWriteSerializer,
        responses={200: s.RuleSerializer},
    ),
)
class RuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """关怀事项目录 The catalogue of the four systems."""

    model = CareRule
    ordering_fields = ["system", "sort_order"]
    ordering = ["system", "sort_order", "id"]
    access = access
    access_rule = "read"
    create_rule = "catalogue"
    action_access = {"update": "catalogue", "partial_update": "catalogue"}

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.RuleWriteSerializer
        return s.RuleSerializer

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, s.RuleSerializer)

    def service_create(self, data):
        return services.care_rule_save(actor=self.request.user, **data)

    def service_update(self, obj, data):
        return services.care_rule_save(actor=self.request.user, rule=obj, **data)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("关怀事件"),
        description=gettext_lazy(
            "机关工委看全部，单位党务管理员看本单位的，党员看本人的。敏感事项只有本单位党务管理员、机关工委和本人看得到事项名称。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("关怀事件详情（含关怀任务）")),
    create=extend_schema(
        summary=gettext_lazy("录入关怀事件（党员只能报告本人的）"),
        description=gettext_lazy(
            "同一党员、同一事项、同一天已有记录时返回已有的记录（200），不重复生成任务。"
        ),
        request=s.EventCreateSerializer,
        responses={201: s.EventDetailSerializer, 200: s.EventDetailSerializer},
    ),
)
class EventViewSet(
    _TodayMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ScopedViewSet,
):
    """关怀事件 Events in members' lives and the obligations they made due."""

    model = CareEvent
    filterset_class = EventFilter
    select_related = ("member", "unit", "rule")
    ordering_fields = ["occurred_on"]
    ordering = ["-occurred_on", "-id"]
    access = access
    access_rule = "read"

    def get_serializer_class(self):
        if self.action == "create":
            return s.EventCreateSerializer
        if self.action == "list":
            return s.EventSerializer
        return s.EventDetailSerializer

    def check_create_permission(self):
        # the unit and the committee record, a member reports its own
        rule = "report" if getattr(self.request.user, "role", None) == Role.MEMBER else "record"
        self.create_rule = rule
        super().check_create_permission()

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, s.EventDetailSerializer)

    def retrieve(self, request, *args, **kwargs):
        event = self.get_object()
        if not selectors.may_read(request.user, event):
            raise Http404
        selectors.audit_sensitive_read(request.user, event)
        return self.respond_with(event)

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event, created = services.care_event_record(
            actor=request.user, **dict(serializer.validated_data)
        )
        return self.respond_with(
            self.read_back(event), status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("关怀任务"),
        description=gettext_lazy(
            "when=overdue 逾期未落实，week 本周到期，escalated 已报单位党委。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("关怀任务详情")),
)
class ObligationViewSet(
    _TodayMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """关怀任务 What the rules made due: meet (what was done) or waive (with a reason)."""

    model = Obligation
    filterset_class = ObligationFilter
    select_related = ("event",)
    ordering_fields = ["due_on"]
    ordering = ["due_on", "id"]
    access = access
    access_rule = "read"
    action_access = {"meet": "meet", "waive": "waive"}

    def get_serializer_class(self):
        return s.ObligationSerializer

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        request=s.MeetSerializer,
        responses={200: s.ObligationSerializer, 409: _refused()},
        summary=gettext_lazy("登记落实情况"),
    )
    @action(detail=True, methods=["post"])
    def meet(self, request, pk=None):
        obligation = self.get_object()
        self.check_edit_permission(obligation)
        data = self._input(s.MeetSerializer)
        services.obligation_meet(actor=request.user, obligation=obligation, **data)
        return self.respond_with(self.read_back(obligation))

    @extend_schema(
        request=s.WaiveSerializer,
        responses={200: s.ObligationSerializer, 409: _refused()},
        summary=gettext_lazy("免除关怀任务（须填理由）"),
    )
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        obligation = self.get_object()
        self.check_edit_permission(obligation)
        data = self._input(s.WaiveSerializer)
        services.obligation_waive(actor=request.user, obligation=obligation, **data)
        return self.respond_with(self.read_back(obligation))


class FiguresView(AccessAPIView):
    """关怀统计: events, and obligations due in the range by outcome, by unit and by system."""

    access = access
    access_rule = "figures"

    @extend_schema(
        parameters=date_range_parameters(),
        summary=gettext_lazy("关怀统计"),
        responses={200: OpenApiResponse(description=gettext_lazy("按单位、按制度和合计"))},
    )
    def get(self, request):
        query = DateRangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = query.validated_data["range"]
        snapshot = figures.figures_of(request.user, span, business_date())
        result = snapshot.value
        return Response(
            {
                "from": span.first,
                "to": span.last,
                "as_of": snapshot.as_of,
                "totals": result.totals,
                "units": [row.as_dict() for row in result.by_unit],
                "systems": [row.as_dict() for row in result.by_system],
            }
        )
