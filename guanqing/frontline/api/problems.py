"""难题 endpoints under /api/v1/frontline/: the problems in the user's scope and every step of
their loop (派单, 退单, 改派, 签收, 进展, 延期, 办结, 并单, 回访, 评价码), the public catalogue of
categories and the committee's dispatch desk.

Reads go through `visible_to(user)` (outside the scope is a 404, like a missing problem), writes
through `guanqing.frontline.services`; a refused value is a 400 naming the field, a move the
lifecycle table refuses a 409. The reporter is never shown: only `reporter_masked`, to the committee
and to the unit handling the problem.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.core import sensitive
from guanqing.core.api.base import AccessAPIView, IdField, ServiceCreateMixin
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.frontline import selectors, services
from guanqing.frontline.access import access
from guanqing.frontline.choices import ProblemSource
from guanqing.frontline.filters import ProblemFilter, ProblemTiming, problem_clock
from guanqing.frontline.models import (
    Extension,
    FrontlineSettings,
    Problem,
    ProblemCategory,
    ProblemEvent,
)

# How many ids of each list the dispatch desk gives (due first); the counts are whole.
DESK_IDS = 200
# The longest `attributes` a report may carry (as JSON text).
ATTRIBUTES_MAX = 5000

# --- serializers (what the API shows) -----------------------------------------------------------


def may_see_reporter(user, problem: Problem) -> bool:
    """The committee and the unit handling the problem see the reporter, masked; nobody else."""
    role = getattr(user, "role", None)
    if role == Role.COMMITTEE:
        return True
    return (
        role == Role.UNIT_ADMIN
        and problem.unit_id is not None
        and problem.unit_id == getattr(user, "unit_id", None)
    )


def masked_reporter(problem: Problem) -> str:
    """The reporter's name's first character and the phone masked (or the e-mail's first
    character and its domain); empty when the problem has no reporter."""
    name = problem.reporter_name
    phone = problem.reporter_phone
    parts = [name[:1] + "*" if name else "", sensitive.mask(phone, 3, 4) if phone else ""]
    shown = " ".join(part for part in parts if part)
    if not shown and problem.reporter_email_encrypted:
        email = sensitive.decrypt(problem.reporter_email_encrypted)
        local, _at, domain = email.partition("@")
        shown = f"{local[:1]}***@{domain}" if domain else "***"
    return shown


class ProblemListSerializer(serializers.ModelSerializer):
    """A problem in a list: where it stands against its working-day limit."""

    # plain strings in the schema: one `state` and one `timing` enum per app would collide
    state = serializers.CharField(
        read_only=True, help_text="received | assigned | returned | handling | closed | merged"
    )
    state_display = DisplayField(source="get_state_display")
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    urgency_display = DisplayField(source="get_urgency_display")
    source_display = DisplayField(source="get_source_display")
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    timing = serializers.SerializerMethodField(
        help_text="open | due_soon | overdue | on_time | late"
    )
    timing_display = serializers.SerializerMethodField()
    remaining_workdays = serializers.SerializerMethodField(
        help_text=gettext_lazy("剩余工作日（含办结时限当天；超期为负；已办结为空）")
    )
    overdue_workdays = serializers.SerializerMethodField(
        help_text=gettext_lazy("超期工作日（办理中按今天，已办结按办结日期）")
    )
    reporter_masked = serializers.SerializerMethodField(
        help_text=gettext_lazy("反映人（打码）：只有机关工委和承办单位可见，其他为 null")
    )

    class Meta:
        model = Problem
        fields = [
            "id",
            "public_id",
            "state",
            "state_display",
            "category",
            "category_code",
            "category_name",
            "urgency",
            "urgency_display",
            "title",
            "source",
            "source_display",
            "unit",
            "unit_name",
            "received_on",
            "deadline",
            "timing",
            "timing_display",
            "remaining_workdays",
            "overdue_workdays",
            "closed_on",
            "reporter_masked",
        ]
        read_only_fields = fields

    def clock(self, obj):
        cached = getattr(obj, "_api_clock", None)
        if cached is None:
            cached = problem_clock(obj, self.context.get("today") or business_date())
            obj._api_clock = cached
        return cached

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_timing(self, obj):
        return self.clock(obj).timing

    def get_timing_display(self, obj) -> str:
        timing = self.clock(obj).timing
        return "" if timing is None else str(ProblemTiming.labels[timing])

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_remaining_workdays(self, obj):
        return self.clock(obj).remaining_workdays

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_overdue_workdays(self, obj):
        return self.clock(obj).overdue_workdays

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reporter_masked(self, obj):
        request = self.context.get("request")
        if not may_see_reporter(getattr(request, "user", None), obj):
            return None
        return masked_reporter(obj)


class ProblemEventSerializer(serializers.ModelSerializer):
    # plain strings in the schema: the states are the problem's `state` values (one enum)
    kind = serializers.CharField(read_only=True)
    kind_display = DisplayField(source="get_kind_display")
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    actor_name = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)

    class Meta:
        model = ProblemEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "on",
            "actor_name",
            "unit",
            "unit_name",
            "from_state",
            "to_state",
            "note",
            "public",
            "at",
        ]
        read_only_fields = fields

    def get_actor_name(self, obj) -> str:
        return "" if obj.actor_id is None else str(obj.actor)


class ExtensionSerializer(serializers.ModelSerializer):
    decision = serializers.CharField(
        read_only=True, help_text=gettext_lazy("approved | refused；空为待审批")
    )
    decision_display = DisplayField(source="get_decision_display")

    class Meta:
        model = Extension
        fields = [
            "workdays",
            "reason",
            "requested_on",
            "decision",
            "decision_display",
            "decision_note",
            "decided_on",
        ]
        read_only_fields = fields


class ProblemSerializer(ProblemListSerializer):
    """A problem with its timeline, its extension and the problems merged into it."""

    division_name = serializers.CharField(source="division.name", read_only=True, default=None)
    master_public_id = serializers.CharField(
        source="master.public_id", read_only=True, default=None
    )
    merged = serializers.SerializerMethodField(help_text=gettext_lazy("并入本件的难题（编号）"))
    merged_public_ids = serializers.SerializerMethodField()
    extension = serializers.SerializerMethodField()
    satisfaction = serializers.CharField(
        read_only=True, help_text=gettext_lazy("satisfied | basic | dissatisfied；空为未评价")
    )
    timeline = serializers.SerializerMethodField()
    # a link, or empty when none was given (not a URI then)
    media_url = serializers.CharField(read_only=True)

    class Meta(ProblemListSerializer.Meta):
        fields = [
            *ProblemListSerializer.Meta.fields,
            "description",
            "division",
            "division_name",
            "address",
            "lat",
            "long",
            "media_url",
            "attributes",
            "outreach",
            "assigned_on",
            "master",
            "master_public_id",
            "merged",
            "merged_public_ids",
            "extension",
            "answer",
            "callback_on",
            "callback_note",
            "satisfaction",
            "rated_on",
            "reopened_on",
            "urged_on",
            "noticed_on",
            "timeline",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _merged(self, obj):
        rows = getattr(obj, "merged_in_scope", None)
        if rows is None:
            user = getattr(self.context.get("request"), "user", None)
            rows = list(Problem.objects.visible_to(user).filter(master=obj).order_by("pk"))
        return rows

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_merged(self, obj):
        return [row.pk for row in self._merged(obj)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_merged_public_ids(self, obj):
        return [row.public_id for row in self._merged(obj)]

    @extend_schema_field(ExtensionSerializer(allow_null=True))
    def get_extension(self, obj):
        try:
            extension = obj.extension
        except Extension.DoesNotExist:
            return None
        return ExtensionSerializer(extension).data

    @extend_schema_field(ProblemEventSerializer(many=True))
    def get_timeline(self, obj):
        events = getattr(obj, "timeline_events", None)
        if events is None:
            events = selectors.problem_timeline(obj)
        return ProblemEventSerializer(events, many=True).data


class ProblemAnsweredSerializer(ProblemSerializer):
    """The problem after 办结, with each reporter's one-time rating code (shown this once)."""

    rating_codes = serializers.SerializerMethodField(
        help_text=gettext_lazy("各反映人的评价码 {编号: 评价码}（仅此一次显示）")
    )

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "rating_codes"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_rating_codes(self, obj):
        return self.context.get("rating_codes") or {}


