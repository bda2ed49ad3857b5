"""The FilterSets of the training API's lists: by plan, unit, session, role."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from guanqing.core.api.filters import IdFilter, YearFilter
from guanqing.training.choices import LeaderRole, PlanState
from guanqing.training.models import (
    Assignment,
    Participant,
    Plan,
    Preference,
    Session,
    Unavailability,
)


class PlanFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label=_("年度"))
    state = django_filters.ChoiceFilter(choices=PlanState.choices, label=_("状态"))

    class Meta:
        model = Plan
        fields = ["year", "state"]


class SessionFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("轮训计划"))

    class Meta:
        model = Session
        fields = ["plan"]


class ParticipantFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("轮训计划"))
    unit = IdFilter(field_name="unit_id", label=_("单位"))
    leader_role = django_filters.ChoiceFilter(choices=LeaderRole.choices, label=_("单位职务"))
    exempt = django_filters.BooleanFilter(label=_("免训"))

    class Meta:
        model = Participant
        fields = ["plan", "unit", "leader_role", "exempt"]


class UnavailabilityFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="participant__plan_id", label=_("轮训计划"))
    participant = IdFilter(field_name="participant_id", label=_("参训干部"))

    class Meta:
        model = Unavailability
        fields = ["plan", "participant"]


class PreferenceFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="participant__plan_id", label=_("轮训计划"))

    class Meta:
        model = Preference
        fields = ["plan"]


class AssignmentFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="participant__plan_id", label=_("轮训计划"))
    session = IdFilter(field_name="session_id", label=_("期次"))
    unit = IdFilter(field_name="participant__unit_id", label=_("单位"))
    participant = IdFilter(field_name="participant_id", label=_("参训干部"))
    class_number = IdFilter(field_name="class_number", label=_("班次"))  # a whole number from 1
    fixed = django_filters.BooleanFilter(label=_("人工调整"))

    class Meta:
        model = Assignment
        fields = ["plan", "session", "unit", "participant", "class_number", "fixed"]
