"""Service window serializers. They never save: the viewsets pass `validated_data` to
`guanqing.window.services`.

A case's clock (the deadlines moved by its pauses, working days used, early / on time / late,
remaining working days) is `selectors.case_clock`, the same the pages show, computed for each row
from the case's prefetched pauses and the cached official calendar: no query per row.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from stdnum.cn import uscc

from guanqing.core.api.base import IdField, ScopedPrimaryKeyRelatedField
from guanqing.core.api.fields import DisplayField
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.window import rules, selectors
from guanqing.window.choices import (
    ApplicantKind,
    Outcome,
    PauseKind,
)
from guanqing.window.models import (
    Case,
    CaseEvent,
    CaseMissingMaterial,
    CasePause,
    Material,
    Matter,
    Window,
)

# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


class MaterialSerializer(serializers.ModelSerializer):
    form_display = DisplayField(source="get_form_display")

    class Meta:
        model = Material
        fields = ["id", "name", "form", "form_display", "copies", "deferrable", "note"]
        read_only_fields = fields


class MatterSerializer(serializers.ModelSerializer):
    """A matter as its current version describes it (only published matters are listed)."""

    item = serializers.IntegerField(source="item_id", read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.IntegerField(source="item.unit_id", read_only=True)
    unit_name = serializers.CharField(source="item.unit.name", read_only=True)
    version = serializers.IntegerField(source="current.number", read_only=True)
    valid_from = serializers.DateField(source="current.valid_from", read_only=True)
    kind = serializers.CharField(source="current.kind", read_only=True)
    kind_display = DisplayField(source="current.get_kind_display")
    promised_workdays = serializers.IntegerField(
        source="current.promised_workdays",
        read_only=True,
        help_text=gettext_lazy("承诺办结时限（工作日）"),
    )
    statutory_workdays = serializers.IntegerField(
        source="current.statutory_workdays",
        read_only=True,
        help_text=gettext_lazy("法定办结时限（工作日）"),
    )
    fee = serializers.DecimalField(
        source="current.fee", max_digits=12, decimal_places=2, read_only=True
    )
    fee_note = serializers.CharField(source="current.fee_note", read_only=True)
    legal_basis = serializers.CharField(source="current.legal_basis", read_only=True)
    materials = MaterialSerializer(source="current.materials", many=True, read_only=True)

    class Meta:
        model = Matter
        fields = [
            "id",
            "code",
            "name",
            "item",
            "item_code",
            "item_name",
            "unit",
            "unit_name",
            "version",
            "valid_from",
            "kind",
            "kind_display",
            "promised_workdays",
            "statutory_workdays",
            "fee",
            "fee_note",
            "legal_basis",
            "is_active",
            "materials",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------------------------------------
# Cases: what the clerk sends
# ---------------------------------------------------------------------------------------------


class MatterCodeField(serializers.SlugRelatedField):
    """A matter by its code, among the published matters the user sees."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("办理项 {value} 不存在或尚未发布"),
        "invalid": gettext_lazy("请填写办理项编码"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Matter.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return (
            Matter.objects.visible_to(getattr(request, "user", None))
            .filter(is_active=True, current__isnull=False)
            .select_related("current")
        )

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip() or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data.strip())


class ApplicantSerializer(serializers.Serializer):
    """Who applies: a person with an ID number or an enterprise with its 统一社会信用代码 (the
    services check the number); without `applicant_kind`, a valid 统一社会信用代码 makes it an
    enterprise."""

    applicant_kind = serializers.ChoiceField(
        choices=ApplicantKind.choices,
        required=False,
        help_text=gettext_lazy("申请人类型；不填时按证件号码判断"),
    )
    applicant_name = serializers.CharField(max_length=100)
    applicant_id = serializers.CharField(
        max_length=30, help_text=gettext_lazy("身份证号码或统一社会信用代码")
    )
    applicant_phone = serializers.CharField(max_length=20)

    def validate(self, attrs):
        if not attrs.get("applicant_kind"):
            number = attrs["applicant_id"].strip().upper()
            attrs["applicant_kind"] = (
                ApplicantKind.ENTERPRISE if uscc.is_valid(number) else ApplicantKind.PERSON
            )
        return attrs


