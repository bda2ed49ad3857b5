"""The outreach pages' forms and the FilterSets of the outreach and place lists (shared by the
pages and `/api/v1/frontline/outreach/`, `/api/v1/frontline/places/`).

The forms check shapes only; `outreach_services` has the last word on every rule, and its errors
are shown next to their fields."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.api.filters import IdFilter
from guanqing.core.ids import parse_id
from guanqing.core.pinyin import pinyin_key
from guanqing.core.ui.forms import IdsChoiceField
from guanqing.frontline.choices import PlaceKind
from guanqing.frontline.models import Outreach, Place
from guanqing.frontline.outreach_services import normalize_credit_code, normalize_name
from guanqing.registry import pickers
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Member, Unit
from guanqing.registry.pickers import UNITS_IN_A_LIST
from guanqing.registry.selectors import district_ids_rolling_up_to

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def _district_ids(code: str) -> list[int] | None:
    """The districts rolling up to today's district of this 6- or 12-digit code; None unknown."""
    code = (code or "").strip()
    if not code.isascii() or not code.isdigit() or len(code) not in (6, 12):
        return None
    district = Division.objects.filter(
        code=code.ljust(12, "0"), level=DivisionLevel.DISTRICT
    ).first()
    return district_ids_rolling_up_to(district) if district is not None else []


# Past this many members a unit's cadres are searched, not listed.
CADRE_BOXES_UP_TO = 300
pickers.register(
    "outreach-cadres",
    model=Member,
    queryset=lambda user: Member.objects.visible_to(user),
    rule="frontline.outreach_record",
    narrow="unit_id",
)


class OutreachFilter(django_filters.FilterSet):
    """Visits by place name, unit, place, place kind, district (today's, merged ones rolled up),
    cadre and date range."""

    q = django_filters.CharFilter(method="by_place_name", label=_("走访对象名称"))
    unit = IdFilter(field_name="unit_id", label=_("单位"))
    place = IdFilter(field_name="place_id", label=_("走访对象"))
    kind = django_filters.ChoiceFilter(
        field_name="place__kind", choices=PlaceKind.choices, label=_("走访对象类型")
    )
    district = django_filters.CharFilter(method="by_district", label=_("区县代码"))
    member = IdFilter(method="by_member", label=_("参加干部"))
    date_from = django_filters.DateFilter(
        field_name="visited_on", lookup_expr="gte", label=_("走访日期起")
    )
    date_to = django_filters.DateFilter(
        field_name="visited_on", lookup_expr="lte", label=_("走访日期止")
    )

    class Meta:
        model = Outreach
        fields = ["q", "unit", "place", "kind", "district", "member", "date_from", "date_to"]

    def by_place_name(self, queryset, name, value):
        value = normalize_name(value)
        return queryset.filter(place__name__icontains=value) if value else queryset

    def by_district(self, queryset, name, value):
        ids = _district_ids(value)
        if ids is None:
            return queryset.none()
        return queryset.filter(place__division__district_id__in=ids)

    def by_member(self, queryset, name, value):
        return queryset.filter(
            pk__in=Outreach.cadres.through.objects.filter(member_id=value).values("outreach_id")
        )


class PlaceFilter(django_filters.FilterSet):
    """Places by name (or exact 统一社会信用代码), kind and district."""

    q = django_filters.CharFilter(method="by_text", label=_("名称或统一社会信用代码"))
    kind = django_filters.ChoiceFilter(choices=PlaceKind.choices, label=_("类型"))
    district = django_filters.CharFilter(method="by_district", label=_("区县代码"))
    division = IdFilter(field_name="division_id", label=_("所在区划"))

    class Meta:
        model = Place
        fields = ["q", "kind", "district", "division"]

    def by_text(self, queryset, name, value):
        text = normalize_name(value)
        if not text:
            return queryset
        code = normalize_credit_code(value)
        match = Q(name__icontains=text)
        if len(code) == 18:
            match |= Q(credit_code=code)
        return queryset.filter(match)

    def by_district(self, queryset, name, value):
        ids = _district_ids(value)
        if ids is None:
            return queryset.none()
        return queryset.filter(division__district_id__in=ids)


# --- forms --------------------------------------------------------------------------------------


def division_field(required: bool = True) -> pickers.PickerField:
    """Today's divisions, chosen by a search (区 街道 社区), not from a list of every division."""
    return pickers.PickerField(
        "divisions",
        label=_("所在区划"),
        required=required,
        queryset=pickers.kind("divisions").queryset(None),
    )


