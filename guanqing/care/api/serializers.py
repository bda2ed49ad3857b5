"""Shapes of the care endpoints; the services check and write. A sensitive event's rule is masked
for whoever may not read it (`selectors.may_read`)."""

from __future__ import annotations

from rest_framework import serializers

from guanqing.care import selectors
from guanqing.care.choices import ActorKind, CareAction, CareSystem
from guanqing.care.models import (
    DESCRIPTION_MAX,
    LIMIT_MAX,
    LIMIT_MIN,
    NAME_MAX,
    CareEvent,
    CareRule,
    Obligation,
)
from guanqing.core.api.base import IdField, ShapeOnlyModelSerializer
from guanqing.core.text import LONG_TEXT_MAX


class RuleSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = CareRule
        fields = [
            "id",
            "system",
            "code",
            "name",
            "description",
            "actor_kind",
            "action",
            "limit_workdays",
            "sensitive",
            "is_active",
            "sort_order",
        ]
        read_only_fields = fields


class RuleWriteSerializer(serializers.Serializer):
    system = serializers.ChoiceField(choices=CareSystem.choices)
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=NAME_MAX)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True
    )
    actor_kind = serializers.ChoiceField(choices=ActorKind.choices)
    action = serializers.ChoiceField(choices=CareAction.choices)
    limit_workdays = serializers.IntegerField(min_value=LIMIT_MIN, max_value=LIMIT_MAX)
    sensitive = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    sort_order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class ObligationSerializer(ShapeOnlyModelSerializer):
    timing = serializers.SerializerMethodField()
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Obligation
        fields = [
            "id",
            "event",
            "unit",
            "action",
            "actor_kind",
            "limit_workdays",
            "due_on",
            "state",
            "timing",
            "late",
            "met_on",
            "done_note",
            "waived_on",
            "waived_reason",
            "escalated_on",
        ]
        read_only_fields = fields

    def get_timing(self, obligation) -> str:
        return selectors.timing(obligation, self.context["today"])


class EventSerializer(ShapeOnlyModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    system = serializers.CharField(source="rule.system", read_only=True)
    rule = serializers.SerializerMethodField()
    rule_name = serializers.SerializerMethodField()

    class Meta:
        model = CareEvent
        fields = [
            "id",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "system",
            "rule",
            "rule_name",
            "occurred_on",
            "source",
            "sensitive",
        ]
        read_only_fields = fields

    def _may(self, event) -> bool:
        return selectors.may_read(self.context["request"].user, event)

    def get_rule(self, event) -> int | None:
        return event.rule_id if self._may(event) else None

    def get_rule_name(self, event) -> str:
        return selectors.rule_label(self.context["request"].user, event)


class EventDetailSerializer(EventSerializer):
    note = serializers.SerializerMethodField()
    obligations = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "note", "obligations"]
        read_only_fields = fields

    def get_note(self, event) -> str:
        return event.note if self._may(event) else ""

    def get_obligations(self, event) -> list:
        rows = event.obligations.order_by("pk")
        return ObligationSerializer(rows, many=True, context=self.context).data


class EventCreateSerializer(serializers.Serializer):
    member = IdField()
    rule = IdField()
    occurred_on = serializers.DateField()
    note = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True)


class MeetSerializer(serializers.Serializer):
    done_note = serializers.CharField(max_length=LONG_TEXT_MAX)
    on = serializers.DateField(required=False, allow_null=True)


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