class CaseAcceptSerializer(ApplicantSerializer):
    """受理 What the clerk sends to accept a case (容缺受理: the deferred materials, the date they
    come by and the applicant's promise)."""

    matter = MatterCodeField(help_text=gettext_lazy("办理项编码"))
    window = ScopedPrimaryKeyRelatedField(
        model=Window,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("受理窗口；受理员只在一个窗口时可不填"),
    )
    accepted_on = serializers.DateField(help_text=gettext_lazy("受理日期（今天或补录的过去日期）"))
    deferred_materials = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        max_length=200,
        help_text=gettext_lazy("容缺的材料（材料编号）"),
    )
    supply_by = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("容缺材料补齐期限")
    )
    deferral_promise = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=LONG_TEXT_MAX,
        help_text=gettext_lazy("申请人的书面承诺"),
    )


class CaseCorrectionSerializer(ApplicantSerializer):
    """一次性告知补正 Every missing item listed at once; the clock has not started."""

    matter = MatterCodeField(help_text=gettext_lazy("办理项编码"))
    window = ScopedPrimaryKeyRelatedField(
        model=Window,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("受理窗口；受理员只在一个窗口时可不填"),
    )
    received_on = serializers.DateField(help_text=gettext_lazy("收件日期"))
    missing = serializers.ListField(
        child=serializers.CharField(max_length=200),
        min_length=1,
        max_length=200,
        help_text=gettext_lazy("需补正的全部材料"),
    )


class AcceptCorrectedSerializer(serializers.Serializer):
    accepted_on = serializers.DateField(help_text=gettext_lazy("受理日期"))
    deferred_materials = serializers.ListField(
        child=IdField(), required=False, default=list, max_length=200
    )
    supply_by = serializers.DateField(required=False, allow_null=True, default=None)
    deferral_promise = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX
    )


class RefuseSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=gettext_lazy("日期"))
    reason = serializers.CharField(max_length=LONG_TEXT_MAX, help_text=gettext_lazy("不予受理理由"))


class DateSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=gettext_lazy("日期"))


class PauseSerializer(DateSerializer):
    kind = serializers.ChoiceField(choices=PauseKind.choices, help_text=gettext_lazy("中止事由"))
    reason = serializers.CharField(max_length=LONG_TEXT_MAX, help_text=gettext_lazy("说明"))


class CompleteSerializer(DateSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, help_text=gettext_lazy("办理结果"))
    note = serializers.CharField(
        max_length=LONG_TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("结果说明（不予许可时写明理由）"),
    )


class SupplySerializer(DateSerializer):
    materials = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=200,
        help_text=gettext_lazy("补齐的容缺材料（材料编号）"),
    )


# ---------------------------------------------------------------------------------------------
# Cases: what the API shows
# ---------------------------------------------------------------------------------------------


class CasePauseSerializer(serializers.ModelSerializer):
    # the values are PauseRequest's `kind` (one enum in the schema, not two)
    kind = serializers.CharField(read_only=True)
    kind_display = DisplayField(source="get_kind_display")

    class Meta:
        model = CasePause
        fields = ["id", "kind", "kind_display", "reason", "started_on", "ended_on"]
        read_only_fields = fields


class MissingMaterialSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="material.name", read_only=True)
    form = serializers.CharField(source="material.form", read_only=True)
    form_display = DisplayField(source="material.get_form_display")

    class Meta:
        model = CaseMissingMaterial
        fields = ["id", "material", "name", "form", "form_display", "supplied_on"]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    # plain strings in the schema: the states are the case's `state` values (one enum, not three)
    kind = serializers.CharField(read_only=True)
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    kind_display = DisplayField(source="get_kind_display")
    actor_name = serializers.SerializerMethodField()
    from_state_display = DisplayField(source="get_from_state_display")
    to_state_display = DisplayField(source="get_to_state_display")

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "on",
            "actor_name",
            "from_state",
            "from_state_display",
            "to_state",
            "to_state_display",
            "note",
            "at",
        ]
        read_only_fields = fields

    def get_actor_name(self, obj) -> str:
        return "" if obj.actor_id is None else str(obj.actor)


def clock_of(case: Case, context) -> selectors.CaseClock:
    """The case's clock (`selectors.case_clock`), once per row; a year the official calendar lacks
    leaves the derived values empty (never a guess) and shows the stored deadlines."""
    cached = getattr(case, "_api_clock", None)
    if cached is None:
        today = context.get("today") or business_date()
        due_soon = context.get("due_soon_workdays")
        try:
            cached = selectors.case_clock(case, today=today, due_soon_workdays=due_soon)
        except CalendarYearMissing:
            cached = selectors.CaseClock(
                deadline=case.deadline,
                statutory_deadline=case.statutory_deadline,
                workdays_used=None,
                paused_workdays=0,
                remaining_workdays=None,
                timing=None,
            )
        case._api_clock = cached
    return cached


