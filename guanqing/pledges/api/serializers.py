"""Shapes of the pledge endpoints; the services check and write."""

from __future__ import annotations

from rest_framework import serializers

from guanqing.core.api.base import IdField, ShapeOnlyModelSerializer
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.pledges.choices import Rating, TargetKind
from guanqing.pledges.models import (
    NOTE_MAX,
    TARGET_MAX,
    TITLE_MAX,
    UNIT_MAX,
    Milestone,
    Pledge,
    ProgressReport,
)


class PledgeMilestoneSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "pledge", "title", "due_on", "done_on", "evidence_note"]
        read_only_fields = fields


class PledgeSerializer(ShapeOnlyModelSerializer):
    lead_units = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Pledge
        fields = [
            "id",
            "year",
            "number",
            "title",
            "promise",
            "lead_units",
            "target_kind",
            "metric",
            "target_value",
            "target_unit",
            "state",
            "published_on",
            "closed_on",
            "progress",
            "percent",
            "status",
            "self_assessment",
            "assessed_on",
            "rating",
            "rating_note",
            "rating_published",
        ]
        read_only_fields = fields

    def _row(self, pledge):
        return self.context["rows"][pledge.pk]

    def get_lead_units(self, pledge) -> list[int]:
        return sorted(u.pk for u in pledge.lead_units.all())

    def get_progress(self, pledge) -> int:
        return self._row(pledge).progress

    def get_percent(self, pledge) -> int:
        return self._row(pledge).percent

    def get_status(self, pledge) -> str:
        return self._row(pledge).status


class PledgeWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField(max_length=TITLE_MAX)
    promise = serializers.CharField(max_length=LONG_TEXT_MAX)
    lead_units = serializers.ListField(child=IdField(), allow_empty=True)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, required=False)
    metric = serializers.CharField(max_length=64, required=False, allow_blank=True)
    target_value = serializers.IntegerField(min_value=1, max_value=TARGET_MAX)
    target_unit = serializers.CharField(max_length=UNIT_MAX, required=False, allow_blank=True)


class PledgeRateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)
    publish = serializers.BooleanField(required=False)


class PledgeAssessSerializer(serializers.Serializer):
    self_assessment = serializers.CharField(max_length=LONG_TEXT_MAX)


class PledgeMilestoneWriteSerializer(serializers.Serializer):
    pledge = IdField()
    title = serializers.CharField(max_length=TITLE_MAX)
    due_on = serializers.DateField()


class PledgeMilestoneDoneSerializer(serializers.Serializer):
    evidence_note = serializers.CharField(max_length=NOTE_MAX)
    done_on = serializers.DateField(required=False, allow_null=True)


class PledgeReportSerializer(ShapeOnlyModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = ["id", "pledge", "unit", "unit_name", "month", "value", "text", "attachments"]
        read_only_fields = fields

    def get_attachments(self, report) -> list[int]:
        return [a.pk for a in report.attachments.all()]


class PledgeReportWriteSerializer(serializers.Serializer):
    pledge = IdField()
    month = serializers.DateField()
    value = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    text = serializers.CharField(max_length=LONG_TEXT_MAX)
    files = serializers.ListField(child=serializers.FileField(), required=False)