class CategorySerializer(serializers.ModelSerializer):
    urgency_display = DisplayField(source="get_urgency_display")
    limit_workdays = serializers.SerializerMethodField(
        help_text=gettext_lazy("办结时限（工作日；0 为当天）")
    )

    class Meta:
        model = ProblemCategory
        fields = [
            "id",
            "code",
            "name",
            "group",
            "description",
            "urgency",
            "urgency_display",
            "limit_workdays",
            "attributes",
        ]
        read_only_fields = fields

    def get_limit_workdays(self, obj) -> int:
        config = self.context.get("frontline_settings") or FrontlineSettings.current()
        return config.limit_workdays(obj.urgency)


# --- serializers (what the API takes: shapes only, the services decide) -------------------------


def _text(help_text, *, required=True, max_length=LONG_TEXT_MAX):
    if required:
        return serializers.CharField(max_length=max_length, help_text=help_text)
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", help_text=help_text
    )


def _date(help_text):
    return serializers.DateField(required=False, allow_null=True, default=None, help_text=help_text)


class ProblemReportSerializer(serializers.Serializer):
    """受理 A problem as reported: the source follows the role (the committee a 12345/81890
    hand-over, the window clerk a window hand-over, a unit administrator one collected on its
    unit's outreach visit, which it names)."""

    category = IdField(help_text=gettext_lazy("难题类别（在用）"))
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=LONG_TEXT_MAX)
    division = IdField(required=False, allow_null=True, default=None)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    long = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    media_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)
    reporter_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    reporter_phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    reporter_email = serializers.CharField(
        max_length=254, required=False, allow_blank=True, default=""
    )
    outreach = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("收集难题的走访（单位党务管理员必填）"),
    )
    received_on = _date(gettext_lazy("受理日期；不填为今天"))

    def validate_attributes(self, value):
        """What the database can keep: no NUL character, within a few thousand characters."""
        stored = json.dumps(value, ensure_ascii=False)
        if "\\u0000" in stored or len(stored) > ATTRIBUTES_MAX:
            raise serializers.ValidationError(_("附加信息格式不正确"))
        return value


