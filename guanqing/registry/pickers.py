"""Searchable pickers: a member, a division, a unit or a party organisation chosen by typing,
never from a list of thousands.

`PickerField` is a drop-in for a ModelChoiceField over Member, Division, Unit or PartyOrg. It
keeps its queryset, so the scope and the validation stay the form's: a posted id outside the
queryset, an unknown id or one past 2^63−1 is an invalid choice. Its widget renders a hidden input with the chosen id, the
chosen record's label and a search box asking `registry:pick` for at most PICK_LIMIT matches.

The search endpoint never takes a queryset from the browser: the picker names a *kind*, registered
here (or by the work method that uses it) with the queryset it stands for and the access rule of
the page the form is on; the endpoint resolves both for the signed-in user.

Without JavaScript the search box is still a plain text input sent with the form: a whole 18-digit
ID number, mobile number, division code or an unambiguous whole name picks the record (from the
same queryset); anything else is refused next to the field with a message saying what to type.

A field given `select_up_to=N` renders a plain drop-down instead while its queryset holds at most N
records (a unit administrator's one unit); the value it sends is read the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanqing.core.ids import parse_id
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Division, Member, PartyOrg, Unit
from guanqing.registry.selectors import (
    PARTY_ORG_SEPARATOR,
    divisions_exactly,
    divisions_matching,
    members_exactly,
    members_matching,
    party_orgs_exactly,
    party_orgs_matching,
    units_exactly,
    units_matching,
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
    # the lookup a search narrows by when the form names a record for it (`within=<id>`): a
    # member's branch is searched among the chosen unit's party organisations
    narrow: str = ""


_KINDS: dict[str, PickerKind] = {}


def register(
    name: str,
    *,
    model: type[Model],
    queryset: Callable[..., QuerySet],
    rule: str,
    narrow: str = "",
):
    """Add a kind (once; registering the same name for something else is a configuration error).
    `narrow` is the lookup (e.g. "unit_id") a search may be narrowed by (see PickerField)."""
    if model not in SOURCES:
        raise ImproperlyConfigured(
            f"picker kind {name!r}: only members, divisions, units, party organisations and the "
            "records of a source added with add_source() are picked"
        )
    kind = PickerKind(name, model, queryset, rule, narrow)
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


def party_org_label(org: PartyOrg) -> str:
    return f"{org.unit}{PARTY_ORG_SEPARATOR}{org.name}" if org.unit_id else org.name


@dataclass(frozen=True)
class Source:
    """How records of one model are searched, named exactly and labelled."""

    matching: Callable[[QuerySet, str], QuerySet]
    exactly: Callable[[QuerySet, str], QuerySet]
    label: Callable[[Model], str]
    related: tuple[str, ...]
    order: tuple[str, ...]
    placeholder: str
    help: str
    # the search result's line, {"pk", "name", "meta", "label"} (the registry's own models have
    # theirs in views_pickers)
    row: Callable[[Model], dict] | None = None


SOURCES: dict[type[Model], Source] = {
    Member: Source(
        members_matching,
        members_exactly,
        member_label,
        ("unit", "branch"),
        ("name", "pk"),
        _("输入姓名、手机号或 18 位证件号"),
        _("搜索后点选一人；也可直接输入完整的 18 位证件号或手机号后保存。"),
    ),
    Division: Source(
        lambda queryset, text: divisions_matching(queryset.current(), text),
        divisions_exactly,
        division_path,
        ("parent__parent",),
        ("code",),
        _("输入名称或区划代码，如：海曙 南门"),
        _("搜索后点选一项；也可直接输入完整的 12 位区划代码后保存。"),
    ),
    Unit: Source(
        units_matching,
        units_exactly,
        str,
        (),
        ("sort_order", "name", "pk"),
        _("输入单位名称或简称，如：纪委"),
        _("搜索后点选一个单位；也可直接输入完整的单位名称后保存。"),
    ),
    PartyOrg: Source(
        party_orgs_matching,
        party_orgs_exactly,
        party_org_label,
        ("unit",),
        ("unit__sort_order", "unit__name", "name", "pk"),
        _("输入单位或党组织名称，如：纪委 第一"),
        _("搜索后点选一个党组织；也可直接输入“单位 · 党组织名称”后保存。"),
    ),
}


def add_source(model: type[Model], source: Source) -> None:
    """Let a work method's own records be picked (its good practices): how they are searched,
    named exactly, labelled and listed. A kind over them is then registered as for the registry's."""
    known = SOURCES.get(model)
    if known is not None and known != source:
        raise ImproperlyConfigured(f"records of {model.__name__} are already picked another way")
    SOURCES[model] = source


