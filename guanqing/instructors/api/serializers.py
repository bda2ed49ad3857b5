"""Shapes of the instructors' endpoints; the services check and write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanqing.core.api.base import IdField, ShapeOnlyModelSerializer
from guanqing.instructors.models import DAYS_MAX, InstructorTerm, RaisedProblem, WorkLog


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(source="month.key")
    required = serializers.IntegerField()
    logged = serializers.IntegerField()
    compliance = serializers.CharField()


class TermSerializer(ShapeOnlyModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    this_month = serializers.SerializerMethodField()

    class Meta:
        model = InstructorTerm
        fields = [
            "id",
            "unit",
            "unit_name",
            "member",
            "member_name",
            "village",
            "village_name",
            "starts_on",
            "ends_on",
            "required_days",
            "state",
            "note",
            "end_reason",
            "this_month",
        ]
        read_only_fields = fields

    def get_this_month(self, term) -> dict:
        row = self.context.get("month_rows", {}).get(term.pk)
        return MonthSerializer(row).data if row is not None else None


class TermDetailSerializer(TermSerializer):
    months = serializers.SerializerMethodField()

    class Meta(TermSerializer.Meta):
        fields = [*TermSerializer.Meta.fields, "months"]
        read_only_fields = fields

    def get_months(self, term) -> list:
        return MonthSerializer(self.context.get("months", []), many=True).data


class AppointSerializer(serializers.Serializer):
    member = IdField()
    village = IdField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    required_days = serializers.IntegerField(
        min_value=1, max_value=DAYS_MAX, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EndSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RaiseSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000)
    category = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text=_("难题类别编码")
    )
    log = IdField(required=False, allow_null=True)


class RaisedSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = RaisedProblem
        fields = ["id", "term", "log", "problem_id", "public_id", "title", "raised_on"]
        read_only_fields = fields


class LogSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = WorkLog
        fields = ["id", "term", "starts_on", "ends_on", "days", "work", "problems"]
        read_only_fields = ["id", "days"]


class LogCreateSerializer(serializers.Serializer):
    term = IdField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    work = serializers.CharField(max_length=5000)
    problems = serializers.CharField(max_length=5000, required=False, allow_blank=True)
