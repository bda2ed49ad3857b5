"""Registry endpoints. Reads go through `visible_to(user)`, writes through the service functions.

Records are never deleted here: a division is abolished, a member or household changes status.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanqing.core.api.base import ServiceCreateMixin, ServiceUpdateMixin
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.registry import selectors, services
from guanqing.registry.access import access
from guanqing.registry.api import serializers as s
from guanqing.registry.filters import (
    DivisionFilter,
    HouseholdFilter,
    MemberFilter,
    PartyOrgFilter,
    UnitFilter,
)
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit


class RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """List, detail, create and update; records are ended by status, never deleted.

    The registry's API is for the business roles and the system administrator (who binds accounts
    to units, communities and members); what each sees is its scope."""

    access = access
    access_rule = "read"


class RevealMixin:
    """POST {id}/reveal/: the full ID number, for a record in scope, with the permission (audited
    by the service)."""

    def reveal_response(self, obj):
        number = services.id_number_reveal(actor=self.request.user, obj=obj)
        return Response({"id_number": number})


REVEAL_SCHEMA = extend_schema(
    request=None,
    responses={
        200: s.RevealSerializer,
        403: OpenApiResponse(description=gettext_lazy("没有查看完整证件号的授权")),
        404: OpenApiResponse(description=gettext_lazy("不存在或不在权限范围内")),
    },
    summary=gettext_lazy("查看完整身份证号（记入审计日志）"),
)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("行政区划列表")),
    create=extend_schema(summary=gettext_lazy("新增行政区划（机关工委）")),
)
class DivisionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ScopedViewSet,
):
    """行政区划 Divisions (GB/T 2260): reference data for every business role. The committee adds
    them and abolishes or merges them; history stays, `current_district` rolls old ones up."""

    model = Division
    serializer_class = s.DivisionSerializer
    filterset_class = DivisionFilter
    select_related = ("parent", "district", "successor")
    ordering_fields = ["code", "name", "level", "valid_from", "valid_until"]
    ordering = ["code"]
    access = access
    access_rule = "read"
    create_rule = "create_division"

    def service_create(self, data):
        return services.division_create(actor=self.request.user, **data)

    @extend_schema(
        request=s.DivisionAbolishSerializer,
        responses={200: s.DivisionSerializer},
        summary=gettext_lazy("撤销或合并行政区划（机关工委）"),
    )
    @action(detail=True, methods=["post"])
    def abolish(self, request, pk=None):
        division = self.get_object()
        self.check_edit_permission(division)
        serializer = s.DivisionAbolishSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        division = services.division_abolish(
            actor=request.user, division=division, **serializer.validated_data
        )
        return self.respond_with(self.read_back(division))


class UnitViewSet(RegistryViewSet):
    """市直机关单位 Units. The committee adds and changes them."""

    model = Unit
    serializer_class = s.UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["name", "sort_order", "created_at", "updated_at"]
    ordering = ["sort_order", "name"]
    create_rule = "create_unit"

    def service_create(self, data):
        return services.unit_create(actor=self.request.user, **data)

    def service_update(self, obj, data):
        return services.unit_update(actor=self.request.user, unit=obj, **data)


class PartyOrgViewSet(RegistryViewSet):
    """党组织 Party organisations of the units (and of villages)."""

    model = PartyOrg
    serializer_class = s.PartyOrgSerializer
    filterset_class = PartyOrgFilter
    select_related = ("unit", "division")
    ordering_fields = ["name", "kind", "created_at", "updated_at"]
    create_rule = "create_partyorg"

    def service_create(self, data):
        return services.party_org_create(actor=self.request.user, **data)

    def service_update(self, obj, data):
        return services.party_org_update(actor=self.request.user, org=obj, **data)


class MemberViewSet(RevealMixin, RegistryViewSet):
    """党员 Members. `id_number` is masked on read; send the full number to write it."""

    model = Member
    serializer_class = s.MemberSerializer
    filterset_class = MemberFilter
    select_related = ("unit", "home_community")
    ordering_fields = ["name", "rank", "joined_party", "created_at", "updated_at"]
    create_rule = "create_member"

    def service_create(self, data):
        data["id_number"] = data.get("id_number", "")
        return services.member_create(actor=self.request.user, **data)

    def service_update(self, obj, data):
        return services.member_update(actor=self.request.user, member=obj, **data)

    @REVEAL_SCHEMA
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        return self.reveal_response(self.get_object())


class HouseholdViewSet(RevealMixin, RegistryViewSet):
    """困难家庭 Households in difficulty with their 五清 profile and people.

    `id_number` (the head's) is masked on read; `community` is the 12-digit code of a 社区/村.
    """

    model = Household
    serializer_class = s.HouseholdSerializer
    filterset_class = HouseholdFilter
    select_related = ("community",)
    prefetch_related = ("people",)
    ordering_fields = ["head_name", "category", "status", "created_at", "updated_at"]
    create_rule = "create_household"

    def service_create(self, data):
        data["id_number"] = data.get("id_number", "")
        data["people"] = [dict(person) for person in data.get("people", [])]
        return services.household_create(actor=self.request.user, **data)

    def service_update(self, obj, data):
        return services.household_update(actor=self.request.user, household=obj, **data)

    @REVEAL_SCHEMA
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        return self.reveal_response(self.get_object())

    @extend_schema(
        responses={200: s.TimelineEventSerializer(many=True)},
        summary=gettext_lazy("家庭变更时间线"),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request, pk=None):
        household = self.get_object()
        events = selectors.household_timeline(household)
        page = self.paginate_queryset(events)
        serializer = s.TimelineEventSerializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        methods=["GET"],
        responses={200: s.PersonSerializer(many=True)},
        summary=gettext_lazy("家庭成员"),
    )
    @extend_schema(
        methods=["POST"],
        request=s.PersonSerializer,
        responses={201: s.PersonSerializer},
        summary=gettext_lazy("新增家庭成员"),
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def people(self, request, pk=None):
        household = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            people = Person.objects.visible_to(request.user).filter(household=household)
            return Response(s.PersonSerializer(people, many=True, context=context).data)
        self.check_edit_permission(household)
        serializer = s.PersonSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        person = services.person_add(
            actor=request.user, household=household, **serializer.validated_data
        )
        return Response(
            s.PersonSerializer(person, context=context).data, status=status.HTTP_201_CREATED
        )


class PersonViewSet(
    RevealMixin,
    mixins.RetrieveModelMixin,
    ServiceUpdateMixin,
    ScopedViewSet,
):
    """A person of a household: seen and changed through the household's scope."""

    model = Person
    serializer_class = s.PersonSerializer
    select_related = ("household",)
    access = access
    access_rule = "read"

    def service_update(self, obj, data):
        return services.person_update(actor=self.request.user, person=obj, **data)

    @REVEAL_SCHEMA
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        return self.reveal_response(self.get_object())
