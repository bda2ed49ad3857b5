"""Micro-wish serializers. They never save: the viewsets pass `validated_data` to
`guanqing.wishes.services`.

Privacy of the wall: `WallWishSerializer` (members, unit administrators) names the resident by
surname only (张**) and shows the community and district names; never the household, its
address, phone, ID number or the resident's full name. `WishSerializer` (the community's workers
and the committee, who keep the household register anyway) adds the household.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanqing.core.api.base import (
    ScopedCodeRelatedField,
    ScopedPrimaryKeyRelatedField,
    ShapeOnlyModelSerializer,
)
from guanqing.core.api.fields import DisplayField
from guanqing.registry.models import Division, Household
from guanqing.wishes.models import (
    Wish,
    WishClaim,
    WishEvent,
    WishFulfilment,
    WishPhoto,
    WishSettings,
)
from guanqing.wishes.selectors import surname_only
from guanqing.wishes.services import SETTINGS_LIMITS


class WishPostSerializer(ShapeOnlyModelSerializer):
    """What a community worker posts."""

    community = ScopedCodeRelatedField(model=Division, help_text=gettext_lazy("社区/村的区划代码"))
    household = ScopedPrimaryKeyRelatedField(
        model=Household,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("心愿所属的困难家庭（可不填）"),
    )
    capacity = serializers.IntegerField(
        required=False, default=1, help_text=gettext_lazy("可认领人数")
    )

    class Meta:
        model = Wish
        fields = [
            "title",
            "description",
            "category",
            "estimated_cost",
            "deadline",
            "capacity",
            "community",
            "household",
        ]
        extra_kwargs = {"estimated_cost": {"required": False}}


class WishPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = WishPhoto
        fields = ["id", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("api:wish-photo", kwargs={"pk": obj.fulfilment.wish_id, "photo_pk": obj.pk})


class FulfilmentSerializer(serializers.ModelSerializer):
    fulfilled_by_name = serializers.CharField(source="fulfilled_by.name", read_only=True)
    photos = WishPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = WishFulfilment
        fields = [
            "note",
            "money_spent",
            "fulfilled_by",
            "fulfilled_by_name",
            "fulfilled_at",
            "photos",
        ]
        read_only_fields = fields


class WallWishSerializer(serializers.ModelSerializer):
    """A wish as every member sees it on the wall: the resident by surname only."""

    category_display = DisplayField(source="get_category_display")
    status_display = DisplayField(source="get_status_display")
    resident = serializers.SerializerMethodField(help_text=gettext_lazy("居民（只显示姓）"))
    community_code = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    district_name = serializers.SerializerMethodField(
        help_text=gettext_lazy("今天的区县（撤并的计入今天的区县）")
    )
    places_left = serializers.IntegerField(read_only=True)
    fulfilment = serializers.SerializerMethodField()
    _fulfilment_serializer = None

    class Meta:
        model = Wish
        fields = [
            "id",
            "title",
            "description",
            "category",
            "category_display",
            "estimated_cost",
            "deadline",
            "capacity",
            "claimed_count",
            "places_left",
            "status",
            "status_display",
            "resident",
            "community_code",
            "community_name",
            "district_name",
            "published_at",
            "fulfilled_at",
            "confirmed_at",
            "fulfilment",
        ]
        read_only_fields = fields

    def get_resident(self, obj) -> str:
        return surname_only(obj.household.head_name) if obj.household_id else ""

    def get_district_name(self, obj) -> str:
        names = self.context.get("district_names") or {}
        return names.get(obj.community.district_id, "")

    @extend_schema_field(FulfilmentSerializer(allow_null=True))
    def get_fulfilment(self, obj):
        try:
            fulfilment = obj.fulfilment
        except WishFulfilment.DoesNotExist:
            return None
        # one nested serializer for the whole list: building its fields for every row cost more
        # than the rest of the row
        if self._fulfilment_serializer is None:
            self._fulfilment_serializer = FulfilmentSerializer(context=self.context)
        return self._fulfilment_serializer.to_representation(fulfilment)


class WishSerializer(WallWishSerializer):
    """A wish as its community's workers and the committee see it: with the household."""

    household = serializers.IntegerField(source="household_id", read_only=True, allow_null=True)
    resident_name = serializers.CharField(
        source="household.head_name", read_only=True, default=None
    )
    posted_by = serializers.CharField(source="posted_by.username", read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)

    class Meta(WallWishSerializer.Meta):
        fields = [
            *WallWishSerializer.Meta.fields,
            "household",
            "resident_name",
            "posted_by",
            "approved_by",
            "review_note",
            "created_at",
        ]
        read_only_fields = fields


class WishClaimSerializer(serializers.ModelSerializer):
    wish_title = serializers.CharField(source="wish.title", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    unit = serializers.IntegerField(source="member.unit_id", read_only=True)
    unit_name = serializers.CharField(source="member.unit.name", read_only=True)
    status_display = DisplayField(source="get_status_display")

    class Meta:
        model = WishClaim
        fields = [
            "id",
            "wish",
            "wish_title",
            "member",
            "member_name",
            "unit",
            "unit_name",
            "status",
            "status_display",
            "due_on",
            "reason",
            "created_at",
            "ended_at",
        ]
        read_only_fields = fields


class WishEventSerializer(serializers.ModelSerializer):
    kind_display = DisplayField(source="get_kind_display")
    from_status_display = DisplayField(source="get_from_status_display")
    to_status_display = DisplayField(source="get_to_status_display")

    class Meta:
        model = WishEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "claim",
            "actor_name",
            "from_status",
            "from_status_display",
            "to_status",
            "to_status_display",
            "note",
            "at",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text=gettext_lazy("原因")
    )


class FulfilSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=gettext_lazy("实现情况")
    )
    money_spent = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        default=0,
        help_text=gettext_lazy("花费（元）"),
    )
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=gettext_lazy("JPEG、PNG 或 WebP，每张不超过 5 MB"),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=200, allow_blank=True, help_text=gettext_lazy("一次性确认码")
    )


class ConfirmationCodeSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text=gettext_lazy("一次性确认码"))
    confirm_path = serializers.CharField(read_only=True)


class ConfirmedSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class WishSettingsSerializer(ShapeOnlyModelSerializer):
    # null until the committee first saves the settings (the defaults are not a stored row)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WishSettings
        fields = [*SETTINGS_LIMITS, "updated_at"]
        read_only_fields = ["updated_at"]
