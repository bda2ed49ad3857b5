"""Pairing serializers: the shape of the input and the read form. They never save: the viewsets
pass `validated_data` to `guanqing.pairing.services`."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanqing.core.api.base import ScopedPrimaryKeyRelatedField, ShapeOnlyModelSerializer
from guanqing.pairing.choices import EndReason, VisitKind
from guanqing.pairing.models import (
    ComplianceSettings,
    Pairing,
    PairingTerm,
    Partnership,
    PartnershipProject,
    Visit,
    VisitPhoto,
)
from guanqing.pairing.selectors import COMPLIANCE_FIELDS
from guanqing.pairing.services import PROFILE_FIELDS
from guanqing.registry.models import Household, Member, PartyOrg, Unit

# ---------------------------------------------------------------------------------------------
# Pairings
# ---------------------------------------------------------------------------------------------


class PairingTermSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, default=None)

    class Meta:
        model = PairingTerm
        fields = ["id", "member", "member_name", "starts_on", "ends_on", "reason"]
        read_only_fields = fields


def _current(obj: Pairing) -> PairingTerm | None:
    # from the prefetched terms: no query per row
    return next((t for t in obj.terms.all() if t.ends_on is None), None)


class PairingSerializer(ShapeOnlyModelSerializer):
    household = ScopedPrimaryKeyRelatedField(model=Household)
    household_name = serializers.CharField(source="household.__str__", read_only=True)
    unit = ScopedPrimaryKeyRelatedField(model=Unit)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    member = ScopedPrimaryKeyRelatedField(
        model=Member,
        required=False,
        allow_null=True,
        write_only=True,
        help_text=gettext_lazy("结对党员；不填则由全单位结对"),
    )
    holder = serializers.SerializerMethodField(help_text=gettext_lazy("现任结对党员"))
    holder_name = serializers.SerializerMethodField()
    is_active = serializers.BooleanField(read_only=True)
    terms = PairingTermSerializer(many=True, read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "household",
            "household_name",
            "unit",
            "unit_name",
            "member",
            "holder",
            "holder_name",
            "started_on",
            "ended_on",
            "end_reason",
            "end_note",
            "is_active",
            "terms",
            "created_at",
        ]
        read_only_fields = ["ended_on", "end_reason", "end_note", "created_at"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))  # null: no current holder
    def get_holder(self, obj) -> int | None:
        term = _current(obj)
        return term.member_id if term is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_holder_name(self, obj) -> str | None:
        term = _current(obj)
        return term.member.name if term is not None and term.member_id else None


class HandoverSerializer(serializers.Serializer):
    successor = ScopedPrimaryKeyRelatedField(model=Member, help_text=gettext_lazy("接任党员"))
    effective_date = serializers.DateField(help_text=gettext_lazy("交接生效日期"))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PairingEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text=gettext_lazy("结束日期（最后一天）"))
    end_reason = serializers.ChoiceField(choices=EndReason.choices)
    end_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# ---------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------


class ColleagueField(ScopedPrimaryKeyRelatedField):
    """A participant: a member of a unit the user sees (a member names its colleagues)."""

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        return Member.objects.filter(unit__in=Unit.objects.visible_to(user).values("pk"))


@extend_schema_field(
    {
        "type": "object",
        "properties": {name: {"type": "string"} for name in PROFILE_FIELDS},
        "additionalProperties": False,
    }
)
class ProfileUpdatesField(serializers.Field):
    """The 五清 fields to update: an object, or (in a multipart form) its JSON text."""

    default_error_messages = {"invalid": gettext_lazy("应为 JSON 对象")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not data.strip():
                return {}
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class VisitPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = VisitPhoto
        fields = ["id", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("api:visit-photo", kwargs={"pk": obj.visit_id, "photo_pk": obj.pk})


class VisitSerializer(ShapeOnlyModelSerializer):
    pairing = ScopedPrimaryKeyRelatedField(model=Pairing)
    household = serializers.IntegerField(source="pairing.household_id", read_only=True)
    household_name = serializers.CharField(source="pairing.household.__str__", read_only=True)
    unit = serializers.IntegerField(source="pairing.unit_id", read_only=True)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=VisitKind.choices),
        allow_empty=False,
        help_text="谈讲访帮扶：talk, brief, festival, help, support",
    )
    participants = ColleagueField(model=Member, many=True)
    participant_names = serializers.SerializerMethodField()
    holder = serializers.IntegerField(
        source="holder_id",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("走访当日的结对党员（记功归属）"),
    )
    holder_name = serializers.CharField(read_only=True, allow_null=True)
    profile_updates = ProfileUpdatesField(
        write_only=True, required=False, help_text="更新五清信息 / 五清 profile updates"
    )
    photos = serializers.ListField(
        child=serializers.FileField(),
        write_only=True,
        required=False,
        help_text=gettext_lazy("JPEG、PNG 或 WebP，每张不超过 5 MB"),
    )
    photo_list = VisitPhotoSerializer(source="photos", many=True, read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "pairing",
            "household",
            "household_name",
            "unit",
            "date",
            "kinds",
            "participants",
            "participant_names",
            "holder",
            "holder_name",
            "notes",
            "cash_amount",
            "in_kind_items",
            "in_kind_value",
            "support_kind",
            "support_note",
            "profile_updates",
            "photos",
            "photo_list",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]

    def get_participant_names(self, obj) -> list[str]:
        return [m.name for m in obj.participants.all()]


# ---------------------------------------------------------------------------------------------
# Partnerships
# ---------------------------------------------------------------------------------------------


class PartnershipSerializer(ShapeOnlyModelSerializer):
    unit_org = ScopedPrimaryKeyRelatedField(model=PartyOrg, help_text=gettext_lazy("机关党组织"))
    unit_org_name = serializers.CharField(source="unit_org.name", read_only=True)
    unit = serializers.IntegerField(source="unit_org.unit_id", read_only=True)
    village_org = ScopedPrimaryKeyRelatedField(model=PartyOrg, help_text=gettext_lazy("村级党组织"))
    village_org_name = serializers.CharField(source="village_org.name", read_only=True)
    village_code = serializers.CharField(source="village_org.division.code", read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "id",
            "unit_org",
            "unit_org_name",
            "unit",
            "village_org",
            "village_org_name",
            "village_code",
            "started_on",
            "ended_on",
            "note",
            "created_at",
        ]
        read_only_fields = ["ended_on", "created_at"]


class PartnershipEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PartnershipProjectSerializer(ShapeOnlyModelSerializer):
    partnership = ScopedPrimaryKeyRelatedField(model=Partnership)

    class Meta:
        model = PartnershipProject
        fields = [
            "id",
            "partnership",
            "kind",
            "title",
            "funds",
            "status",
            "started_on",
            "finished_on",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


# ---------------------------------------------------------------------------------------------
# Compliance settings
# ---------------------------------------------------------------------------------------------


class ComplianceSettingsSerializer(ShapeOnlyModelSerializer):
    # null until the committee first saves the settings (the defaults are not a stored row)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ComplianceSettings
        fields = [*COMPLIANCE_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]
