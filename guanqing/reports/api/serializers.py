"""Shapes of the report API: a report (live or published) as its reader reads it, texts in the
request's language, decimal figures as exact strings ("12.50")."""

from __future__ import annotations

import decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanqing.core.reports import thaw
from guanqing.reports.models import Publication

NUMBER_OR_TEXT = _('数值：整数、精确小数的字符串（如 "12.50"）或 null（不适用）')


def readable(frozen):
    """Frozen data for the API: texts in the request's language, decimals as strings."""

    def plain(value):
        if isinstance(value, decimal.Decimal):
            return str(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(thaw(frozen))


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(allow_null=True, help_text=NUMBER_OR_TEXT)
    unit = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField(allow_blank=True))
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    numeric_from = serializers.IntegerField()


class SeriesSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    values = serializers.ListField(child=serializers.JSONField(allow_null=True))


class ChartSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["bar", "column", "line"])
    categories = serializers.ListField(child=serializers.CharField(allow_blank=True))
    series = SeriesSerializer(many=True)
    unit = serializers.CharField(allow_blank=True)


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    figures = FigureSerializer(many=True)
    tables = TableSerializer(many=True)
    charts = ChartSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class ChangeSerializer(serializers.Serializer):
    section = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class LiveReportSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=_("报告期：2026、2026-H1、2026-Q3 或 2026-07"))
    period_label = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    where = serializers.CharField(help_text=_("范围：city、district:<编号> 或 unit:<编号>"))
    where_name = serializers.CharField(allow_blank=True)
    counted_on = serializers.DateField()
    as_of = serializers.DateTimeField()
    sections = SectionSerializer(many=True)


class PublicationSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period_key")
    period_label = serializers.SerializerMethodField()
    first = serializers.DateField(source="period_first")
    last = serializers.DateField(source="period_last")
    where = serializers.SerializerMethodField()
    published_by = serializers.CharField(source="published_by.username")
    sections = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
            "id",
            "period",
            "period_label",
            "first",
            "last",
            "where",
            "where_name",
            "version",
            "counted_on",
            "as_of",
            "published_by",
            "published_at",
            "reason",
            "changes",
            "sections",
        ]

    def get_period_label(self, obj) -> str:
        return obj.period.label

    def get_where(self, obj) -> str:
        return obj.where.key

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, obj):
        return readable(obj.sections)

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, obj):
        return readable(obj.changes)


class PublishSerializer(serializers.Serializer):
    period = serializers.CharField(
        max_length=7, help_text=_("报告期：2026、2026-H1、2026-Q3 或 2026-07")
    )
    where = serializers.CharField(
        max_length=40, help_text=_("范围：city、district:<编号> 或 unit:<编号>")
    )
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text=_("更正版本必填：更正原因")
    )