def label(obj) -> str:
    return SOURCES[type(obj)].label(obj)


def search(picker: PickerKind, user, text: str, *, within: int | None = None) -> list:
    """At most PICK_LIMIT + 1 records of the kind's queryset for `user` matching `text` (one more
    than shown, so the page can say the list was cut), among those of the record `within` names
    when the kind narrows (a unit's party organisations). Divisions: current ones only."""
    if "\x00" in text:
        return []  # matches nothing (PostgreSQL refuses a NUL byte in a query's text)
    source = SOURCES[picker.model]
    queryset = picker.queryset(user)
    if picker.narrow and within is not None:
        queryset = queryset.filter(**{picker.narrow: within})
    found = source.matching(queryset, text).order_by(*source.order)
    if source.related:
        found = found.select_related(*source.related)
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


register(
    "units",
    model=Unit,
    queryset=lambda user: Unit.objects.visible_to(user).order_by("sort_order", "name", "pk"),
    rule="registry.read",
)


def unit_party_orgs(user):
    """The party organisations of units (not villages') that `user` sees."""
    return PartyOrg.objects.visible_to(user).filter(unit__isnull=False).select_related("unit")


register(
    "unit-party-orgs",
    model=PartyOrg,
    queryset=unit_party_orgs,
    rule="registry.read",
    narrow="unit_id",
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
    select_up_to = 0
    empty_label = "---------"
    search_help = ""
    narrow_by = ""

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

    def _options(self, queryset, chosen) -> list[tuple[str, str, bool]] | None:
        """(value, label, selected) of a drop-down, when the queryset is small enough for one."""
        if not self.select_up_to or queryset is None:
            return None
        records = list(queryset[: self.select_up_to + 1])
        if len(records) > self.select_up_to:
            return None
        options = [] if self.is_required and len(records) == 1 else [("", self.empty_label, False)]
        return options + [
            (str(r.pk), label(r), chosen is not None and r.pk == chosen.pk) for r in records
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self._chosen(value)
        queryset = self._queryset()
        source = SOURCES[queryset.model] if queryset is not None else SOURCES[Member]
        context["widget"]["value"] = str(chosen.pk) if chosen is not None else ""
        context["picker"] = {
            **self._search(name, context, source),
            "chosen": label(chosen) if chosen is not None else "",
            "typed": str(value) if isinstance(value, Typed) else "",
            "options": self._options(queryset, chosen),
            # the form allows this one record only (e.g. an application opened for a person)
            "fixed": getattr(self, "fixed", False) and chosen is not None,
            # the form's field whose choice narrows the search (picker.js sends it as `within`)
            "narrow_by": self.narrow_by,
        }
        return context

    def _search(self, name, context, source) -> dict:
        """What the search box needs: where it asks, its element id, placeholder and help."""
        return {
            "url": reverse("registry:pick", args=[self.kind]),
            "id": context["widget"]["attrs"].get("id") or f"id_{name}",
            "placeholder": source.placeholder,
            "help": self.search_help or source.help,
        }


class PickerField(forms.ModelChoiceField):
    """A ModelChoiceField over members, divisions, units or party organisations that renders a
    search instead of a list (a list while it has at most `select_up_to` records)."""

    widget = PickerWidget
    default_error_messages = {
        "not_found": _("没有与“%(text)s”完全相符的记录，请从搜索结果中选择"),
        "ambiguous": _("“%(text)s”不止一条，请从搜索结果中选择"),
    }

    def __init__(
        self,
        kind: str,
        *,
        queryset=None,
        select_up_to: int = 0,
        empty_label=None,
        search_help="",
        narrow_by: str = "",
        **kwargs,
    ):
        """`empty_label` names the drop-down's empty choice (a filter's "all"); `search_help`
        replaces the search box's help line (a filter is not saved); `narrow_by` names the form's
        field whose choice narrows the search, for a kind registered with `narrow` (a member's
        branch among the chosen unit's party organisations). Only the search is narrowed: what
        the form accepts stays its queryset, and its own checks (a branch of the member's unit)."""
        super().__init__(queryset=queryset, empty_label=None, **kwargs)
        self.kind = kind
        self.widget.kind = kind
        self.widget.select_up_to = select_up_to
        if empty_label is not None:
            self.widget.empty_label = empty_label
        self.widget.search_help = search_help
        self.widget.narrow_by = narrow_by

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
        return _exactly_one(self.queryset, text, self.error_messages)


def _exactly_one(queryset, text: str, messages):
    """The one record of `queryset` that `text` names whole (an ID number, a full name), or the
    field's error saying that none or several do."""
    # a NUL byte names nothing (PostgreSQL refuses one in a query's text)
    found = [] if "\x00" in text else list(SOURCES[queryset.model].exactly(queryset, text)[:2])
    if len(found) == 1:
        return found[0]
    code = "ambiguous" if found else "not_found"
    raise forms.ValidationError(messages[code], code="invalid_choice", params={"text": text[:30]})


class PickerMultipleWidget(PickerWidget):
    """The chosen records as a list of ticked boxes (untick to leave one out), in the order they
    were chosen, and a search that adds to the list; `ordered` adds buttons moving an entry up or
    down. Without JavaScript the boxes are sent as they are, and a whole name typed in the search
    box adds that record."""

    template_name = "registry/pickers/multiple.html"
    allow_multiple_selected = True
    ordered = False
    within = None  # the record the search is narrowed to, fixed by the page (the visit's unit)

    def value_from_datadict(self, data, files, name):
        ids = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if not isinstance(ids, list | tuple):
            ids = [ids] if ids not in (None, "") else []
        text = (data.get(f"{name}_q") or "").strip()
        return [*ids, Typed(text[:100])] if text else list(ids)

    def format_value(self, value):
        return [str(pk) for pk in _ids_in_order(value)]

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        queryset = self._queryset()
        values = value if isinstance(value, list | tuple) else [value]
        typed = next((str(v) for v in values if isinstance(v, Typed)), "")
        pks = _ids_in_order(values)
        found = queryset.in_bulk(pks) if queryset is not None and pks else {}
        source = SOURCES[queryset.model] if queryset is not None else SOURCES[Member]
        context["picker"] = {
            **self._search(name, context, source),
            "entries": [(pk, label(found[pk])) for pk in pks if pk in found],
            "typed": typed,
            "ordered": self.ordered,
            "within": self.within or "",
        }
        return context


def _ids_in_order(values) -> list[int]:
    """The record ids among `values` (a text typed left out), each once, in their order."""
    if values is None or isinstance(values, str | int):
        values = [] if values in (None, "") else [values]
    found: list[int] = []
    for value in values:
        if isinstance(value, Typed):
            continue
        pk = parse_id(getattr(value, "pk", value))
        if pk is not None and pk not in found:
            found.append(pk)
    return found


class PickerMultipleField(forms.ModelMultipleChoiceField):
    """Several records of a picker kind, chosen one by one from a search. Cleans to a list in the
    order they were sent (each once), which `ordered=True` lets the user arrange; a posted id
    outside the queryset, an unknown one or one past 2^63−1 is an invalid choice, as in
    PickerField, and so is a whole name typed that names none or several records."""

    widget = PickerMultipleWidget
    default_error_messages = PickerField.default_error_messages

    def __init__(
        self, kind: str, *, queryset=None, ordered=False, search_help="", within=None, **kwargs
    ):
        """`within`: the id the search is narrowed to, for a kind registered with `narrow` (the
        members of the unit a visit is recorded for); the form still accepts its queryset only."""
        super().__init__(queryset=queryset, **kwargs)
        self.kind = kind
        self.widget.kind = kind
        self.widget.ordered = ordered
        self.widget.search_help = search_help
        self.widget.within = within

    def label_from_instance(self, obj):
        return label(obj)

    def clean(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        typed = [str(v) for v in values if isinstance(v, Typed)]
        sent = [v for v in values if not isinstance(v, Typed) and v not in self.empty_values]
        if not sent and not typed:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        for item in sent:
            if parse_id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:20]},
                )
        pks = _ids_in_order(sent)
        found = self.queryset.in_bulk(pks)
        for pk in pks:
            if pk not in found:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(pk)},
                )
        chosen = [found[pk] for pk in pks]
        for text in typed:
            record = _exactly_one(self.queryset, text, self.error_messages)
            if record not in chosen:
                chosen.append(record)
        self.run_validators(chosen)
        return chosen

    def has_changed(self, initial, data):
        return _ids_in_order(initial) != _ids_in_order(data) or any(
            isinstance(v, Typed) for v in data or []
        )