class PlaceForm(forms.Form):
    """A place to register (deduplicated by the service)."""

    kind = forms.ChoiceField(label=_("类型"), choices=PlaceKind.choices)
    name = forms.CharField(label=_("名称"), max_length=120)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        required=False,
        help_text=_("企业必填，18 位"),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"] = division_field()
        self.order_fields(["kind", "name", "division", "credit_code", "address"])

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


def outreach_units(user):
    """The units the committee may record a visit for: the active ones it sees."""
    return Unit.objects.visible_to(user).filter(is_active=True).order_by("sort_order", "name")


# A province has thousands of units: the committee searches the one a visit is recorded for (a
# drop-down while there are few; the list of every unit was most of the page's time).
pickers.register(
    "outreach-units", model=Unit, queryset=outreach_units, rule="frontline.outreach_record"
)


class OutreachUnitForm(forms.Form):
    """The committee's first step: the unit the visit is recorded for."""

    unit = pickers.PickerField(
        "outreach-units",
        label=_("单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
        empty_label=_("请选择"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = outreach_units(user)


class OutreachForm(forms.Form):
    """One visit: the date, the place (chosen, or added inline with the `new_` fields), the
    cadres (the unit's members), what was discussed, what was donated."""

    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(**DATE_WIDGET))
    place = forms.CharField(label=_("走访对象"), required=False)
    new_kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("请选择"))] + PlaceKind.choices, required=False
    )
    new_name = forms.CharField(label=_("名称"), max_length=120, required=False)
    new_credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=40, required=False, help_text=_("企业必填，18 位")
    )
    new_address = forms.CharField(label=_("地址"), max_length=200, required=False)
    discussed = forms.CharField(
        label=_("走访内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    donated_money = forms.DecimalField(
        label=_("捐赠资金（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    donated_goods = forms.DecimalField(
        label=_("捐赠物资折价（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    goods_note = forms.CharField(label=_("物资说明"), max_length=200, required=False)

    def __init__(self, *args, members, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_division"] = division_field(required=False)
        # a unit of a few hundred members ticks its cadres in a list it filters by pinyin; a
        # larger one searches them (the list alone outweighed the rest of the page)
        self.cadres_searched = unit is not None and members.count() > CADRE_BOXES_UP_TO
        if self.cadres_searched:
            self.fields["cadres"] = pickers.PickerMultipleField(
                "outreach-cadres",
                label=_("参加干部"),
                queryset=members,
                required=False,
                within=unit.pk,
                search_help=_(
                    "搜索本单位党员后点选，可选多人，取消勾选即不算在内；也可直接输入完整的证件号或手机号后保存。"
                ),
                error_messages={"invalid_choice": _("只能选择本单位的党员")},
            )
            return
        shown = sorted(members, key=lambda m: pinyin_key(m.name))
        self.fields["cadres"] = IdsChoiceField(
            label=_("参加干部"),
            queryset=members,
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "participant-check"}),
            error_messages={"invalid_choice": _("只能选择本单位的党员")},
        )
        self.fields["cadres"].choices = [
            (m.pk, f"{m.name} · {m.get_rank_display()}") for m in shown
        ]

    @property
    def adding_place(self) -> bool:
        data = self.data if self.is_bound else {}
        return bool((data.get("new_name") or "").strip())

    def clean_place(self):
        value = (self.cleaned_data.get("place") or "").strip()
        if not value:
            return None
        pk = parse_id(value)
        place = Place.objects.filter(pk=pk).first() if pk is not None else None
        if place is None:
            raise forms.ValidationError(_("走访对象不存在"))
        return place

    def clean(self):
        data = super().clean()
        chosen = data.get("place") is not None or "place" in self.errors
        if not chosen and not (data.get("new_name") or "").strip():
            self.add_error("place", _("请选择走访对象，或新增一个"))
        return data

    def new_place_data(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data.get("new_kind") or "",
            "name": data.get("new_name") or "",
            "division": data.get("new_division"),
            "credit_code": data.get("new_credit_code") or "",
            "address": data.get("new_address") or "",
        }

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "visited_on": data["visited_on"],
            "cadres": list(data.get("cadres") or []),
            "discussed": data.get("discussed") or "",
            "donated_money": data.get("donated_money") or 0,
            "donated_goods": data.get("donated_goods") or 0,
            "goods_note": data.get("goods_note") or "",
        }
