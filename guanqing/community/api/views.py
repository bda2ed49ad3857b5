"""党员进社区 endpoints under /api/v1/community/: registrations (and the unit's roster), activities
with sign-up, check-in/out and the organiser's code, sign-ups, attendances, hours added by hand,
ratings and the figures. Reads go through `visible_to(user)`, writes through the services; a
record outside the user's scope answers 404 like a missing one."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.community import selectors, services
from guanqing.community.access import access
from guanqing.community.api import serializers as s
from guanqing.community.filters import (
    ROSTER_SHOW,
    ActivityFilter,
    AttendanceFilter,
    ManualHoursFilter,
    RatingFilter,
    RegistrationFilter,
    RosterFilter,
    SignupFilter,
)
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term
from guanqing.core.api.base import AccessAPIView, Pagination, ServiceCreateMixin
from guanqing.core.api.schema import UNIT_NOT_FOUND
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRangeQuery, date_range_parameters
from guanqing.registry.api.params import unit_param


class TableView(AccessAPIView):
    access = access


def _term_param(request) -> Term:
    raw = request.query_params.get("term", "").strip()
    if not raw:
        return Term.of(business_date())
    try:
        return Term.parse(raw)
    except ValueError:
        raise exceptions.ValidationError(
            {"term": [s.TermField.default_error_messages["term"]]}
        ) from None


# ---------------------------------------------------------------------------------------------
# Registrations
# ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("进社区报到")),
    retrieve=extend_schema(summary=gettext_lazy("报到详情")),
    create=extend_schema(
        summary=gettext_lazy("进社区报到（党员本人，在居住社区）"),
        request=s.RegistrationSubmitSerializer,
        responses={201: s.RegistrationSerializer},
    ),
)
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """进社区报到 A member's registration at its home community for a half-year in one of the
    六员 roles; the community worker confirms or rejects it."""

    model = Registration
    serializer_class = s.RegistrationSerializer
    filterset_class = RegistrationFilter
    select_related = ("member__unit", "community", "decided_by")
    ordering_fields = ["year", "half", "status", "created_at"]
    ordering = ["-year", "-half", "-id"]
    access = access
    access_rule = "use"
    create_rule = "member"

    def get_serializer_class(self):
        if self.action == "create":
            return s.RegistrationSubmitSerializer
        return s.RegistrationSerializer

    def service_create(self, data):
        return services.registration_submit(
            actor=self.request.user,
            role=data.get("role") or None,
            term=data.get("term"),
            note=data.get("note", ""),
        )

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, serializer_class or s.RegistrationSerializer)

    @extend_schema(
        request=None,
        responses={200: s.RegistrationSerializer},
        summary=gettext_lazy("确认报到（本社区工作者）"),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        registration = self.get_object()
        self.check_edit_permission(registration)
        services.registration_confirm(actor=request.user, registration=registration)
        return self.respond_with(self.read_back(registration))

    @extend_schema(
        request=s.CommunityReasonSerializer,
        responses={200: s.RegistrationSerializer},
        summary=gettext_lazy("不通过（本社区工作者，须说明原因）"),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        registration = self.get_object()
        self.check_edit_permission(registration)
        serializer = s.CommunityReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.registration_reject(
            actor=request.user, registration=registration, **serializer.validated_data
        )
        return self.respond_with(self.read_back(registration))


class RosterView(TableView):
    """单位党员进社区情况 The unit's active members in a half-year: where they registered (or that
    they have not: `missing=true`), their hours and the community's rating (双评价)."""

    access_rule = "roster"
    serializer_class = s.RosterSerializer
    pagination_class = Pagination  # the answer is a page ({count, next, previous, results})

    @extend_schema(
        summary=gettext_lazy("单位党员报到、时长与评价"),
        description=(
            gettext_lazy(
                "单位管理员看本单位，机关工委看全部或某单位（unit）。missing=true 只列本半年未确认报到的党员。时长按本半年开始的活动计，签到时长与补录时长分列。"
            )
        ),
        parameters=[
            OpenApiParameter("term", OpenApiTypes.STR, description=s.TERM_HELP),
            OpenApiParameter("unit", OpenApiTypes.INT, description=gettext_lazy("单位编号")),
            OpenApiParameter("missing", OpenApiTypes.BOOL, description=gettext_lazy("只看未报到")),
            OpenApiParameter(
                "show",
                OpenApiTypes.STR,
                enum=[value for value, _label in ROSTER_SHOW],
                description=gettext_lazy(
                    "missing：未报到（未报或未通过）；pending：待确认；confirmed：已确认"
                ),
            ),
            OpenApiParameter("q", OpenApiTypes.STR, description=gettext_lazy("姓名（部分）")),
        ],
        responses={200: s.RosterSerializer(many=True), 404: UNIT_NOT_FOUND},
    )
    def get(self, request):
        term = _term_param(request)
        unit = unit_param(request)
        rows = selectors.roster(request.user, term)
        if unit is not None:
            rows = rows.filter(unit_id=unit.pk)
        filterset = RosterFilter(request.query_params, queryset=rows, request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        rows = filterset.qs
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.RosterSerializer(page, many=True).data)


