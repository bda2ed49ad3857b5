"""Forms of the pairing pages; they only shape input, the service functions check and write."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.calendar.workdays import business_date
from guanqing.core.pinyin import pinyin_key
from guanqing.core.ui.forms import IdsChoiceField
from guanqing.pairing.choices import SupportKind, VisitKind
from guanqing.registry import pickers
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Household, Member

# 谈讲访帮扶 as large checkboxes: the short character first, what it means after it.
KIND_CHOICES = [(kind.value, kind.label) for kind in VisitKind]

# The 五清 profile of the household, as `profile_<name>` fields of the visit form.
PROFILE_FIELDS = ["situation", "hardship_cause", "outlook", "skills", "needs"]
PROFILE_PREFIX = "profile_"
HELP_FIELDS = ["cash_amount", "in_kind_value", "in_kind_items", "support_kind", "support_note"]


def _text(value) -> str:
    """Text as stored: browsers send CRLF from a textarea, the database keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def _same_name_label(member) -> str:
    """Two colleagues of the same name are told apart by their branch."""
    branch = member.branch.name if member.branch_id else ""
    return f"{member.name}（{branch or member.pk}）"


# Past this many members, the committee and a unit administrator recording a visit on behalf of
# the unit's members search them rather than tick them in a list (thousands of boxes outweighed
# the rest of the page). A member recording its own visit keeps the list: it names colleagues by
# name only, and a search by mobile or ID number would tell it more.
PARTICIPANT_BOXES_UP_TO = 300
pickers.register(
    "visit-participants",
    model=Member,
    queryset=lambda user: Member.objects.visible_to(user).filter(status=MemberStatus.ACTIVE),
    rule="pairing.manage",  # the committee and a unit administrator: those who record on behalf
    narrow="unit_id",
)