class FilterPicker:
    """A picker in a page's GET filter (the unit of a figures page): a drop-down while the reader
    sees few records, with `empty_label` ("全市汇总") as its empty choice; a search past that.

    The page reads the chosen id itself (a record outside the reader's scope answers 404 like a
    missing one); `typed(data)` resolves a whole name typed without JavaScript."""

    def __init__(self, kind: str, *, queryset, name: str, empty_label, search_help, up_to=30):
        self.name = name
        self.field = PickerField(
            kind,
            queryset=queryset,
            required=False,
            select_up_to=up_to,
            empty_label=empty_label,
            search_help=search_help,
        )

    def chosen(self, data):
        """(record, error) the filter names in `data`: `?<name>=<id>` within its queryset (404
        outside it, exactly like a missing one), else a whole name typed (`typed`)."""
        wanted = data.get(self.name, "")
        if wanted:
            return get_object_or_404(self.field.queryset, pk=parse_id(wanted) or 0), ""
        return self.typed(data)

    def typed(self, data):
        """(record, "") for text typed in the search box naming one record, (None, message) when
        it names none or several, (None, "") when nothing was typed."""
        text = (data.get(f"{self.name}_q") or "").strip()
        if not text:
            return None, ""
        try:
            return self.field.clean(Typed(text[:100])), ""
        except forms.ValidationError as exc:
            return None, exc.messages[0]

    def render(self, chosen) -> str:
        attrs = {"id": f"id_{self.name}"}
        return self.field.widget.render(self.name, chosen.pk if chosen else "", attrs=attrs)