# ---------------------------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("社区活动")),
    retrieve=extend_schema(summary=gettext_lazy("活动详情")),
    create=extend_schema(summary=gettext_lazy("发布活动（社区工作者）")),
)
class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """社区活动 Activities a community posts; members sign up, check in and out with the code the
    organiser shows. A member finds the published activities of every community."""

    model = Activity
    serializer_class = s.ActivitySerializer
    filterset_class = ActivityFilter
    select_related = ("community",)
    ordering_fields = ["starts_at", "ends_at", "created_at", "places"]
    ordering = ["-starts_at", "-id"]
    access = access
    access_rule = "use"
    create_rule = "worker"

    def service_create(self, data):
        return services.activity_create(actor=self.request.user, **data)

    def _code_body(self, request):
        serializer = s.CheckInCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["code"]

    @extend_schema(
        request=s.CommunityReasonSerializer,
        responses={200: s.ActivitySerializer},
        summary=gettext_lazy("取消活动（本社区工作者）"),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        activity = self.get_object()
        self.check_edit_permission(activity)
        serializer = s.CommunityReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.activity_cancel(actor=request.user, activity=activity, **serializer.validated_data)
        return self.respond_with(self.read_back(activity))

    @extend_schema(
        request=None,
        responses={
            201: s.SignupSerializer,
            409: OpenApiResponse(description=gettext_lazy("名额已满")),
        },
        summary=gettext_lazy("报名参加（党员）"),
    )
    @action(detail=True, methods=["post"])
    def signup(self, request, pk=None):
        activity = self.get_object()
        signup = services.activity_signup(actor=request.user, activity=activity)
        return self.respond_with(signup, status.HTTP_201_CREATED, s.SignupSerializer)

    @extend_schema(
        request=None,
        responses={200: s.SignupSerializer},
        summary=gettext_lazy("取消报名（党员，活动开始前）"),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        activity = self.get_object()
        signup = services.signup_cancel(actor=request.user, activity=activity)
        return self.respond_with(signup, serializer_class=s.SignupSerializer)

    @extend_schema(
        request=s.CheckInCodeSerializer,
        responses={201: s.AttendanceSerializer},
        summary=gettext_lazy("签到（党员，凭签到码）"),
    )
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, pk=None):
        activity = self.get_object()
        code = self._code_body(request)
        attendance = services.attendance_check_in(actor=request.user, activity=activity, code=code)
        return self.respond_with(attendance, status.HTTP_201_CREATED, s.AttendanceSerializer)

    @extend_schema(
        request=s.CheckInCodeSerializer,
        responses={200: s.AttendanceSerializer},
        summary=gettext_lazy("签退（党员，凭签到码）"),
    )
    @action(detail=True, methods=["post"], url_path="check-out", url_name="check-out")
    def check_out(self, request, pk=None):
        activity = self.get_object()
        code = self._code_body(request)
        attendance = services.attendance_check_out(actor=request.user, activity=activity, code=code)
        return self.respond_with(attendance, serializer_class=s.AttendanceSerializer)

    @extend_schema(
        request=None,
        responses={200: s.ActivityCodeSerializer},
        summary=gettext_lazy("当前签到码（本社区工作者出示）"),
        description=(
            gettext_lazy(
                "6 位数字，每 5 分钟更换，活动开始前 30 分钟至结束后 30 分钟内有效；qr 为二维码内容。"
            )
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def code(self, request, pk=None):
        activity = self.get_object()
        self.check_edit_permission(activity)
        shown = services.activity_code(actor=request.user, activity=activity)
        return Response(s.ActivityCodeSerializer(shown).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("活动报名")),
    retrieve=extend_schema(summary=gettext_lazy("报名详情")),
)
class SignupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """活动报名 Sign-ups (signing up and giving a place back are actions of the activity)."""

    model = ActivitySignup
    serializer_class = s.SignupSerializer
    filterset_class = SignupFilter
    select_related = ("activity", "member")
    ordering_fields = ["signed_up_at"]
    ordering = ["activity_id", "signed_up_at", "id"]
    access = access
    access_rule = "use"


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("签到记录")),
    retrieve=extend_schema(summary=gettext_lazy("签到详情")),
)
class AttendanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """签到记录 Check-ins and check-outs with the check-in hours they earned."""

    model = Attendance
    serializer_class = s.AttendanceSerializer
    filterset_class = AttendanceFilter
    select_related = ("activity", "member")
    ordering_fields = ["checked_in_at", "hours"]
    ordering = ["activity_id", "checked_in_at", "id"]
    access = access
    access_rule = "use"


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("补录时长")),
    retrieve=extend_schema(summary=gettext_lazy("补录详情")),
    create=extend_schema(
        summary=gettext_lazy("补录时长（本社区工作者）"),
        description=(
            gettext_lazy("须说明原因；该党员在此活动的签到时长与补录时长之和不得超过活动时长。")
        ),
    ),
)
class ManualHoursViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """补录时长 Hours a worker added by hand, kept apart from check-in hours: who, why, when."""

    model = ManualHours
    serializer_class = s.ManualHoursSerializer
    filterset_class = ManualHoursFilter
    select_related = ("activity", "member", "added_by")
    ordering_fields = ["added_at", "hours"]
    ordering = ["activity_id", "added_at", "id"]
    access = access
    access_rule = "use"
    create_rule = "worker"

    def service_create(self, data):
        return services.hours_add(
            actor=self.request.user,
            activity=data["activity"],
            member=data["member_id"],
            hours=data["hours"],
            reason=data.get("reason", ""),
        )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("社区评价")),
    retrieve=extend_schema(summary=gettext_lazy("评价详情")),
    create=extend_schema(
        summary=gettext_lazy("评价报到党员（本社区工作者；已有则修改）"),
        responses={201: s.RatingSerializer, 200: s.RatingSerializer},
    ),
)
class RatingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """社区评价（双评价）Each half-year the community rates the members confirmed with it; the
    rating goes back to the member's unit, and the member sees its own."""

    model = Rating
    serializer_class = s.RatingSerializer
    filterset_class = RatingFilter
    select_related = ("member__unit", "community", "rated_by")
    ordering_fields = ["year", "half", "grade", "updated_at"]
    ordering = ["-year", "-half", "member_id", "id"]
    access = access
    access_rule = "use"
    create_rule = "worker"

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rating, created = services.rating_set(
            actor=request.user,
            member=data["member_id"],
            term=data["term_label"],
            grade=data["grade"],
            comment=data.get("comment", ""),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return self.respond_with(self.read_back(rating), code)


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


class FiguresView(TableView):
    """党员进社区数据 The figures of a date range within the user's scope."""

    access_rule = "figures"

    @extend_schema(
        summary=gettext_lazy("党员进社区数据"),
        description=(
            gettext_lazy(
                "报到数（按状态、岗位）、各半年度报到率（按单位）、活动数、签到时长与补录时长（分列）、志愿服务人次（签到次数）、评价分布。机关工委看全部，单位管理员看本单位党员，社区工作者看本社区。"
            )
        ),
        parameters=[
            *date_range_parameters(),
            OpenApiParameter("unit", OpenApiTypes.INT, description=gettext_lazy("单位编号")),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: UNIT_NOT_FOUND},
    )
    def get(self, request):
        query = DateRangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        span = query.validated_data["range"]
        unit = unit_param(request)
        figures = selectors.figures_of(request.user, span, unit).value
        return Response(_plain(figures))


def _plain(value):
    """Decimals as strings ("66.7", "12.5"), like every Decimal the API answers."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value
