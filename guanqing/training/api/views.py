"""Training endpoints under /api/v1/training/: plans (list, retrieve; the committee creates and
changes a draft, builds its list of cadres and solves it as a task, `tasks.solve_plan`), sessions (list, retrieve), participants
(list, retrieve; the unit sets leader roles, the unit or the cadre enters unavailable dates, the
cadre its preferred months), unavailable dates and preferences (list), and assignments (list,
retrieve; the committee moves or swaps).

Reads go through `visible_to(user)`: the committee sees every participant, a unit administrator
its unit's, a member itself; a record outside the scope is a 404. Writes go through
`guanqing.training.services`: a refused value is a 400 naming the field, and a move or swap that
breaks a hard rule is a 400 under `session` with the checker's words.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.core.api.base import ServiceCreateMixin, ServiceUpdateMixin
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.errors import Conflict
from guanqing.registry.models import Member
from guanqing.training import rules, selectors, services, tasks
from guanqing.training.access import access
from guanqing.training.api import filters
from guanqing.training.api import serializers as s
from guanqing.training.models import (
    Assignment,
    Participant,
    Plan,
    Preference,
    Session,
    Unavailability,
)

PLAN_INPUT = [
    "year",
    "title",
    "venue",
    "sessions_count",
    "classes_per_session",
    "days_per_session",
    "class_capacity",
    "allow_makeup_saturdays",
    "unit_share",
    "required_ranks",
    "first_date",
    "last_date",
    "time_limit_seconds",
    "weights",
]
# Changing none of these keeps the committee's session dates; changing one proposes them again.
DATES_FROM = {
    "sessions_count",
    "days_per_session",
    "allow_makeup_saturdays",
    "first_date",
    "last_date",
}


def _refused():
    return OpenApiResponse(
        description=gettext_lazy("不符合规则：{字段: [原因]}（如调整后违反的硬性规定）")
    )


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _members(user, rows, field):
    """The members a list of {member, reason} names, among those the user sees; else a 400."""
    ids = {row["member"] for row in rows}
    found = {m.pk: m for m in Member.objects.visible_to(user).filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationError({field: [_("所选党员不存在或不在您的权限范围内")]})
    return [(found[row["member"]], row["reason"]) for row in rows]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("轮训计划")),
    retrieve=extend_schema(summary=gettext_lazy("一个轮训计划")),
    create=extend_schema(
        summary=gettext_lazy("新建轮训计划（机关工委）"),
        description=gettext_lazy(
            "starts 为各期开班日期；不填则从最早开班日期起每周一期，按官方日历跳过节假日。"
        ),
        request=s.PlanWriteSerializer,
        responses={201: s.PlanSerializer, 400: _refused()},
    ),
    update=extend_schema(
        summary=gettext_lazy("修改草稿状态的轮训计划（机关工委）"),
        request=s.PlanWriteSerializer,
        responses={200: s.PlanSerializer, 400: _refused()},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改草稿状态的轮训计划的部分字段（机关工委）"),
        request=s.PlanWriteSerializer,
        responses={200: s.PlanSerializer, 400: _refused()},
    ),
)
class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """轮训计划 The year's rotations with the outcome of the last solve (`?year=`, `?state=`)."""

    model = Plan
    filterset_class = filters.PlanFilter
    ordering_fields = ["year"]
    ordering = ["-year", "-id"]
    access = access
    access_rule = "read"
    create_rule = "plan"
    action_access = {
        "update": "plan",
        "partial_update": "plan",
        "build": "plan",
        "solve": "solve",
    }

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(required=selectors.required_count(), assigned=selectors.assigned_count())
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.PlanWriteSerializer
        return s.PlanSerializer

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, s.PlanSerializer)

    def service_create(self, data):
        starts = data.pop("starts", None)
        return services.plan_save(actor=self.request.user, starts=starts, **data)

    def service_update(self, obj, data):
        starts = data.pop("starts", None)
        changed = {k for k, v in data.items() if getattr(obj, k) != v}
        if starts is None and not changed & DATES_FROM:
            # the committee's dates stay as they are
            starts = [session.start_date for session in obj.sessions.order_by("number")] or None
        if "weights" in data:
            data["weights"] = dict(data["weights"])
        return services.plan_save(actor=self.request.user, plan=obj, starts=starts, **data)

    @extend_schema(
        request=s.BuildSerializer,
        responses={200: s.BuiltSerializer, 400: _refused()},
        summary=gettext_lazy("生成参训名单（机关工委）"),
        description=gettext_lazy(
            "按须参训职级列入全部在职党员；additions 增列、exemptions 免训，均须写明理由。"
        ),
    )
    @action(detail=True, methods=["post"])
    def build(self, request, pk=None):
        plan = self.get_object()
        self.check_edit_permission(plan)
        data = _input(s.BuildSerializer, request)
        required = services.participants_build(
            actor=request.user,
            plan=plan,
            additions=_members(request.user, data.get("additions", []), "additions"),
            exemptions=_members(request.user, data.get("exemptions", []), "exemptions"),
        )
        return Response({"required": required})

    @extend_schema(
        request=None,
        responses={
            200: s.PlanSerializer,
            202: OpenApiResponse(s.PlanSerializer, description=gettext_lazy("已排入后台求解")),
            400: _refused(),
            409: OpenApiResponse(description=gettext_lazy("这个计划正在排期 {detail: message}")),
        },
        summary=gettext_lazy("排期（机关工委）"),
        description=gettext_lazy(
            "排入后台求解（202，完成后通知本人，计划的 solve_status 随之更新；已完成时 200）。在计划的求解时限内排期，保留人工调整和已出勤的安排；无解时 solve_explanation 写明原因，计划仍为草稿。"
        ),
    )
    @action(detail=True, methods=["post"])
    def solve(self, request, pk=None):
        plan = self.get_object()
        self.check_edit_permission(plan)
        rules.PLAN.check(plan.state, "solve", field="state")
        if not plan.participants.required().exists():
            raise ValidationError({"participants": [_("请先生成参训名单")]})
        if not tasks.solve_start(plan, request.user):
            raise Conflict(_("这个计划正在排期，请等本次排期结束"))
        under_way = tasks.solving(plan)
        return self.respond_with(
            self.read_back(plan), status.HTTP_202_ACCEPTED if under_way else status.HTTP_200_OK
        )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("轮训期次（?plan=）")),
    retrieve=extend_schema(summary=gettext_lazy("一个期次")),
)
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """期次 The sessions of the plans: start date, training days and how many are assigned."""

    model = Session
    filterset_class = filters.SessionFilter
    serializer_class = s.SessionSerializer
    ordering_fields = ["start_date", "number"]
    ordering = ["plan", "number"]
    access = access
    access_rule = "read"

    def get_queryset(self):
        return super().get_queryset().annotate(assigned=selectors.session_assigned_count())


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("参训干部"),
        description=gettext_lazy("机关工委看全部，单位党务管理员看本单位的，干部看本人的。"),
    ),
    retrieve=extend_schema(summary=gettext_lazy("一名参训干部")),
)
class ParticipantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """参训干部 Who must attend, with the unit at the time and the role in the unit."""

    model = Participant
    filterset_class = filters.ParticipantFilter
    serializer_class = s.ParticipantSerializer
    select_related = ("member", "unit")
    ordering_fields = ["unit"]
    ordering = ["plan", "unit", "id"]
    access = access
    access_rule = "read"
    action_access = {
        "role": "roles",
        "unavailability": "unavailability",
        "preference": "preference",
    }

    def _own(self):
        participant = self.get_object()
        self.check_edit_permission(participant)
        return participant

    @extend_schema(
        request=s.RoleSerializer,
        responses={200: s.ParticipantSerializer, 400: _refused()},
        summary=gettext_lazy("设置单位职务（机关工委、单位党务管理员）"),
    )
    @action(detail=True, methods=["post"])
    def role(self, request, pk=None):
        participant = self._own()
        data = _input(s.RoleSerializer, request)
        services.participant_set_role(actor=request.user, participant=participant, **data)
        return self.respond_with(self.read_back(participant))

    @extend_schema(
        request=s.UnavailabilityWriteSerializer,
        responses={201: s.UnavailabilitySerializer, 400: _refused()},
        summary=gettext_lazy("录入无法参训日期"),
    )
    @action(detail=True, methods=["post"])
    def unavailability(self, request, pk=None):
        participant = self._own()
        data = _input(s.UnavailabilityWriteSerializer, request)
        item = services.unavailability_add(actor=request.user, participant=participant, **data)
        return Response(s.UnavailabilitySerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PreferenceWriteSerializer,
        responses={200: s.PreferenceSerializer, 400: _refused()},
        summary=gettext_lazy("填写本人希望参训的月份"),
    )
    @action(detail=True, methods=["post"])
    def preference(self, request, pk=None):
        participant = self._own()
        data = _input(s.PreferenceWriteSerializer, request)
        item = services.preference_set(actor=request.user, participant=participant, **data)
        return Response(s.PreferenceSerializer(item).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("无法参训日期")),
    retrieve=extend_schema(summary=gettext_lazy("一条无法参训日期")),
)
class UnavailabilityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """无法参训日期 The dates the cadres the user sees cannot attend (write: participants/{id}/unavailability/)."""

    model = Unavailability
    filterset_class = filters.UnavailabilityFilter
    serializer_class = s.UnavailabilitySerializer
    ordering_fields = ["start"]
    ordering = ["participant", "start", "id"]
    access = access
    access_rule = "read"


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("参训意向")),
    retrieve=extend_schema(summary=gettext_lazy("一条参训意向")),
)
class PreferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """参训意向 The preferred months of the cadres the user sees (write: participants/{id}/preference/)."""

    model = Preference
    filterset_class = filters.PreferenceFilter
    serializer_class = s.PreferenceSerializer
    ordering = ["participant", "id"]
    access = access
    access_rule = "read"


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("参训安排"),
        description=gettext_lazy(
            "机关工委看全部，单位党务管理员看本单位的，干部看本人的。按场次（建立先后）、班次、"
            "参训人员（列入先后）排列。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("一条参训安排")),
)
class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """参训安排 Who goes to which session and class; the committee moves or swaps."""

    model = Assignment
    filterset_class = filters.AssignmentFilter
    serializer_class = s.AssignmentSerializer
    select_related = ("participant__member", "participant__unit", "session")
    ordering_fields = ["session", "class_number"]
    # by the keys, which the index on (session, class_number) serves: ordering by the session and
    # the participant themselves sorted every assignment through five joins for each page
    ordering = ["session_id", "class_number", "participant_id", "id"]
    access = access
    access_rule = "read"
    action_access = {"move": "move", "swap": "move"}

    @extend_schema(
        request=s.MoveSerializer,
        responses={200: s.AssignmentSerializer, 400: _refused()},
        summary=gettext_lazy("调整一名干部的期次和班次（机关工委）"),
        description=gettext_lazy("调整后按全部硬性规定检查整个计划，违反时返回 400 和原因。"),
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        assignment = self.get_object()
        self.check_edit_permission(assignment)
        data = _input(s.MoveSerializer, request)
        session = Session.objects.filter(
            pk=data["session"], plan_id=assignment.participant.plan_id
        ).first()
        if session is None:
            raise ValidationError({"session": [_("只能调到本计划的期次")]})
        services.assignment_move(
            actor=request.user,
            assignment=assignment,
            session=session,
            class_number=data["class_number"],
        )
        return self.respond_with(self.read_back(assignment))

    @extend_schema(
        request=s.SwapSerializer,
        responses={200: s.AssignmentSerializer(many=True), 400: _refused()},
        summary=gettext_lazy("对调两名干部的期次和班次（机关工委）"),
        description=gettext_lazy("对调后按全部硬性规定检查整个计划，违反时返回 400 和原因。"),
    )
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        first = self.get_object()
        self.check_edit_permission(first)
        data = _input(s.SwapSerializer, request)
        second = self.get_queryset().filter(pk=data["second"]).first()
        if second is None or second.pk == first.pk:
            raise ValidationError({"second": [_("请选择同一计划中另一名干部的安排")]})
        services.assignment_swap(actor=request.user, first=first, second=second)
        rows = self.get_queryset().filter(pk__in=[first.pk, second.pk]).order_by("id")
        return Response(s.AssignmentSerializer(rows, many=True).data)