class UnitInputSerializer(serializers.Serializer):
    unit = IdField(help_text=gettext_lazy("承办单位"))
    note = _text(gettext_lazy("说明"), required=False)


class DispatchSerializer(UnitInputSerializer):
    unit = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("承办单位；不填按派单目录"),
    )


class ReturnSerializer(serializers.Serializer):
    reason = _text(gettext_lazy("退单理由"))


class ProgressSerializer(serializers.Serializer):
    note = _text(gettext_lazy("办理进展"))
    public = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("是否向反映人公开")
    )


class ExtensionRequestSerializer(serializers.Serializer):
    workdays = serializers.IntegerField(
        min_value=1, max_value=1000, help_text=gettext_lazy("延期的工作日数")
    )
    reason = _text(gettext_lazy("延期理由"))


class ExtensionDecisionSerializer(serializers.Serializer):
    approved = serializers.BooleanField(help_text=gettext_lazy("是否同意延期"))
    note = _text(gettext_lazy("审批意见（不同意时必填）"), required=False)


class AnswerSerializer(serializers.Serializer):
    answer = _text(gettext_lazy("答复意见"))
    date = _date(gettext_lazy("办结日期；不填为今天"))


class MergeSerializer(serializers.Serializer):
    into = IdField(help_text=gettext_lazy("主单"))
    note = _text(gettext_lazy("说明"), required=False)


class CallbackSerializer(serializers.Serializer):
    note = _text(gettext_lazy("回访情况"))
    date = _date(gettext_lazy("回访日期；不填为今天"))


class RatingCodeSerializer(serializers.Serializer):
    public_id = serializers.CharField()
    code = serializers.CharField(help_text=gettext_lazy("评价码（仅此一次显示）"))


class DeskListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy("难题编号（办结时限近的在前，至多 200 个）"),
    )


class DeskSerializer(serializers.Serializer):
    unassigned = DeskListSerializer(help_text=gettext_lazy("待派单"))
    returned = DeskListSerializer(help_text=gettext_lazy("已退单，待改派"))
    overdue = DeskListSerializer(help_text=gettext_lazy("已超期"))
    noticed = DeskListSerializer(help_text=gettext_lazy("已通报，未办结"))


