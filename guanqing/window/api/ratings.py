"""好差评 under /api/v1/window/: the ratings (a clerk's without who gave them), the rating choices
(question sets), the clerk's rating codes and kiosk ratings, the applicant's rating by code (no
account; throttled), and the 差评 follow-ups (核实 → 整改 → 回访, appeals and their decision).

Reads go through `guanqing.window.rating_selectors`, writes through
`guanqing.window.rating_services`; a move the follow-up's lifecycle refuses is a `Conflict` (409),
a refused value a 400 naming the field, a record outside the scope a 404 like a missing one.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from guanqing.core.api.base import NOT_EDITABLE, AccessAPIView, ClientAddressThrottle, IdField
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.filters import IdFilter
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.ids import parse_id
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.window import rating_selectors, rating_services
from guanqing.window.access import access
from guanqing.window.api.views import date_field_named_date
from guanqing.window.choices import (
    AppealDecision,
    FeedbackMethod,
    FollowUpState,
    RatingChannel,
    RatingLevel,
    RatingRound,
)
from guanqing.window.models import Case, FollowUp, QuestionSet, Rating, RatingInvite

LEVELS = [level for level, _label in sorted(RatingLevel.choices, reverse=True)]
HIDDEN_FROM_CLERK = gettext_lazy("窗口受理员看不到评价人：为 null")


def identified(request) -> bool:
    """Whether the user may see who gave a rating (the applicant, the case, the exact day)."""
    return access.allows(request.user, "ratings_identified")


# ---------------------------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------------------------


class WindowRatingOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    level = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)


class WindowQuestionSetSerializer(serializers.ModelSerializer):
    """A version of the rating choices: the options offered for each level."""

    options = serializers.SerializerMethodField()

    class Meta:
        model = QuestionSet
        fields = ["id", "number", "note", "published_at", "options"]
        read_only_fields = fields

    @extend_schema_field(WindowRatingOptionSerializer(many=True))
    def get_options(self, obj):
        chosen = rating_selectors.option_choices(obj)
        return [
            WindowRatingOptionSerializer(option).data
            for level in LEVELS
            for option in chosen.get(level, [])
        ]


def _options_field(level: int):
    label = RatingLevel(level).label
    return serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False),
        max_length=50,
        help_text=format_lazy(
            gettext_lazy("“{label}”的选项（每项不超过 40 字，至多 12 项）"), label=label
        ),
    )


class WindowQuestionSetPublishSerializer(serializers.Serializer):
    """A new version of the rating choices: every level's options, in the order shown."""

    options_5 = _options_field(5)
    options_4 = _options_field(4)
    options_3 = _options_field(3)
    options_2 = _options_field(2)
    options_1 = _options_field(1)
    note = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("修订说明"),
    )


