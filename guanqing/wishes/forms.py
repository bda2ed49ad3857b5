"""Forms of the micro-wish pages; they only shape input, `guanqing.wishes.services` checks and
writes (its refusals are shown next to the field they name)."""

from __future__ import annotations

import datetime
from collections import Counter

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.calendar.workdays import business_date
from guanqing.registry.choices import HouseholdStatus
from guanqing.registry.models import Household
from guanqing.wishes.choices import WishCategory

MONEY_ATTRS = {"step": "0.01", "inputmode": "decimal", "min": "0"}


def _text(value) -> str:
    """Text as stored: browsers send CRLF from a textarea, the database keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


class HouseholdChoiceField(forms.ModelChoiceField):
    """Households of the worker's community, chosen by the head's name; two of the same name are
    told apart by their address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.same_names: set[str] = set()

    def label_from_instance(self, obj):
        label = _("%(name)s户") % {"name": obj.head_name}
        if obj.head_name in self.same_names and obj.address:
            return f"{label}（{obj.address}）"
        return label


class WishPostForm(forms.Form):
    """发布心愿: what a community worker posts for a resident of its own community."""

    title = forms.CharField(
        label=_("心愿"),
        max_length=80,
        help_text=_("一句话写清楚，如“想再去一次东钱湖”"),
    )
    description = forms.CharField(
        label=_("心愿故事"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("心愿墙上全市党员都能看到：不要写居民的全名、住址、电话或证件号"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=WishCategory.choices)
    estimated_cost = forms.DecimalField(
        label=_("预计费用（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    deadline = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    capacity = forms.IntegerField(
        label=_("可认领人数"),
        initial=1,
        help_text=_("几名党员可以一起认领"),
        widget=forms.NumberInput(attrs={"min": "1", "max": "50", "inputmode": "numeric"}),
    )
    household = HouseholdChoiceField(
        label=_("困难家庭（可不填）"),
        queryset=Household.objects.none(),
        required=False,
        empty_label=_("不指定"),
        help_text=_("心愿墙上只显示户主的姓，如“张**”"),
    )

    def __init__(self, *args, households=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("deadline", business_date() + datetime.timedelta(days=30))
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        if households is None:
            del self.fields["household"]
            return
        field.queryset = households.filter(status=HouseholdStatus.ACTIVE).order_by(
            "head_name", "pk"
        )
        counts = Counter(field.queryset.values_list("head_name", flat=True))
        field.same_names = {name for name, n in counts.items() if n > 1}

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": _text(data.get("description")),
            "category": data["category"],
            "estimated_cost": data.get("estimated_cost") or 0,
            "deadline": data["deadline"],
            "capacity": data["capacity"],
            "household": data.get("household"),
        }


class ReasonForm(forms.Form):
    """退出认领 / 审核不通过 / 撤回: the service requires the reason and names it."""

    reason = forms.CharField(
        label=_("原因"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_data(self) -> dict:
        return {"reason": _text(self.cleaned_data.get("reason"))}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明（可不填）"), max_length=300, required=False)

    def service_data(self) -> dict:
        return {"note": _text(self.cleaned_data.get("note"))}


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class FulfilForm(forms.Form):
    """已实现: how the wish came true, the money spent and photos (the service checks them)."""

    note = forms.CharField(
        label=_("实现情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：陪老人去了东钱湖，老人很高兴"),
    )
    money_spent = forms.DecimalField(
        label=_("花费（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    photos = MultiplePhotoField(
        label=_("照片（可选，最多 9 张）"),
        required=False,
        help_text=_("JPEG、PNG 或 WebP，每张不超过 5 MB"),
    )

    def field_for_service_key(self, key: str) -> str:
        """`photos[2]` → `photos`."""
        return "photos" if key.startswith("photos") else key

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "note": _text(data.get("note")),
            "money_spent": data.get("money_spent") or 0,
            "photos": data.get("photos") or [],
        }