class CaseListSerializer(serializers.ModelSerializer):
    """A case in a list (the clerk's queue, the unit's and the committee's boards)."""

    state_display = DisplayField(source="get_state_display")
    window_name = serializers.CharField(source="window.name", read_only=True)
    unit = serializers.IntegerField(source="window.unit_id", read_only=True)
    unit_name = serializers.CharField(source="window.unit.name", read_only=True)
    matter = serializers.CharField(
        source="version.matter.code", read_only=True, help_text=gettext_lazy("办理项编码")
    )
    matter_name = serializers.CharField(source="version.matter.name", read_only=True)
    promised_workdays = serializers.IntegerField(source="version.promised_workdays", read_only=True)
    statutory_workdays = serializers.IntegerField(
        source="version.statutory_workdays", read_only=True
    )
    applicant_kind_display = DisplayField(source="get_applicant_kind_display")
    deadline = serializers.SerializerMethodField(
        help_text=gettext_lazy("承诺办结日期（按中止顺延；中止中按至今天计）")
    )
    statutory_deadline = serializers.SerializerMethodField(
        help_text=gettext_lazy("法定办结日期（按中止顺延）")
    )
    workdays_used = serializers.SerializerMethodField(
        help_text=gettext_lazy("已用工作日（不含中止）")
    )
    timing = serializers.SerializerMethodField(
        help_text="early | on_time | late | open | due_soon | overdue"
    )
    timing_display = serializers.SerializerMethodField()
    early = serializers.SerializerMethodField(
        help_text=gettext_lazy("是否提前办结（早于承诺办结日期）")
    )
    remaining_workdays = serializers.SerializerMethodField(
        help_text=gettext_lazy("剩余工作日（超期为负）")
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "receipt_no",
            "state",
            "state_display",
            "window",
            "window_name",
            "unit",
            "unit_name",
            "matter",
            "matter_name",
            "promised_workdays",
            "statutory_workdays",
            "applicant_kind",
            "applicant_kind_display",
            "applicant_name",
            "received_on",
            "accepted_on",
            "deadline",
            "statutory_deadline",
            "supply_by",
            "outcome",
            "completed_on",
            "delivered_on",
            "terminated_on",
            "workdays_used",
            "timing",
            "timing_display",
            "early",
            "remaining_workdays",
        ]
        read_only_fields = fields

    def clock(self, obj) -> selectors.CaseClock:
        return clock_of(obj, self.context)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_deadline(self, obj):
        return self.clock(obj).deadline

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_statutory_deadline(self, obj):
        return self.clock(obj).statutory_deadline

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_workdays_used(self, obj):
        return self.clock(obj).workdays_used

    @extend_schema_field(serializers.ChoiceField(choices=rules.Timing.choices, allow_null=True))
    def get_timing(self, obj):
        timing = self.clock(obj).timing
        return None if timing is None else rules.Timing(timing).value

    @extend_schema_field(serializers.CharField())
    def get_timing_display(self, obj) -> str:
        timing = self.clock(obj).timing
        return "" if timing is None else str(rules.Timing(timing).label)

    @extend_schema_field(serializers.BooleanField())
    def get_early(self, obj) -> bool:
        return self.clock(obj).early

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_remaining_workdays(self, obj):
        return self.clock(obj).remaining_workdays


class CaseSerializer(CaseListSerializer):
    """A case with its whole story: pauses, deferred materials and the timeline."""

    applicant_id_masked = serializers.SerializerMethodField(
        help_text=gettext_lazy("证件号码（个人打码；统一社会信用代码公开）")
    )
    handled_by_name = serializers.SerializerMethodField()
    matter_kind = serializers.CharField(source="version.kind", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    pauses = CasePauseSerializer(many=True, read_only=True)
    missing_materials = MissingMaterialSerializer(many=True, read_only=True)
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "matter_kind",
            "version",
            "applicant_id_masked",
            "applicant_phone",
            "handled_by_name",
            "correction_note",
            "refusal_reason",
            "deferral_promise",
            "outcome_note",
            "pauses",
            "missing_materials",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_applicant_id_masked(self, obj) -> str:
        if obj.credit_code:
            return obj.credit_code
        return obj.masked_id_number() if obj.id_number_encrypted else ""

    def get_handled_by_name(self, obj) -> str:
        return str(obj.handled_by)