class WindowRatingSerializer(serializers.ModelSerializer):
    """A rating. For a window clerk the applicant stays anonymous: `case`, `receipt_no`,
    `applicant_name` and `rated_on` are null, `month` alone says when."""

    case = serializers.SerializerMethodField(help_text=HIDDEN_FROM_CLERK)
    receipt_no = serializers.SerializerMethodField(help_text=HIDDEN_FROM_CLERK)
    applicant_name = serializers.SerializerMethodField(help_text=HIDDEN_FROM_CLERK)
    rated_on = serializers.SerializerMethodField(help_text=HIDDEN_FROM_CLERK)
    month = serializers.SerializerMethodField(help_text=gettext_lazy("评价月份（YYYY-MM）"))
    window = serializers.IntegerField(source="case.window_id", read_only=True)
    window_name = serializers.CharField(source="case.window.name", read_only=True)
    unit = serializers.IntegerField(source="case.window.unit_id", read_only=True)
    unit_name = serializers.CharField(source="case.window.unit.name", read_only=True)
    matter = serializers.CharField(source="case.version.matter.code", read_only=True)
    matter_name = serializers.CharField(source="case.version.matter.name", read_only=True)
    clerk_name = serializers.SerializerMethodField(help_text=gettext_lazy("办件受理人"))
    round_display = DisplayField(source="get_round_display")
    level = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("5 非常满意 … 1 非常不满意")
    )
    level_display = DisplayField(source="get_level_display")
    channel_display = DisplayField(source="get_channel_display")
    is_bad = serializers.BooleanField(read_only=True, help_text=gettext_lazy("是否差评"))
    options = serializers.SerializerMethodField(help_text=gettext_lazy("所选的评价选项"))
    counted = serializers.SerializerMethodField(
        help_text=gettext_lazy("是否计入统计（办件评价，申诉成立的除外）")
    )
    follow_up = serializers.SerializerMethodField(
        help_text=gettext_lazy("差评整改编号；受理员看不到（null）")
    )
    follow_up_state = serializers.SerializerMethodField(
        help_text=gettext_lazy("差评整改状态；受理员看不到（null）")
    )

    class Meta:
        model = Rating
        fields = [
            "id",
            "case",
            "receipt_no",
            "applicant_name",
            "rated_on",
            "month",
            "window",
            "window_name",
            "unit",
            "unit_name",
            "matter",
            "matter_name",
            "clerk_name",
            "round",
            "round_display",
            "level",
            "level_display",
            "is_bad",
            "channel",
            "channel_display",
            "options",
            "comment",
            "counted",
            "follow_up",
            "follow_up_state",
        ]
        read_only_fields = fields

    def _identified(self) -> bool:
        return bool(self.context.get("identified"))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_case(self, obj):
        return obj.case_id if self._identified() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_receipt_no(self, obj):
        return obj.case.receipt_no if self._identified() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_applicant_name(self, obj):
        return obj.case.applicant_name if self._identified() else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_rated_on(self, obj):
        return obj.rated_on.isoformat() if self._identified() else None

    def get_month(self, obj) -> str:
        return obj.rated_on.strftime("%Y-%m")

    def get_clerk_name(self, obj) -> str:
        return str(obj.case.handled_by)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_options(self, obj):
        return [option.text for option in obj.options.all()]

    def _follow_up(self, obj):
        try:
            return obj.follow_up
        except FollowUp.DoesNotExist:
            return None

    def get_counted(self, obj) -> bool:
        follow_up = self._follow_up(obj)
        excluded = follow_up is not None and follow_up.state == FollowUpState.EXCLUDED
        return obj.round == RatingRound.CASE and not excluded

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_follow_up(self, obj):
        follow_up = self._follow_up(obj)
        return follow_up.pk if follow_up is not None and self._identified() else None

    @extend_schema_field(serializers.ChoiceField(choices=FollowUpState.choices, allow_null=True))
    def get_follow_up_state(self, obj):
        follow_up = self._follow_up(obj)
        return follow_up.state if follow_up is not None and self._identified() else None


class WindowRatingCodeSerializer(serializers.Serializer):
    """A one-time rating code: shown this once (only its hash is kept)."""

    code = serializers.CharField(help_text=gettext_lazy("评价码（仅此一次显示）"))
    url = serializers.CharField(help_text=gettext_lazy("评价页面地址（可做成二维码）"))
    expires_on = serializers.DateField(help_text=gettext_lazy("有效期至"))


class WindowRatingInputSerializer(serializers.Serializer):
    level = serializers.IntegerField(
        min_value=1, max_value=5, help_text=gettext_lazy("5 非常满意 … 1 非常不满意")
    )
    options = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        max_length=50,
        help_text=gettext_lazy("所选的评价选项（该等级的选项编号）"),
    )
    comment = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("意见建议"),
    )


class WindowCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=200, help_text=gettext_lazy("评价码"))


class WindowPublicRatingSerializer(WindowCodeSerializer, WindowRatingInputSerializer):
    pass


class WindowThanksSerializer(serializers.Serializer):
    detail = serializers.CharField()


class WindowLevelChoicesSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    label = serializers.CharField()
    options = WindowRatingOptionSerializer(many=True)


class WindowRatingLookupSerializer(serializers.Serializer):
    """What the applicant rates: the matter, the kind of rating, the levels and their options."""

    matter = serializers.CharField(help_text=gettext_lazy("办理项名称"))
    round = serializers.ChoiceField(choices=RatingRound.choices)
    round_display = serializers.CharField()
    expires_on = serializers.DateField(help_text=gettext_lazy("评价码有效期至"))
    levels = WindowLevelChoicesSerializer(many=True)