# The help of a unit filter on a page whose filters are sent with its button (the shared filter bar
# refreshes the list by itself, which PickerFilter's own help says).
SUBMIT_UNIT_FILTER_HELP = _("点选一个单位后按“筛选”；点“重新选择”并清空后不限。")


# A choice of units is a drop-down while the reader sees at most this many, a search past that
# (a province has thousands).
UNITS_IN_A_LIST = 30

# The help of a picker in a list's filter bar, which refreshes the list when a record is chosen.
LIST_FILTER_HELP = _("点选后列表随即更新；点“重新选择”并清空后不限。")


class PickerFilter(django_filters.ModelChoiceFilter):
    """A list filter (django-filter) over a picker kind: a drop-down while the reader sees at most
    `select_up_to` records, a search past that; a whole name typed without JavaScript is read the
    same way. The filter bars (`includes/filters.html`) refresh the list when a record is chosen."""

    field_class = PickerField

    def __init__(self, kind: str, *args, select_up_to: int = 30, **kwargs):
        kwargs.setdefault("empty_label", _("全部"))
        kwargs.setdefault("search_help", LIST_FILTER_HELP)
        super().__init__(*args, kind=kind, select_up_to=select_up_to, **kwargs)


def list_filter_field(
    kind: str, *, queryset, label, select_up_to: int = 30, empty_label=None
) -> PickerField:
    """The picker a list's filter bar shows for an id its FilterSet reads itself (the API's
    `?unit=<id>`): a drop-down while the reader sees at most `select_up_to` records, a search
    past that, `empty_label` ("全部") when none is chosen."""
    return PickerField(
        kind,
        queryset=queryset,
        required=False,
        label=label,
        select_up_to=select_up_to,
        empty_label=empty_label or _("全部"),
        search_help=LIST_FILTER_HELP,
    )


def unit_filter(user, *, empty_label) -> FilterPicker:
    """The unit filter of a figures page for a reader who may choose any unit it sees."""
    return FilterPicker(
        "units",
        queryset=Unit.objects.visible_to(user).order_by("sort_order", "name", "pk"),
        name="unit",
        empty_label=empty_label,
        search_help=_("点选一个单位后按“查看”；点“重新选择”并清空后看全市。"),
    )
