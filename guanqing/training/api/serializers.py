"""Shapes of the training endpoints; the services check and write."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanqing.core.api.base import IdField, ShapeOnlyModelSerializer
from guanqing.registry.choices import Rank
from guanqing.training.choices import LeaderRole
from guanqing.training.models import (
    CAPACITY_MAX,
    CLASSES_MAX,
    DAYS_MAX,
    EARLIEST,
    REASON_MAX,
    SESSIONS_MAX,
    TIME_LIMIT_MAX,
    Assignment,
    Participant,
    Plan,
    Preference,
    Session,
    Unavailability,
)

LATEST = datetime.date(2100, 12, 31)
WEIGHT_MAX = 1000
OUT_OF_RANGE = _("日期须在 2000-01-01 至 2100-12-31 之间")


@extend_schema_field({"type": "string", "enum": Rank.values})
class RankField(serializers.ChoiceField):
    """A rank (the registry's choice set, described inline so the schema names it once)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Rank.choices, **kwargs)


def _in_range(day: datetime.date) -> datetime.date:
    if not EARLIEST <= day <= LATEST:
        raise serializers.ValidationError(OUT_OF_RANGE)
    return day


class SessionSerializer(ShapeOnlyModelSerializer):
    assigned = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "plan", "number", "start_date", "days", "assigned"]
        read_only_fields = fields


class PlanSerializer(ShapeOnlyModelSerializer):
    required = serializers.IntegerField(read_only=True)
    assigned = serializers.IntegerField(read_only=True)
    solve_explanation = serializers.CharField(
        read_only=True,
        help_text="无解时的原因，每行一条，以请求的语言写出；有排期时为空。",
    )

    class Meta:
        model = Plan
        fields = [
            "id",
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
            "state",
            "solve_status",
            "solve_gap",
            "solve_seconds",
            "solve_objective",
            "solve_explanation",
            "solved_at",
            "required",
            "assigned",
        ]
        read_only_fields = fields


class WeightsSerializer(serializers.Serializer):
    balance = serializers.IntegerField(min_value=0, max_value=WEIGHT_MAX)
    preference = serializers.IntegerField(min_value=0, max_value=WEIGHT_MAX)
    spread = serializers.IntegerField(min_value=0, max_value=WEIGHT_MAX)


class PlanWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=100)
    venue = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sessions_count = serializers.IntegerField(min_value=1, max_value=SESSIONS_MAX)
    classes_per_session = serializers.IntegerField(min_value=1, max_value=CLASSES_MAX)
    days_per_session = serializers.IntegerField(min_value=1, max_value=DAYS_MAX)
    class_capacity = serializers.IntegerField(min_value=1, max_value=CAPACITY_MAX)
    allow_makeup_saturdays = serializers.BooleanField(required=False)
    unit_share = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1.00"),
        required=False,
    )
    required_ranks = serializers.ListField(child=RankField(), max_length=len(Rank.choices))
    first_date = serializers.DateField()
    last_date = serializers.DateField()
    time_limit_seconds = serializers.IntegerField(
        min_value=1, max_value=TIME_LIMIT_MAX, required=False
    )
    weights = WeightsSerializer(required=False)
    starts = serializers.ListField(
        child=serializers.DateField(),
        max_length=SESSIONS_MAX,
        required=False,
        help_text=_("各期开班日期；不填则从最早开班日期起每周一期"),
    )

    def validate_first_date(self, value):
        return _in_range(value)

    def validate_last_date(self, value):
        return _in_range(value)

    def validate_starts(self, value):
        for day in value:
            _in_range(day)
        return value


class PersonReasonSerializer(serializers.Serializer):
    member = IdField()
    reason = serializers.CharField(max_length=REASON_MAX)


class BuildSerializer(serializers.Serializer):
    additions = PersonReasonSerializer(many=True, required=False, max_length=1000)
    exemptions = PersonReasonSerializer(many=True, required=False, max_length=1000)


class BuiltSerializer(serializers.Serializer):
    required = serializers.IntegerField(help_text=_("须参训人数"))


class ParticipantSerializer(ShapeOnlyModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "plan",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "leader_role",
            "inclusion",
            "added_reason",
            "exempt",
            "exempt_reason",
        ]
        read_only_fields = fields


class RoleSerializer(serializers.Serializer):
    leader_role = serializers.ChoiceField(choices=LeaderRole.choices)


class UnavailabilitySerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = Unavailability
        fields = ["id", "participant", "start", "end", "reason", "source", "recorded_at"]
        read_only_fields = fields


class UnavailabilityWriteSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    reason = serializers.CharField(max_length=REASON_MAX)

    def validate_start(self, value):
        return _in_range(value)

    def validate_end(self, value):
        return _in_range(value)


class PreferenceSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = Preference
        fields = ["id", "participant", "months"]
        read_only_fields = fields


class PreferenceWriteSerializer(serializers.Serializer):
    months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=12), max_length=12
    )


class AssignmentSerializer(ShapeOnlyModelSerializer):
    plan = serializers.IntegerField(source="participant.plan_id", read_only=True)
    member = serializers.IntegerField(source="participant.member_id", read_only=True)
    member_name = serializers.CharField(source="participant.member.name", read_only=True)
    unit = serializers.IntegerField(source="participant.unit_id", read_only=True)
    unit_name = serializers.CharField(source="participant.unit.name", read_only=True)
    session_number = serializers.IntegerField(source="session.number", read_only=True)
    days = serializers.ListField(
        source="session.days", child=serializers.DateField(), read_only=True
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "participant",
            "plan",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "session",
            "session_number",
            "days",
            "class_number",
            "fixed",
            "attended_days",
        ]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    session = IdField(help_text=_("调往的期次（编号）"))
    class_number = serializers.IntegerField(min_value=1, max_value=CLASSES_MAX)


class SwapSerializer(serializers.Serializer):
    second = IdField(help_text=_("与之对调的参训安排（编号）"))
