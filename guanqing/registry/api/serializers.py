"""Registry serializers: the shape of the input and the masked form of the output.

They never save: the viewsets pass `validated_data` to the service functions in
`guanqing.registry.services`, which check the business rules and write the audit log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanqing.core import sensitive
from guanqing.core.api.base import (
    ScopedCodeRelatedField,
    ScopedPrimaryKeyRelatedField,
    ShapeOnlyModelSerializer,
)
from guanqing.core.api.fields import DisplayField
from guanqing.core.models import AuditEvent
from guanqing.core.policy import request_policy
from guanqing.registry import services
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit
from guanqing.registry.selectors import current_district_map


class MaskedIdNumberField(serializers.CharField):
    """Writes take the full ID number; reads show it masked by the security policy in force."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault(
            "help_text",
            "18 位身份证号码；读取时按安全策略遮蔽 / 18-character ID number, masked on read",
        )
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value:
            # checked here as well as in the service, so one 400 names every malformed field
            value = _django_to_drf(sensitive.validate_id_number, value)
        return value

    def to_representation(self, obj):
        if not obj.id_number_encrypted:
            return ""
        return services.masked(obj, request_policy(self.context.get("request")))


def _django_to_drf(validate, value):
    try:
        return validate(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


def _code(division) -> str | None:
    return division.code if division is not None else None


# ---------------------------------------------------------------------------------------------
# Divisions
# ---------------------------------------------------------------------------------------------


def _current_district_codes(context: dict) -> dict[int, str]:
    """{district id: code of the district it belongs to today}, computed once per response."""
    codes = context.get("_current_district_codes")
    if codes is None:
        mapping = current_district_map()
        code_of = dict(Division.objects.districts().values_list("pk", "code"))
        codes = {pk: code_of.get(current) for pk, current in mapping.items()}
        context["_current_district_codes"] = codes
    return codes


class DivisionSerializer(ShapeOnlyModelSerializer):
    parent = ScopedCodeRelatedField(
        model=Division, required=False, allow_null=True, help_text=gettext_lazy("上级区划代码")
    )
    gb_code = serializers.CharField(read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    current_district = serializers.SerializerMethodField(
        help_text=gettext_lazy("合并、更名后今天所属的区县代码")
    )

    class Meta:
        model = Division
        fields = [
            "id",
            "code",
            "gb_code",
            "name",
            "level",
            "kind",
            "parent",
            "district",
            "valid_from",
            "valid_until",
            "successor",
            "current_district",
            "note",
        ]
        read_only_fields = ["level", "valid_until"]
        extra_kwargs = {
            "code": {"help_text": "6、9 或 12 位区划代码 / 6, 9 or 12-digit division code"}
        }

    @extend_schema_field(serializers.CharField(allow_null=True))  # null without a district
    def get_current_district(self, obj) -> str | None:
        if obj.district_id is None:
            return None
        return _current_district_codes(self.context).get(obj.district_id)


class DivisionAbolishSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=gettext_lazy("撤销日期"))
    successor = ScopedCodeRelatedField(
        model=Division, required=False, allow_null=True, help_text=gettext_lazy("并入的区划代码")
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


# ---------------------------------------------------------------------------------------------
# Units and party organisations
# ---------------------------------------------------------------------------------------------


class UnitSerializer(ShapeOnlyModelSerializer):
    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "credit_code",
            "address",
            "sort_order",
            "is_active",
            "created_at",
            "updated_at",
        ]


class PartyOrgSerializer(ShapeOnlyModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    division = ScopedCodeRelatedField(
        model=Division, required=False, allow_null=True, help_text=gettext_lazy("村/社区代码")
    )
    parent = ScopedPrimaryKeyRelatedField(model=PartyOrg, required=False, allow_null=True)

    class Meta:
        model = PartyOrg
        fields = [
            "id",
            "name",
            "kind",
            "unit",
            "unit_name",
            "division",
            "parent",
            "created_at",
            "updated_at",
        ]


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


class MemberSerializer(ShapeOnlyModelSerializer):
    id_number = MaskedIdNumberField()
    gender = serializers.ChoiceField(
        choices=Member._meta.get_field("gender").choices, required=False, allow_blank=True
    )
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    branch = ScopedPrimaryKeyRelatedField(model=PartyOrg, required=False, allow_null=True)
    home_community = ScopedCodeRelatedField(
        model=Division, required=False, allow_null=True, help_text=gettext_lazy("居住社区代码")
    )
    home_community_name = serializers.CharField(
        source="home_community.name", read_only=True, default=None
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "id_number",
            "mobile",
            "rank",
            "unit",
            "unit_name",
            "branch",
            "home_community",
            "home_community_name",
            "joined_party",
            "status",
            "created_at",
            "updated_at",
        ]

    # ---------------------------------------------------------------------------------------------
    # Households and people
    # ---------------------------------------------------------------------------------------------

    def validate_mobile(self, value):
        return _django_to_drf(sensitive.validate_mobile, value) if value else value


class PersonSerializer(ShapeOnlyModelSerializer):
    id_number = MaskedIdNumberField()
    household = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "name",
            "relation",
            "gender",
            "birth_date",
            "id_number",
            "health",
            "occupation",
            "note",
        ]


class HouseholdSerializer(ShapeOnlyModelSerializer):
    id_number = MaskedIdNumberField()
    community = ScopedCodeRelatedField(
        model=Division,
        required=False,
        help_text="社区/村的 12 位区划代码 / 12-digit code of the community or village",
    )
    community_name = serializers.CharField(source="community.name", read_only=True)
    people = PersonSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("新增时可一并登记家庭成员；之后用 /households/{id}/people/"),
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "head_name",
            "head_gender",
            "id_number",
            "phone",
            "community",
            "community_name",
            "address",
            "category",
            "status",
            "situation",
            "hardship_cause",
            "outlook",
            "skills",
            "needs",
            "people",
            "created_at",
            "updated_at",
        ]

    def validate_people(self, value):
        if self.instance is not None:
            raise serializers.ValidationError(
                _("修改家庭成员请用 /households/{id}/people/ 和 /people/{id}/")
            )
        return value

    def validate_phone(self, value):
        return _django_to_drf(sensitive.validate_phone, value) if value else value


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField(read_only=True)


class TimelineEventSerializer(serializers.ModelSerializer):
    """One entry of a household's timeline: who, when, what, and the changed fields (old → new)."""

    actor = serializers.CharField(source="actor_username", read_only=True)
    action_display = DisplayField(source="get_action_display")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "action_display",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "message",
        ]
        read_only_fields = fields