# --- follow-ups ------------------------------------------------------------------------------


class WindowAppealSerializer(serializers.Serializer):
    reason = serializers.CharField(read_only=True)
    filed_on = serializers.DateField(read_only=True)
    decision = serializers.ChoiceField(
        choices=AppealDecision.choices,
        allow_blank=True,
        read_only=True,
        help_text=gettext_lazy("裁定结果；空为待裁定"),
    )
    decision_display = DisplayField(source="get_decision_display")
    decision_note = serializers.CharField(read_only=True)
    decided_on = serializers.DateField(read_only=True, allow_null=True)


class WindowFixRatingSerializer(serializers.Serializer):
    level = serializers.IntegerField(read_only=True)
    level_display = DisplayField(source="get_level_display")
    channel = serializers.ChoiceField(choices=RatingChannel.choices, read_only=True)
    rated_on = serializers.DateField(read_only=True)


class WindowFollowUpSerializer(serializers.ModelSerializer):
    """A 差评 and what the unit did about it (核实, 整改, 回访), with the appeal if there was one and
    the applicant's rating of the fix."""

    # a plain string in the schema: the values are `follow_up_state`'s (one enum, not two)
    state = serializers.CharField(
        read_only=True,
        help_text="verify | appealed | rectify | feedback | awaiting | closed | excluded",
    )
    state_display = DisplayField(source="get_state_display")
    case = serializers.IntegerField(source="rating.case_id", read_only=True)
    receipt_no = serializers.CharField(source="rating.case.receipt_no", read_only=True)
    applicant_name = serializers.CharField(source="rating.case.applicant_name", read_only=True)
    applicant_phone = serializers.CharField(
        source="rating.case.applicant_phone", read_only=True, help_text=gettext_lazy("回访电话")
    )
    window = serializers.IntegerField(source="rating.case.window_id", read_only=True)
    window_name = serializers.CharField(source="rating.case.window.name", read_only=True)
    unit = serializers.IntegerField(source="rating.case.window.unit_id", read_only=True)
    unit_name = serializers.CharField(source="rating.case.window.unit.name", read_only=True)
    matter_name = serializers.CharField(source="rating.case.version.matter.name", read_only=True)
    clerk_name = serializers.SerializerMethodField()
    level = serializers.IntegerField(source="rating.level", read_only=True)
    level_display = DisplayField(source="rating.get_level_display")
    options = serializers.SerializerMethodField()
    comment = serializers.CharField(source="rating.comment", read_only=True)
    rated_on = serializers.DateField(source="rating.rated_on", read_only=True)
    overdue = serializers.SerializerMethodField(
        help_text=gettext_lazy("待核实或整改中且已过整改期限")
    )
    feedback_method = serializers.CharField(
        read_only=True, help_text=gettext_lazy("回访方式（见 feed-back 的 method）；未回访为空")
    )
    appeal = serializers.SerializerMethodField()
    fix_rating = serializers.SerializerMethodField(help_text=gettext_lazy("整改评价（复评）"))

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "state",
            "state_display",
            "case",
            "receipt_no",
            "applicant_name",
            "applicant_phone",
            "window",
            "window_name",
            "unit",
            "unit_name",
            "matter_name",
            "clerk_name",
            "level",
            "level_display",
            "options",
            "comment",
            "rated_on",
            "opened_on",
            "rectify_due",
            "overdue",
            "finding",
            "verified_on",
            "measures",
            "rectified_on",
            "feedback_method",
            "feedback_note",
            "fed_back_on",
            "closed_on",
            "appeal",
            "fix_rating",
        ]
        read_only_fields = fields

    def get_clerk_name(self, obj) -> str:
        return str(obj.rating.case.handled_by)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_options(self, obj):
        return [option.text for option in obj.rating.options.all()]

    def get_overdue(self, obj) -> bool:
        today = self.context.get("today") or business_date()
        due = obj.rectify_due
        return (
            obj.state in (FollowUpState.VERIFY, FollowUpState.RECTIFY)
            and due is not None
            and due < today
        )

    @extend_schema_field(WindowAppealSerializer(allow_null=True))
    def get_appeal(self, obj):
        try:
            appeal = obj.appeal
        except FollowUp.appeal.RelatedObjectDoesNotExist:
            return None
        return WindowAppealSerializer(appeal).data

    @extend_schema_field(WindowFixRatingSerializer(allow_null=True))
    def get_fix_rating(self, obj):
        fixes = getattr(obj.rating.case, "fix_ratings", None)
        if fixes is None:
            fixes = list(obj.rating.case.ratings.filter(round=RatingRound.FIX))
        return WindowFixRatingSerializer(fixes[0]).data if fixes else None