# --- views ----------------------------------------------------------------------------------------


@contextmanager
def date_field_named_date():
    """The services name an action's date `on`; the API's field is `date`."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {
                "date" if field == "on" else field: messages
                for field, messages in exc.message_dict.items()
            }
        ) from exc


def _refused():
    return OpenApiResponse(description=gettext_lazy("难题当前状态不允许此操作 {detail: message}"))


SOURCE_BY_ROLE = {
    Role.COMMITTEE: ProblemSource.HOTLINE,
    Role.WINDOW_CLERK: ProblemSource.WINDOW,
    Role.UNIT_ADMIN: ProblemSource.OUTREACH,
}


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("难题"),
        description=gettext_lazy(
            "机关工委看全部；单位党务管理员看派给本单位的和本单位走访收集的；党员干部看自己参加的走访收集的；窗口受理员看自己转办的。承办单位的待办：?unit=<本单位>&ordering=deadline（办结时限近的在前）。反映人只以打码形式（reporter_masked）给机关工委和承办单位，从不公开。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("难题详情（含办理经过、延期和并单）")),
    create=extend_schema(
        summary=gettext_lazy("登记难题"),
        description=gettext_lazy(
            "机关工委登记 12345/81890 转办（给出走访时为走访收集），窗口受理员登记窗口转办，单位党务管理员登记本单位走访收集的难题（须给出 outreach）。"
        ),
        request=ProblemReportSerializer,
        responses={201: ProblemSerializer},
    ),
)
class ProblemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, ScopedViewSet
):
    """难题 Problems on the loop 受理 → 派单 → 办理 → 答复 → 督办 → 办结 → 回访 → 评价."""

    model = Problem
    filterset_class = ProblemFilter
    select_related = ("category", "unit")
    ordering_fields = ["deadline", "received_on", "public_id"]
    ordering = ["-received_on", "-id"]
    access = access
    access_rule = "problems"
    create_rule = "problem_report"
    action_access = {
        "dispatch_to": "dispatch",
        "send_back": "handle",
        "reassign": "dispatch",
        "accept": "handle",
        "progress": "handle",
        "extension": "handle",
        "extension_decision": "dispatch",
        "answer": "handle",
        "merge": "dispatch",
        "callback": "dispatch",
        "rating_code": "dispatch",
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.select_related("division", "master", "extension").prefetch_related(
                Prefetch(
                    "events",
                    queryset=ProblemEvent.objects.select_related("actor", "unit").order_by(
                        "on", "at", "pk"
                    ),
                    to_attr="timeline_events",
                ),
                Prefetch(
                    "merged",
                    queryset=Problem.objects.visible_to(self.request.user).order_by("pk"),
                    to_attr="merged_in_scope",
                ),
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return ProblemReportSerializer
        if self.action == "list":
            return ProblemListSerializer
        return ProblemSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = business_date()
        return context

    def respond_with(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        return super().respond_with(obj, status_code, serializer_class or ProblemSerializer)

    def service_create(self, data):
        user = self.request.user
        source = SOURCE_BY_ROLE.get(user.role)
        if data.get("outreach") is not None:
            source = ProblemSource.OUTREACH
        return services.problem_report(actor=user, source=source, **data)

    # --- the loop -------------------------------------------------------------------------------

    def _problem(self) -> Problem:
        """The problem through the scope (404 outside it); 403 if seen but not the user's to
        change."""
        problem = self.get_object()
        self.check_edit_permission(problem)
        return problem

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "date" in data:
            data["on"] = data.pop("date")
        return data

    def _move(self, service, serializer_class=None, **extra):
        problem = self._problem()
        data = self._input(serializer_class) if serializer_class is not None else {}
        with date_field_named_date():
            service(actor=self.request.user, problem=problem, **data, **extra)
        return self.respond_with(self.read_back(problem))

    @extend_schema(
        request=DispatchSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("派单（机关工委；不填承办单位按派单目录）"),
    )
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_to(self, request, pk=None):
        problem = self._problem()
        data = self._input(DispatchSerializer)
        unit = data.pop("unit")
        if unit is None:
            unit = services.default_unit(problem)
        services.problem_dispatch(actor=request.user, problem=problem, unit=unit, **data)
        return self.respond_with(self.read_back(problem))

    @extend_schema(
        request=ReturnSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("退单（承办单位，写明理由）"),
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request, pk=None):
        return self._move(services.problem_return, ReturnSerializer)

    @extend_schema(
        request=UnitInputSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("改派（机关工委，退单后）"),
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        return self._move(services.problem_reassign, UnitInputSerializer)

    @extend_schema(
        request=None,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("签收（承办单位）"),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move(services.problem_accept)

    @extend_schema(
        request=ProgressSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("记录办理进展（承办单位；可向反映人公开）"),
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        return self._move(services.problem_progress, ProgressSerializer)

    @extend_schema(
        request=ExtensionRequestSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("申请延期（承办单位；每件一次）"),
    )
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        return self._move(services.extension_request, ExtensionRequestSerializer)

    @extend_schema(
        request=ExtensionDecisionSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("审批延期（机关工委；同意则办结时限顺延）"),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="extension-decision",
        url_name="extension-decision",
    )
    def extension_decision(self, request, pk=None):
        return self._move(services.extension_decide, ExtensionDecisionSerializer)

    @extend_schema(
        request=AnswerSerializer,
        responses={200: ProblemAnsweredSerializer, 409: _refused()},
        summary=gettext_lazy("办结答复（承办单位；并入的难题随之办结）"),
        description=gettext_lazy(
            "答复后每位反映人得到一个一次性评价码（rating_codes，仅此一次显示）。"
        ),
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        problem = self._problem()
        data = self._input(AnswerSerializer)
        with date_field_named_date():
            answered = services.problem_answer(actor=request.user, problem=problem, **data)
        context = self.get_serializer_context()
        context["rating_codes"] = getattr(answered, "rating_codes", {})
        return Response(ProblemAnsweredSerializer(self.read_back(problem), context=context).data)

    @extend_schema(
        request=MergeSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("并单（机关工委：本件并入主单，随主单办理）"),
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        return self._move(services.problem_merge, MergeSerializer)

    @extend_schema(
        request=CallbackSerializer,
        responses={200: ProblemSerializer, 409: _refused()},
        summary=gettext_lazy("回访（机关工委；办结后的下一个工作日起）"),
    )
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        return self._move(services.problem_callback, CallbackSerializer)

    @extend_schema(
        request=None,
        responses={201: RatingCodeSerializer, 409: _refused()},
        summary=gettext_lazy("（重新）发放反映人的评价码（机关工委；仅此一次显示）"),
        description=gettext_lazy("再次发放时，之前未用的评价码作废。"),
    )
    @action(detail=True, methods=["post"], url_path="rating-code", url_name="rating-code")
    def rating_code(self, request, pk=None):
        problem = self._problem()
        code = services.problem_rating_code(actor=request.user, problem=problem)
        return Response(
            {"public_id": problem.public_id, "code": code}, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("难题类别"),
        description=gettext_lazy(
            "在用的难题类别及其紧急程度和办结时限（工作日）；code 即 Open311 的 service_code。"
        ),
    ),
)
class CategoryViewSet(mixins.ListModelMixin, ScopedViewSet):
    """难题类别 The public catalogue of problem categories."""

    model = ProblemCategory
    serializer_class = CategorySerializer
    ordering_fields = ["code", "name"]
    ordering = ["sort_order", "code"]
    access = access
    access_rule = "problems"

    def get_queryset(self):
        return super().get_queryset().filter(is_active=True)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["frontline_settings"] = FrontlineSettings.current()
        return context


class DispatchDeskView(AccessAPIView):
    """派单台 The committee's desk: what waits on it."""

    access = access
    access_rule = "dispatch"

    @extend_schema(
        summary=gettext_lazy("派单台（机关工委）"),
        description=gettext_lazy(
            "待派单、已退单待改派、已超期（承办中或退单后超过办结时限）和已通报未办结的难题：件数和编号（办结时限近的在前，每项至多 200 个）。"
        ),
        responses={200: DeskSerializer},
    )
    def get(self, request):
        desk = selectors.dispatch_desk(business_date())
        answer = {}
        for name in ("unassigned", "returned", "overdue", "noticed"):
            rows = getattr(desk, name)
            answer[name] = {
                "count": rows.count(),
                "ids": selectors.first_ids(rows, DESK_IDS),
            }
        return Response(answer)