class ParticipantsField(IdsChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class VisitForm(forms.Form):
    """One home visit to a paired household; amounts and dates are checked by `visit_record`, not
    here, so every refusal comes from one place and shows next to its field.

    `colleagues` are the members of the pairing's unit that may be named as participants.
    A member recording its own visit (`on_behalf=False`) is always a participant and may name
    colleagues as extra ones; the committee or a unit administrator records on behalf of members
    (`on_behalf=True`) and must name at least one, the current holder (`holder`) pre-selected.
    `household` pre-fills the 五清 section; only the fields changed are sent to the service."""

    date = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kinds = forms.MultipleChoiceField(
        label=_("走访内容"),
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "kind-check"}),
    )
    notes = forms.CharField(
        label=_("走访记录"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cash_amount = forms.DecimalField(
        label=_("慰问金（元）"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "min": "0"}),
    )
    in_kind_items = forms.CharField(label=_("慰问物品"), required=False, max_length=300)
    in_kind_value = forms.DecimalField(
        label=_("物品折价（元）"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "min": "0"}),
    )
    support_kind = forms.ChoiceField(
        label=_("扶持方式"), choices=SupportKind.choices, initial=SupportKind.NONE
    )
    support_note = forms.CharField(
        label=_("扶持说明"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如介绍的工作岗位、创业项目、技能培训"),
    )
    photo = forms.FileField(
        label=_("照片（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(
        self,
        *args,
        household: Household | None = None,
        colleagues=None,
        holder=None,
        on_behalf: bool = False,
        unit_name: str = "",
        unit_id: int | None = None,
        **kwargs,
    ):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("date", business_date())
        initial.setdefault("kinds", [VisitKind.TALK])
        super().__init__(*args, **kwargs)
        self.household = household
        self.on_behalf = on_behalf
        self.participants_searched = False
        if colleagues is not None:
            if on_behalf and unit_id is not None and colleagues.count() > PARTICIPANT_BOXES_UP_TO:
                self._search_participants(colleagues, holder, unit_id, unit_name)
            else:
                self._add_participants(colleagues, holder, on_behalf, unit_name)
        if household is not None:
            for name in PROFILE_FIELDS:
                self.fields[PROFILE_PREFIX + name] = forms.CharField(
                    label=Household._meta.get_field(name).verbose_name,
                    required=False,
                    strip=False,
                    initial=getattr(household, name),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def _search_participants(self, colleagues, holder, unit_id: int, unit_name: str) -> None:
        invalid = _("只能选择%(unit)s的党员") % {"unit": unit_name or _("本单位")}
        self.participants_searched = True
        self.fields["participants"] = pickers.PickerMultipleField(
            "visit-participants",
            queryset=colleagues,
            required=True,
            within=unit_id,
            label=_("参加党员"),
            search_help=_(
                "搜索本单位党员后点选，可选多人，默认选中现任结对党员，取消勾选即不算在内；"
                "也可直接输入完整的证件号或手机号后保存。"
            ),
            error_messages={"required": _("请选择参加走访的党员"), "invalid_choice": invalid},
        )
        if holder is not None:
            self.initial.setdefault("participants", [holder.pk])

    def _add_participants(self, colleagues, holder, on_behalf: bool, unit_name: str) -> None:
        invalid = _("只能选择%(unit)s的党员") % {"unit": unit_name or _("本单位")}
        field = ParticipantsField(
            queryset=colleagues,
            required=on_behalf,
            label=_("参加党员") if on_behalf else _("同行党员（可选）"),
            help_text=(
                _("可多选；默认选中现任结对党员")
                if on_behalf
                else _("您本人已计入；可再选同单位一起走访的党员")
            ),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "participant-check"}),
            error_messages={
                "required": _("请选择参加走访的党员"),
                "invalid_choice": invalid,
                "invalid_pk_value": invalid,
            },
        )
        # the active colleagues are offered (the holder first); validation accepts the unit's
        shown = [m for m in colleagues if m.status == MemberStatus.ACTIVE or m == holder]
        shown.sort(key=lambda m: (m != holder, pinyin_key(m.name)))
        twice = {name for name, n in Counter(m.name for m in shown).items() if n > 1}
        field.widget.choices = [
            (m.pk, _same_name_label(m) if m.name in twice else m.name) for m in shown
        ]
        if on_behalf and holder is not None:
            self.initial.setdefault("participants", [holder.pk])
        self.fields["participants"] = field

    def profile_fields(self):
        return [self[PROFILE_PREFIX + name] for name in PROFILE_FIELDS if self.household]

    def help_fields(self):
        return [self[name] for name in HELP_FIELDS]

    def has_errors_in(self, names) -> bool:
        return any(name in self.errors for name in names)

    @property
    def help_open(self) -> bool:
        return self.has_errors_in(HELP_FIELDS) or (
            self.is_bound
            and any(
                self.data.get(name) not in (None, "", "0", SupportKind.NONE) for name in HELP_FIELDS
            )
        )

    @property
    def profile_open(self) -> bool:
        return self.has_errors_in(PROFILE_PREFIX + name for name in PROFILE_FIELDS)

    def profile_updates(self) -> dict[str, str]:
        """The 五清 fields the user changed (compared with the household as it is now)."""
        if self.household is None:
            return {}
        changes = {}
        for name in PROFILE_FIELDS:
            value = self.cleaned_data.get(PROFILE_PREFIX + name)
            if value is None:
                continue
            value = _text(value)
            if value != _text(getattr(self.household, name)):
                changes[name] = value
        return changes

    def service_data(self) -> dict:
        data = self.cleaned_data
        photo = data.get("photo")
        return {
            "date": data["date"],
            "kinds": data["kinds"],
            "notes": data["notes"],
            "cash_amount": data["cash_amount"] if data["cash_amount"] is not None else 0,
            "in_kind_items": data["in_kind_items"],
            "in_kind_value": data["in_kind_value"] if data["in_kind_value"] is not None else 0,
            "support_kind": data["support_kind"],
            "support_note": data["support_note"],
            "profile_updates": self.profile_updates(),
            "photos": [photo] if photo else [],
        }

    def field_for_service_key(self, key: str) -> str:
        """The form field a service error key belongs to (`profile_updates.needs` →
        `profile_needs`, `photos[0]` → `photo`)."""
        if key == "photos" or key.startswith("photos["):
            return "photo"
        if key.startswith("profile_updates."):
            return PROFILE_PREFIX + key.split(".", 1)[1]
        return key