class WindowFollowUpFedBackSerializer(WindowFollowUpSerializer):
    """The follow-up after the 回访; without the applicant's rating there and then, the round-2
    rating code (shown this once)."""

    code = serializers.SerializerMethodField(help_text=gettext_lazy("整改评价码（仅此一次显示）"))
    url = serializers.SerializerMethodField(help_text=gettext_lazy("整改评价页面地址"))
    code_expires_on = serializers.SerializerMethodField()

    class Meta(WindowFollowUpSerializer.Meta):
        fields = [*WindowFollowUpSerializer.Meta.fields, "code", "url", "code_expires_on"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_code(self, obj):
        return self.context.get("code")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_url(self, obj):
        return self.context.get("url")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_code_expires_on(self, obj):
        expires_on = self.context.get("expires_on")
        return expires_on.isoformat() if expires_on else None


def _date_field():
    return serializers.DateField(
        required=False, default=None, allow_null=True, help_text=gettext_lazy("日期；不填为今天")
    )


class WindowVerifySerializer(serializers.Serializer):
    date = _date_field()
    finding = serializers.CharField(max_length=LONG_TEXT_MAX, help_text=gettext_lazy("核实情况"))


class WindowAppealInputSerializer(serializers.Serializer):
    date = _date_field()
    reason = serializers.CharField(max_length=LONG_TEXT_MAX, help_text=gettext_lazy("申诉理由"))


class WindowRectifySerializer(serializers.Serializer):
    date = _date_field()
    measures = serializers.CharField(max_length=LONG_TEXT_MAX, help_text=gettext_lazy("整改措施"))


class WindowFeedBackSerializer(serializers.Serializer):
    date = _date_field()
    method = serializers.ChoiceField(
        choices=FeedbackMethod.choices, help_text=gettext_lazy("回访方式")
    )
    note = serializers.CharField(max_length=LONG_TEXT_MAX, help_text=gettext_lazy("回访情况"))
    level = serializers.IntegerField(
        min_value=1,
        max_value=5,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("申请人回访时当场给出的整改评价；不填则发给申请人整改评价码"),
    )
    options = serializers.ListField(child=IdField(), required=False, default=list, max_length=50)


class WindowDecideSerializer(serializers.Serializer):
    date = _date_field()
    upheld = serializers.BooleanField(help_text=gettext_lazy("申诉是否成立"))
    note = serializers.CharField(max_length=LONG_TEXT_MAX, help_text=gettext_lazy("裁定意见"))


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


class RatingFilter(django_filters.FilterSet):
    rated_from = django_filters.DateFilter(method="by_from", label=gettext_lazy("评价日期从"))
    rated_to = django_filters.DateFilter(method="by_to", label=gettext_lazy("评价日期至"))
    window = IdFilter(field_name="case__window_id", label=gettext_lazy("窗口"))
    unit = IdFilter(field_name="case__window__unit_id", label=gettext_lazy("单位"))
    level = django_filters.TypedChoiceFilter(
        choices=RatingLevel.choices, coerce=int, label=gettext_lazy("评价等级")
    )
    round = django_filters.TypedChoiceFilter(
        choices=RatingRound.choices, coerce=int, label=gettext_lazy("评价类型")
    )

    class Meta:
        model = Rating
        fields = ["rated_from", "rated_to", "window", "unit", "level", "round"]

    def _by_month(self) -> bool:
        """A clerk filters by whole months: a day's range would tell who rated."""
        return not identified(self.request)

    def by_from(self, queryset, name, value):
        if self._by_month():
            value = value.replace(day=1)
        return queryset.filter(rated_on__gte=value)

    def by_to(self, queryset, name, value):
        if self._by_month():
            following = (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return queryset.filter(rated_on__lt=following)
        return queryset.filter(rated_on__lte=value)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("评价"),
        description=gettext_lazy(
            "窗口受理员看本窗口办件的评价，但看不到评价人：case、receipt_no、applicant_name、rated_on 为 null，只有评价月份，评价日期也只能按整月筛选；单位党务管理员看本单位窗口的，机关工委看全部。"
        ),
    ),
)
class RatingViewSet(mixins.ListModelMixin, ScopedViewSet):
    """好差评 The ratings of the cases in the user's scope."""

    model = Rating
    serializer_class = WindowRatingSerializer
    filterset_class = RatingFilter
    access = access
    access_rule = "ratings"
    # The order is `rating_selectors.in_list_order`: a clerk may not sort by day.
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        rows = rating_selectors.ratings_for(self.request.user).select_related(
            "case__window__unit", "case__version__matter", "case__handled_by", "follow_up"
        )
        return rating_selectors.in_list_order(rows, identified=identified(self.request))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["identified"] = identified(self.request)
        return context


