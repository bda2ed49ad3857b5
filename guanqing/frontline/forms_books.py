"""Forms of the 金点子, service brand and pocket book pages. They check shapes and offer only
what the user may pick (its unit, its unit's brands, the approved 金点子 it sees, the solved
problems it sees); `book_services` has the last word on every rule."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.frontline.choices import ProblemState
from guanqing.frontline.models import (
    GoodPractice,
    PracticeState,
    Problem,
    ProblemCategory,
    ServiceBrand,
)
from guanqing.registry import pickers
from guanqing.registry.models import Unit
from guanqing.registry.pickers import UNITS_IN_A_LIST

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _units(user):
    units = Unit.objects.visible_to(user).filter(is_active=True)
    if user.role != Role.COMMITTEE:
        units = units.filter(pk=user.unit_id)
    return units.order_by("name")


# A province has thousands of units: the forms search them (a drop-down while there are few).
pickers.register("frontline-brand-units", model=Unit, queryset=_units, rule="frontline.brands_edit")
pickers.register(
    "frontline-practice-units", model=Unit, queryset=_units, rule="frontline.practice_write"
)


def _practices_matching(queryset, text: str):
    """金点子 whose title, tags, category or unit hold every word of `text`."""
    for word in text.split()[:5]:
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(tags__icontains=word)
            | Q(category_label__icontains=word)
            | Q(unit__name__icontains=word)
            | Q(unit__short_name__icontains=word)
        )
    return queryset


def _practice_label(practice) -> str:
    return f"{practice.title} · {practice.unit.short_name or practice.unit.name}"


def _practice_row(practice) -> dict:
    return {
        "pk": practice.pk,
        "name": practice.title,
        "meta": " · ".join(filter(None, [practice.category_label, str(practice.unit)])),
        "label": _practice_label(practice),
    }


# A book's 金点子 are searched and listed in the order chosen: a province approves thousands.
pickers.add_source(
    GoodPractice,
    pickers.Source(
        matching=_practices_matching,
        exactly=lambda queryset, text: queryset.filter(title=text),
        label=_practice_label,
        related=("unit",),
        order=("title", "pk"),
        placeholder=_("输入标题、标签、类别或单位"),
        help=_("搜索后点选，可选多条；按列出的顺序编排，可上移、下移，取消勾选即不收录。"),
        row=_practice_row,
    ),
)


def _book_practices(user):
    return GoodPractice.objects.visible_to(user).approved().select_related("unit")


pickers.register(
    "book-practices", model=GoodPractice, queryset=_book_practices, rule="frontline.book_build"
)


def _brands(user):
    brands = ServiceBrand.objects.editable_by(user).filter(is_active=True).select_related("unit")
    return brands.order_by("unit__name", "name")


class BrandForm(forms.Form):
    unit = pickers.PickerField(
        "frontline-brand-units",
        label=_("单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
    )
    name = forms.CharField(label=_("品牌名称"), max_length=60)
    slogan = forms.CharField(label=_("口号"), max_length=120, required=False)
    aims = forms.CharField(label=_("品牌宗旨"), widget=TEXTAREA, required=False)
    core_ideas = forms.CharField(label=_("核心理念"), widget=TEXTAREA, required=False)
    measures = forms.CharField(label=_("主要举措"), widget=TEXTAREA, required=False)
    results = forms.CharField(label=_("工作成效"), widget=TEXTAREA, required=False)
    logo = forms.FileField(
        label=_("标识"),
        required=False,
        help_text=_("JPEG、PNG 或 WebP 图片，不超过 2 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)


class PracticeForm(forms.Form):
    unit = pickers.PickerField(
        "frontline-practice-units",
        label=_("单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
    )
    brand = forms.ModelChoiceField(
        label=_("服务品牌"), queryset=ServiceBrand.objects.none(), required=False
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    problem = forms.CharField(label=_("遇到的问题"), widget=TEXTAREA)
    action = forms.CharField(label=_("主要做法"), widget=TEXTAREA)
    result = forms.CharField(label=_("取得成效"), widget=TEXTAREA, required=False)
    category = forms.ModelChoiceField(
        label=_("难题类别"), queryset=ProblemCategory.objects.none(), required=False
    )
    category_label = forms.CharField(
        label=_("分类"),
        max_length=40,
        required=False,
        help_text=_("口袋书按分类编排目录；不填时用难题类别"),
    )
    tags = forms.CharField(
        label=_("标签"), max_length=200, required=False, help_text=_("多个标签用逗号分隔")
    )
    source_problem = forms.CharField(
        label=_("来源难题编号"),
        max_length=40,
        required=False,
        help_text=_("由已办结的难题整理而成时，填写该难题的编号"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)
        self.fields["brand"].queryset = _brands(user)
        self.fields["category"].queryset = ProblemCategory.objects.filter(is_active=True)
        # a closed problem the user sees, by its number (a unit may have thousands: no list)
        self._closed_problems = Problem.objects.visible_to(user).filter(state=ProblemState.CLOSED)
        source = self.initial.get("source_problem")
        if isinstance(source, Problem):
            self.initial["source_problem"] = source.public_id

    def clean_source_problem(self):
        number = (self.cleaned_data.get("source_problem") or "").strip().upper()
        if not number:
            return None
        problem = self._closed_problems.filter(public_id=number).first()
        if problem is None:
            raise forms.ValidationError(_("没有这个编号的已办结难题"))
        return problem


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PracticeFilterForm(forms.Form):
    q = forms.CharField(label=_("标题或标签"), required=False)
    state = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部"))] + list(PracticeState.choices), required=False
    )
    brand = forms.ModelChoiceField(
        label=_("服务品牌"), queryset=ServiceBrand.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = ServiceBrand.objects.visible_to(user).order_by("name")


class BookForm(forms.Form):
    title = forms.CharField(label=_("书名"), max_length=120)
    subtitle = forms.CharField(label=_("副标题"), max_length=120, required=False)
    brand = forms.ModelChoiceField(
        label=_("服务品牌"), queryset=ServiceBrand.objects.none(), required=False
    )
    practices = pickers.PickerMultipleField(
        "book-practices",
        label=_("收录金点子"),
        queryset=GoodPractice.objects.none(),
        required=False,
        ordered=True,
        help_text=_("不选时按下面的条件收录"),
    )
    filter_brand = forms.ModelChoiceField(
        label=_("按品牌收录"), queryset=ServiceBrand.objects.none(), required=False
    )
    filter_category = forms.ModelChoiceField(
        label=_("按类别收录"), queryset=ProblemCategory.objects.none(), required=False
    )
    filter_tags = forms.CharField(label=_("按标签收录"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = _brands(user)
        self.fields["practices"].queryset = _book_practices(user)
        self.fields["filter_brand"].queryset = ServiceBrand.objects.visible_to(user).order_by(
            "name"
        )
        self.fields["filter_category"].queryset = ProblemCategory.objects.all()

    def ordered_practices(self) -> list:
        """The chosen practices in the order they were posted (the field keeps it)."""
        return list(self.cleaned_data.get("practices") or [])
