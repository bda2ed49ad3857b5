"""党员进社区 serializers: the shape of the input and the read form. They never save: the viewsets
pass `validated_data` to `guanqing.community.services`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanqing.community.choices import ActivityRole, Grade, ServiceRole
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term
from guanqing.core.api.base import IdField, ScopedPrimaryKeyRelatedField, ShapeOnlyModelSerializer
from guanqing.core.api.fields import DisplayField

TERM_HELP = gettext_lazy("半年度，如 2026H1（1–6 月）、2026H2（7–12 月）")
HOURS_ERRORS = {
    "invalid": gettext_lazy("应为小时数，如 1.5"),
    "max_decimal_places": gettext_lazy("时长最多保留一位小数"),
    "max_digits": gettext_lazy("时长过大"),
    "max_whole_digits": gettext_lazy("时长过大"),
}


@extend_schema_field(OpenApiTypes.STR)
class TermField(serializers.Field):
    """A half-year term written `2026H2`."""

    default_error_messages = {
        "term": gettext_lazy("半年度格式应为 2026H1 或 2026H2"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", TERM_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("term")
        try:
            return Term.parse(data)
        except ValueError:
            self.fail("term")

    def to_representation(self, value):
        return str(value)


# ---------------------------------------------------------------------------------------------
# Registrations
# ---------------------------------------------------------------------------------------------


class RegistrationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit = serializers.IntegerField(source="member.unit_id", read_only=True)
    unit_name = serializers.CharField(source="member.unit.name", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    term = serializers.CharField(source="term_label", read_only=True, help_text=TERM_HELP)
    role_display = DisplayField(source="get_role_display")
    status_display = DisplayField(source="get_status_display")
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "community",
            "community_name",
            "term",
            "role",
            "role_display",
            "note",
            "status",
            "status_display",
            "decided_by_name",
            "decided_at",
            "reject_reason",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by_name(self, obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class RegistrationSubmitSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=ServiceRole.choices,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("六员岗位；不填则沿用上次报到的岗位"),
    )
    term = TermField(
        required=False,
        help_text=gettext_lazy("半年度，如 2026H1（1–6 月）、2026H2（7–12 月）；默认本半年"),
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CommunityReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, help_text=gettext_lazy("原因"))


class RosterSerializer(serializers.Serializer):
    """One active member of the unit in a half-year: registration, hours and rating."""

    member = serializers.IntegerField(source="pk")
    member_name = serializers.CharField(source="name")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    registration = serializers.IntegerField(source="registration_id", allow_null=True)
    registration_status = serializers.CharField(allow_null=True)
    registration_role = serializers.CharField(allow_null=True)
    registration_community = serializers.CharField(allow_null=True)
    checkin_hours = serializers.DecimalField(
        source="term_checkin_hours", max_digits=9, decimal_places=1
    )
    manual_hours = serializers.DecimalField(
        source="term_manual_hours", max_digits=9, decimal_places=1
    )
    rating_grade = serializers.CharField(allow_null=True)


# ---------------------------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------------------------


class ActivitySerializer(ShapeOnlyModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    role = serializers.ChoiceField(choices=ActivityRole.choices, default=ActivityRole.ALL)
    role_display = DisplayField(source="get_role_display")
    status_display = DisplayField(source="get_status_display")
    places = serializers.IntegerField(min_value=1, help_text=gettext_lazy("名额"))
    places_left = serializers.IntegerField(read_only=True)
    length_hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        read_only=True,
        help_text=gettext_lazy("活动时长（小时）"),
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "community",
            "community_name",
            "title",
            "description",
            "role",
            "role_display",
            "starts_at",
            "ends_at",
            "length_hours",
            "place",
            "places",
            "signed_up",
            "places_left",
            "status",
            "status_display",
            "cancel_reason",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = [
            "signed_up",
            "status",
            "cancel_reason",
            "cancelled_at",
            "created_at",
        ]


class CheckInCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12, help_text=gettext_lazy("组织者出示的 6 位签到码"))


class ActivityCodeSerializer(serializers.Serializer):
    activity = serializers.IntegerField()
    code = serializers.CharField(help_text=gettext_lazy("6 位签到码"))
    valid_until = serializers.DateTimeField(help_text=gettext_lazy("此码失效时间"))
    window_opens = serializers.DateTimeField()
    window_closes = serializers.DateTimeField()
    qr = serializers.CharField(help_text=gettext_lazy("二维码内容"))


class SignupSerializer(serializers.ModelSerializer):
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    status_display = DisplayField(source="get_status_display")

    class Meta:
        model = ActivitySignup
        fields = [
            "id",
            "activity",
            "activity_title",
            "member",
            "member_name",
            "status",
            "status_display",
            "signed_up_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "activity",
            "activity_title",
            "member",
            "member_name",
            "checked_in_at",
            "checked_out_at",
            "hours",
        ]
        read_only_fields = fields


class ManualHoursSerializer(ShapeOnlyModelSerializer):
    activity = ScopedPrimaryKeyRelatedField(model=Activity)
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    # resolved by the service among the activity's sign-ups, so the answer never tells whether
    # a member outside the worker's view exists
    member = IdField(source="member_id", help_text=gettext_lazy("党员编号"))
    member_name = serializers.CharField(source="member.name", read_only=True)
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, error_messages=HOURS_ERRORS, help_text=gettext_lazy("小时")
    )
    added_by_name = serializers.CharField(source="added_by.__str__", read_only=True)

    class Meta:
        model = ManualHours
        fields = [
            "id",
            "activity",
            "activity_title",
            "member",
            "member_name",
            "hours",
            "reason",
            "added_by_name",
            "added_at",
        ]
        read_only_fields = ["added_at"]


# ---------------------------------------------------------------------------------------------
# Ratings
# ---------------------------------------------------------------------------------------------


class RatingSerializer(ShapeOnlyModelSerializer):
    member = IdField(source="member_id", help_text=gettext_lazy("党员编号"))
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit = serializers.IntegerField(source="member.unit_id", read_only=True)
    unit_name = serializers.CharField(source="member.unit.name", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    term = TermField(source="term_label")
    grade = serializers.ChoiceField(choices=Grade.choices)
    grade_display = DisplayField(source="get_grade_display")
    rated_by_name = serializers.CharField(source="rated_by.__str__", read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "community",
            "community_name",
            "term",
            "grade",
            "grade_display",
            "comment",
            "rated_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