class CurrentQuestionSetView(AccessAPIView):
    access = access
    access_rule = "ratings"

    @extend_schema(
        summary=gettext_lazy("现行评价选项"),
        responses={
            200: WindowQuestionSetSerializer,
            404: OpenApiResponse(description=gettext_lazy("尚未发布评价选项")),
        },
    )
    def get(self, request):
        current = QuestionSet.current()
        if current is None:
            raise exceptions.NotFound(_("尚未发布评价选项"))
        return Response(WindowQuestionSetSerializer(current).data)


class QuestionSetPublishView(AccessAPIView):
    access = access
    access_rule = "questions"

    @extend_schema(
        summary=gettext_lazy("发布新版评价选项（机关工委）"),
        description=gettext_lazy(
            "每个等级（5 非常满意 … 1 非常不满意）的选项全部重新给出；已有的评价保留原来的版本。"
        ),
        request=WindowQuestionSetPublishSerializer,
        responses={201: WindowQuestionSetSerializer},
    )
    def post(self, request):
        serializer = WindowQuestionSetPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        published = rating_services.question_set_publish(
            actor=request.user,
            options={level: data[f"options_{level}"] for level in LEVELS},
            note=data["note"],
        )
        return Response(WindowQuestionSetSerializer(published).data, status=status.HTTP_201_CREATED)


class CaseRatingView(AccessAPIView):
    """The clerk's side of a case's rating; the case through the scope (404 outside it)."""

    access = access
    access_rule = "rate"

    def case(self, pk) -> Case:
        if parse_id(pk) is None:
            raise exceptions.NotFound()
        case = get_object_or_404(Case.objects.visible_to(self.request.user), pk=pk)
        if not Case.objects.editable_by(self.request.user).filter(pk=case.pk).exists():
            raise exceptions.PermissionDenied(NOT_EDITABLE)
        return case


def _refused(text):
    return OpenApiResponse(description=text)


class CaseRatingCodeView(CaseRatingView):
    @extend_schema(
        summary=gettext_lazy("发放评价码（窗口受理员；链接或二维码，仅此一次显示）"),
        description=gettext_lazy("再次发放时，之前未用的评价码作废。"),
        request=None,
        responses={
            201: WindowRatingCodeSerializer,
            409: _refused(gettext_lazy("办件未办结、已过评价期限或已评价 {detail: message}")),
        },
    )
    def post(self, request, pk):
        invite, code = rating_services.rating_invite_issue(actor=request.user, case=self.case(pk))
        return Response(
            {
                "code": code,
                "url": rating_selectors.code_url(request, code),
                "expires_on": invite.expires_on,
            },
            status=status.HTTP_201_CREATED,
        )


