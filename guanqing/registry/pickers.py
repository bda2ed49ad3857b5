"""Searchable pickers: a member or a division chosen by typing, never from a list of thousands.

`PickerField` is a drop-in for a ModelChoiceField over Member or Division. It keeps its queryset,
so the scope and the validation stay the form's: a posted id outside the queryset, an unknown id
or one past 2^63−1 is an invalid choice. Its widget renders a hidden input with the chosen id, the
chosen record's label and a search box asking `registry:pick` for at most PICK_LIMIT matches.

The search endpoint never takes a queryset from the browser: the picker names a *kind*, registered
here (or by the work method that uses it) with the queryset it stands for and the access rule of
the page the form is on; the endpoint resolves both for the signed-in user.

Without JavaScript the search box is still a plain text input sent with the form: a whole 18-digit
ID number, mobile number, division code or an unambiguous whole name picks the record (from the
same queryset); anything else is refused next to the field with a message saying what to type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanqing.core.ids import parse_id
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Division, Member
from guanqing.registry.selectors import (
    divisions_exactly,
    divisions_matching,
    members_exactly,
    members_matching,
)

PICK_LIMIT = 20


# --- kinds: what a picker may offer, resolved on the server ------------------------------------


@dataclass(frozen=True)
class PickerKind:
    """A named set of records a picker offers: `queryset(user)` is exactly what the form using it
    accepts; `rule` ("app.rule") is the access rule of that form's page."""

    name: str
    model: type[Model]
    queryset: Callable[..., QuerySet]
    rule: str


_KINDS: dict[str, PickerKind] = {}


def register(name: str, *, model: type[Model], queryset: Callable[..., QuerySet], rule: str):
    """Add a kind (once; registering the same name for something else is a configuration error)."""
    if model not in (Member, Division):
        raise ImproperlyConfigured(f"picker kind {name!r}: only members and divisions are picked")
    kind = PickerKind(name, model, queryset, rule)
    known = _KINDS.get(name)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"picker kind {name!r} is already registered")
    _KINDS[name] = kind
    return kind


def kind(name: str) -> PickerKind:
    """The kind called `name`; LookupError if none is."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(name) from None


def division_path(division: Division) -> str:
    """区 街道 社区: the division's name after its parents'."""
    names = []
    node = division
    while node is not None:
        names.append(node.name)
        node = node.parent if node.parent_id else None
    return " ".join(reversed(names))


def member_label(member: Member) -> str:
    return f"{member.name} · {member.unit}"


def label(obj) -> str:
    return division_path(obj) if isinstance(obj, Division) else member_label(obj)


def search(picker: PickerKind, user, text: str) -> list:
    """At most PICK_LIMIT + 1 records of the kind's queryset for `user` matching `text` (one more
    than shown, so the page can say the list was cut). Divisions: current ones only."""
    queryset = picker.queryset(user)
    if picker.model is Member:
        found = members_matching(queryset, text).select_related("unit", "branch")
        found = found.order_by("name", "pk")
    else:
        found = divisions_matching(queryset.current(), text).select_related("parent__parent")
        found = found.order_by("code")
    return list(found[: PICK_LIMIT + 1])


# The kinds the registry's own reference data gives every page that reads the registry.
register(
    "divisions",
    model=Division,
    queryset=lambda user=None: (
        Division.objects.current().select_related("parent__parent").order_by("code")
    ),
    rule="registry.read",
)


def active_members(user):
    """The members in office that `user` sees, by unit (the order of the old drop-downs)."""
    return (
        Member.objects.visible_to(user)
        .filter(status=MemberStatus.ACTIVE)
        .select_related("unit")
        .order_by("unit__sort_order", "unit_id", "name")
    )


# --- the form field and its widget --------------------------------------------------------------


class Typed(str):
    """What was typed in the search box when nothing was chosen from the results."""


class PickerWidget(forms.Widget):
    template_name = "registry/pickers/widget.html"
    kind = ""

    def value_from_datadict(self, data, files, name):
        # The page's script empties the search box when a result is chosen (and before sending),
        # so text in it means a form sent without choosing, e.g. without JavaScript: it wins.
        text = (data.get(f"{name}_q") or "").strip()
        return Typed(text[:100]) if text else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def id_for_label(self, id_):
        return f"{id_}_q" if id_ else id_

    def format_value(self, value):
        if isinstance(value, Typed):
            return ""
        pk = parse_id(value)
        return str(pk) if pk is not None else ""

    def _queryset(self):
        return getattr(getattr(self, "choices", None), "queryset", None)

    def _chosen(self, value):
        queryset = self._queryset()
        pk = None if isinstance(value, Typed) else parse_id(value)
        if pk is None or queryset is None:
            return None
        return queryset.filter(pk=pk).first()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self._chosen(value)
        queryset = self._queryset()
        context["widget"]["value"] = str(chosen.pk) if chosen is not None else ""
        context["picker"] = {
            "url": reverse("registry:pick", args=[self.kind]),
            "id": context["widget"]["attrs"].get("id") or f"id_{name}",
            "chosen": label(chosen) if chosen is not None else "",
            "typed": str(value) if isinstance(value, Typed) else "",
            "members": queryset is not None and queryset.model is Member,
            # the form allows this one record only (e.g. an application opened for a person)
            "fixed": getattr(self, "fixed", False) and chosen is not None,
        }
        return context


class PickerField(forms.ModelChoiceField):
    """A ModelChoiceField over members or divisions that renders a search instead of a list."""

    widget = PickerWidget
    default_error_messages = {
        "not_found": _("没有与“%(text)s”完全相符的记录，请从搜索结果中选择"),
        "ambiguous": _("“%(text)s”不止一条，请从搜索结果中选择"),
    }

    def __init__(self, kind: str, *, queryset=None, **kwargs):
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset=queryset, **kwargs)
        self.kind = kind
        self.widget.kind = kind

    def label_from_instance(self, obj):
        return label(obj)

    def to_python(self, value):
        if isinstance(value, Typed):
            return self._from_text(str(value))
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        pk = parse_id(value)
        if pk is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:20]},
            )
        return super().to_python(pk)

    def _from_text(self, text: str):
        exactly = members_exactly if self.queryset.model is Member else divisions_exactly
        found = list(exactly(self.queryset, text)[:2])
        if len(found) == 1:
            return found[0]
        code = "ambiguous" if found else "not_found"
        raise forms.ValidationError(
            self.error_messages[code], code="invalid_choice", params={"text": text[:30]}
        )