class CaseKioskRatingView(CaseRatingView):
    @extend_schema(
        summary=gettext_lazy("评价屏评价（窗口受理员把评价屏转向申请人）"),
        request=WindowRatingInputSerializer,
        responses={
            201: WindowThanksSerializer,
            409: _refused(gettext_lazy("办件未办结、已过评价期限或已评价 {detail: message}")),
        },
    )
    def post(self, request, pk):
        case = self.case(pk)
        serializer = WindowRatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating_services.rating_submit_kiosk(
            actor=request.user, case=case, **serializer.validated_data
        )
        return Response({"detail": _("感谢您的评价")}, status=status.HTTP_201_CREATED)


class RatingCodeThrottle(ClientAddressThrottle):
    """Guessing rating codes costs time: `window_rating` in REST_FRAMEWORK's
    DEFAULT_THROTTLE_RATES (30 requests an hour per client address when it is not set), like the
    applicant's status page."""

    scope = "window_rating"
    default_rate = "30/hour"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate


def _invalid_code():
    return OpenApiResponse(description=gettext_lazy("评价码无效、已使用或已过期 {detail: message}"))


class PublicRatingView(AccessAPIView):
    """The applicant's side: no account, the code in the body (never in a URL)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [RatingCodeThrottle]

    def invalid(self):
        return Response(
            {"detail": str(rating_services.RatingCodeInvalid())},
            status=status.HTTP_404_NOT_FOUND,
        )


class PublicRatingSubmitView(PublicRatingView):
    @extend_schema(
        summary=gettext_lazy("申请人凭评价码评价（无需账号）"),
        request=WindowPublicRatingSerializer,
        responses={
            201: WindowThanksSerializer,
            404: _invalid_code(),
            409: _refused(gettext_lazy("已过评价期限或已评价 {detail: message}")),
        },
    )
    def post(self, request):
        serializer = WindowPublicRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            rating_services.rating_submit_code(**data)
        except rating_services.RatingCodeInvalid:
            return self.invalid()
        return Response({"detail": _("感谢您的评价")}, status=status.HTTP_201_CREATED)


class PublicRatingLookupView(PublicRatingView):
    @extend_schema(
        summary=gettext_lazy("查看评价码对应的办理项和评价选项（无需账号）"),
        request=WindowCodeSerializer,
        responses={200: WindowRatingLookupSerializer, 404: _invalid_code()},
    )
    def post(self, request):
        serializer = WindowCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite = rating_services.rating_invite_lookup(serializer.validated_data["code"])
        if invite is None:
            return self.invalid()
        return Response(lookup_answer(invite))


def lookup_answer(invite: RatingInvite) -> dict:
    chosen = rating_selectors.option_choices()
    case = invite.case
    return {
        "matter": case.version.matter.name,
        "round": invite.round,
        "round_display": str(RatingRound(invite.round).label),
        "expires_on": invite.expires_on,
        "levels": [
            {
                "level": level,
                "label": str(RatingLevel(level).label),
                "options": [
                    {"id": o.pk, "level": o.level, "text": o.text} for o in chosen.get(level, [])
                ],
            }
            for level in LEVELS
        ],
    }


def _conflict():
    return _refused(gettext_lazy("差评整改当前状态不允许此操作 {detail: message}"))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("差评整改"),
        description=gettext_lazy(
            "单位党务管理员看本单位窗口的差评并核实、整改、回访（或申诉一次）；机关工委看全部并裁定申诉。窗口受理员看不到。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("差评整改详情")),
)
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """差评整改 A 差评's follow-up."""

    model = FollowUp
    serializer_class = WindowFollowUpSerializer
    ordering_fields = ["rectify_due", "opened_on"]
    ordering = ["rectify_due", "id"]
    access = access
    access_rule = "ratings_identified"
    action_access = {
        "verify": "follow_up",
        "appeal": "follow_up",
        "rectify": "follow_up",
        "feed_back": "follow_up",
        "decide": "appeal_decide",
    }

    class Filter(django_filters.FilterSet):
        state = django_filters.ChoiceFilter(
            choices=FollowUpState.choices, label=gettext_lazy("状态")
        )
        window = IdFilter(field_name="rating__case__window_id", label=gettext_lazy("窗口"))

        class Meta:
            model = FollowUp
            fields = ["state", "window"]

    filterset_class = Filter

    def get_queryset(self):
        return (
            rating_selectors.follow_ups_for(self.request.user)
            .select_related(
                "rating__case__window__unit",
                "rating__case__version__matter",
                "rating__case__handled_by",
                "appeal",
            )
            .prefetch_related(
                "rating__options",
                Prefetch(
                    "rating__case__ratings",
                    queryset=Rating.objects.filter(round=RatingRound.FIX),
                    to_attr="fix_ratings",
                ),
            )
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = business_date()
        return context

    def _move(self, serializer_class, service, *, key="follow_up"):
        follow_up = self.get_object()
        self.check_edit_permission(follow_up)
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["on"] = data.pop("date") or business_date()
        target = follow_up
        if key == "appeal":
            try:
                target = follow_up.appeal
            except FollowUp.appeal.RelatedObjectDoesNotExist:
                raise Conflict(_("此差评没有待裁定的申诉")) from None
        with date_field_named_date():
            result = service(actor=self.request.user, **{key: target}, **data)
        return follow_up, result

    def _answer(self, follow_up):
        return self.respond_with(self.read_back(follow_up))

    @extend_schema(
        request=WindowVerifySerializer,
        responses={200: WindowFollowUpSerializer, 409: _conflict()},
        summary=gettext_lazy("核实差评（单位党务管理员），转入整改"),
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        follow_up, _result = self._move(WindowVerifySerializer, rating_services.follow_up_verify)
        return self._answer(follow_up)

    @extend_schema(
        request=WindowAppealInputSerializer,
        responses={200: WindowFollowUpSerializer, 409: _conflict()},
        summary=gettext_lazy("申诉恶意差评（单位党务管理员；只能申诉一次）"),
    )
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        follow_up, _result = self._move(
            WindowAppealInputSerializer, rating_services.follow_up_appeal
        )
        return self._answer(follow_up)

    @extend_schema(
        request=WindowRectifySerializer,
        responses={200: WindowFollowUpSerializer, 409: _conflict()},
        summary=gettext_lazy("整改完成（单位党务管理员）"),
    )
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        follow_up, _result = self._move(WindowRectifySerializer, rating_services.follow_up_rectify)
        return self._answer(follow_up)

    @extend_schema(
        request=WindowFeedBackSerializer,
        responses={200: WindowFollowUpFedBackSerializer, 409: _conflict()},
        summary=gettext_lazy("回访反馈（单位党务管理员）"),
        description=gettext_lazy(
            "申请人回访时当场评价整改（level）则办结；否则发给申请人整改评价码（code，仅此一次显示），待复评。"
        ),
    )
    @action(detail=True, methods=["post"], url_path="feed-back", url_name="feed-back")
    def feed_back(self, request, pk=None):
        follow_up, (_row, code) = self._move(
            WindowFeedBackSerializer, rating_services.follow_up_feed_back
        )
        context = self.get_serializer_context()
        if code:
            invite = (
                RatingInvite.objects.filter(
                    case_id=follow_up.rating.case_id,
                    round=RatingRound.FIX,
                    used_at__isnull=True,
                    revoked_at__isnull=True,
                )
                .order_by("-id")
                .first()
            )
            context.update(
                code=code,
                url=rating_selectors.code_url(request, code),
                expires_on=invite.expires_on if invite else None,
            )
        data = WindowFollowUpFedBackSerializer(self.read_back(follow_up), context=context).data
        return Response(data)

    @extend_schema(
        request=WindowDecideSerializer,
        responses={200: WindowFollowUpSerializer, 409: _conflict()},
        summary=gettext_lazy("裁定申诉（机关工委）"),
        description=gettext_lazy(
            "申诉成立：差评保留，但不计入统计；申诉不成立：回到待核实，不能再次申诉。"
        ),
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        follow_up, _result = self._move(
            WindowDecideSerializer, rating_services.appeal_decide, key="appeal"
        )
        return self._answer(follow_up)
