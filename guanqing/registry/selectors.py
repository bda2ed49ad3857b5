"""Reads that need scope or roll-up: always start from `visible_to(user)`."""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import counters, sensitive
from guanqing.core.audit import labels as audit_labels
from guanqing.core.ids import is_digits
from guanqing.core.models import AuditEvent
from guanqing.core.scope.querysets import is_every_row
from guanqing.registry import counts
from guanqing.registry.models import Division, Household, Member, Unit


def _district_successors() -> dict[int, int | None]:
    return dict(Division.objects.districts().values_list("pk", "successor_id"))


def _chain(pk: int, successor: dict[int, int | None]) -> list[int]:
    """pk, then what it was merged into or renamed as, and so on to today's district."""
    chain = [pk]
    while successor.get(chain[-1]) and successor[chain[-1]] not in chain:
        chain.append(successor[chain[-1]])
    return chain


def current_district_map() -> dict[int, int]:
    """{district id: id of the district it is part of today}, following mergers and renamings."""
    successor = _district_successors()
    return {pk: _chain(pk, successor)[-1] for pk in successor}


def district_ids_rolling_up_to(district: Division) -> list[int]:
    """The district and every district merged into it, directly or through others.

    Today's 鄞州区 gathers the old 江东区; the old 江东区 itself is only itself (and whatever
    had been merged into it before it was abolished).
    """
    successor = _district_successors()
    return [pk for pk in successor if district.pk in _chain(pk, successor)]


def households_in_current_district(queryset, district: Division):
    return queryset.filter(community__district_id__in=district_ids_rolling_up_to(district))


def household_counts_by_district(user) -> list[dict]:
    """Households the user sees, counted by today's district (old districts rolled up)."""
    households = Household.objects.visible_to(user)
    if is_every_row(households):  # the committee: the households of each community, kept counted
        rows = counters.by_group_of(counts.HOUSEHOLDS_BY_COMMUNITY, Division, "district").items()
    else:
        rows = households.values_list("community__district_id").annotate(n=Count("pk")).order_by()
    mapping = current_district_map()
    totals: Counter[int] = Counter()
    for original, n in rows:
        totals[mapping.get(original, original)] += n
    names = dict(Division.objects.filter(pk__in=totals).values_list("pk", "name"))
    return sorted(
        (
            {"district_id": pk, "district": names.get(pk, "—"), "households": n}
            for pk, n in totals.items()
        ),
        key=lambda r: -r["households"],
    )


def member_counts_by_unit(user, limit: int | None = None) -> list[dict]:
    """The members the user sees by unit, the largest first (then by the unit's name)."""
    members = Member.objects.visible_to(user)
    if is_every_row(members):  # the committee: the members of each unit, kept counted
        rows = (
            Unit.objects.annotate(n=counters.group_count(counts.MEMBERS_BY_UNIT))
            .filter(n__gt=0)
            .values_list("pk", "name", "n")
            .order_by("-n", "name")
        )
        if limit:  # the largest from the counts (ties at the last one read), not every unit
            rows = rows.filter(pk__in=counters.largest_groups(counts.MEMBERS_BY_UNIT, limit))
    else:
        rows = (
            members.values_list("unit_id", "unit__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "unit__name")
        )
    if limit:
        rows = rows[:limit]
    return [{"unit_id": pk, "unit": name, "members": n} for pk, name, n in rows]


def registry_totals(user) -> dict[str, int]:
    members = Member.objects.visible_to(user)
    households = Household.objects.visible_to(user)
    return {
        "units": Unit.objects.visible_to(user).count(),
        # the committee's totals from the kept counts (a row a community or unit, not a million)
        "members": (
            counters.group_total(counts.MEMBERS_BY_UNIT)
            if is_every_row(members)
            else members.count()
        ),
        "households": (
            counters.group_total(counts.HOUSEHOLDS_BY_COMMUNITY)
            if is_every_row(households)
            else households.count()
        ),
        "communities": Division.objects.visible_to(user).communities().current().count(),
    }


def household_timeline(household: Household):
    """Every recorded change to the household and its people, newest first. (Who looked at a full
    ID number is for the audit administrator, not for the timeline.)

    The caller has already fetched `household` through `visible_to(user)`.
    """
    return AuditEvent.objects.filter(
        root_type="registry.household",
        root_id=str(household.pk),
        action__in=["create", "update", "delete", "import"],
    )


TIMELINE_OBJECT_LABELS = {
    "registry.household": gettext_lazy("家庭"),
    "registry.person": gettext_lazy("家庭成员"),
}


def household_timeline_rows(household: Household, limit: int = 100) -> list[dict]:
    """The household's timeline as the page shows it: who, what, and each change as it reads."""
    rows = []
    for event in household_timeline(household).select_related("actor")[:limit]:
        rows.append(
            {
                "event": event,
                "who": str(event.actor) if event.actor else (event.actor_username or _("系统")),
                "username": event.actor_username,
                "object_label": TIMELINE_OBJECT_LABELS.get(event.object_type, event.object_type),
                "changes": audit_labels.change_rows(event),
                "message": audit_labels.message_label(event.message),
            }
        )
    return rows


def visible_count(queryset, field: str):
    """How many rows of `queryset` point at the outer row through `field`: one subquery, 0 if none.

    `queryset` is already scoped (visible_to), so a count never reveals rows outside the scope."""
    counts = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


# --- searching members, divisions, units and party organisations (the pickers, the account page) -


def members_matching(queryset, text: str):
    """The members of `queryset` found by what was typed: an 18-character ID number (exact, by its
    keyed hash), digits (the start of the mobile number), or else part of the name."""
    text = (text or "").strip()
    if not text:
        return queryset.none()
    if len(text) == 18:
        digest = sensitive.lookup_hash(sensitive.normalize_id_number(text))
        return queryset.filter(id_number_hash=digest)
    if is_digits(text):
        return queryset.filter(mobile__startswith=text)
    return queryset.filter(name__icontains=text)


def members_exactly(queryset, text: str):
    """The members of `queryset` that `text` names exactly: an ID number, a whole mobile number or
    a whole name (for a form sent without choosing from the search results)."""
    text = (text or "").strip()
    if not text:
        return queryset.none()
    if len(text) == 18:
        return members_matching(queryset, text)
    if is_digits(text):
        return queryset.filter(mobile=text)
    return queryset.filter(name=text)


def divisions_matching(queryset, text: str):
    """The divisions of `queryset` found by what was typed: each word is the start of the code or
    part of the name of the division, its street or its district ("海曙 南门" finds the
    communities of 南门街道 in 海曙区)."""
    words = (text or "").split()
    if not words:
        return queryset.none()
    for word in words[:5]:
        if is_digits(word):
            queryset = queryset.filter(code__startswith=word)
        else:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(parent__name__icontains=word)
                | Q(parent__parent__name__icontains=word)
            )
    return queryset


def divisions_exactly(queryset, text: str):
    """The divisions of `queryset` that `text` names exactly: the 6-digit (district) or 12-digit
    code, or the whole name."""
    text = (text or "").strip()
    if not text:
        return queryset.none()
    if is_digits(text):
        if len(text) == 6:
            text = text.ljust(12, "0")
        return queryset.filter(code=text)
    return queryset.filter(name=text)


def units_matching(queryset, text: str):
    """The units of `queryset` found by what was typed: each word is part of the name or the short
    name; an 18-character word is the unified social credit code."""
    words = (text or "").split()
    if not words:
        return queryset.none()
    for word in words[:5]:
        match = Q(name__icontains=word) | Q(short_name__icontains=word)
        if len(word) == 18:
            match |= Q(credit_code__iexact=word)
        queryset = queryset.filter(match)
    return queryset


def units_exactly(queryset, text: str):
    """The units of `queryset` that `text` names exactly: the whole name, short name or credit code."""
    text = (text or "").strip()
    if not text:
        return queryset.none()
    return queryset.filter(Q(name=text) | Q(short_name=text) | Q(credit_code__iexact=text))


def party_orgs_matching(queryset, text: str):
    """The party organisations of `queryset` found by what was typed: each word is part of the
    organisation's name or of its unit's name or short name ("海曙 第一" finds the first branches
    of units named 海曙…)."""
    words = (text or "").split()
    if not words:
        return queryset.none()
    for word in words[:5]:
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(unit__name__icontains=word)
            | Q(unit__short_name__icontains=word)
        )
    return queryset


class PartyOrgOwners:
    """The owners of the party organisations `orgs` (a scoped, filtered queryset), each once and
    in the list's order, as (unit id, None) or (None, village id): the units in their sort order
    (then by name), then the villages by division code. Paginated like a list: its
    length is `count()`, a slice reads only the owners it needs.

    Units and villages are read from their own tables, each kept only if it owns one of `orgs`
    (a semi-join on the organisation's owner index). Sorting the distinct owners of every
    organisation, joined to their units and divisions for the order, took 20 ms for the first
    page at a whole province (30,000 organisations), and counting them 6 ms more."""

    def __init__(self, orgs):
        self.units = Unit.objects.filter(Exists(orgs.filter(unit_id=OuterRef("pk")))).order_by(
            F("sort_order").asc(nulls_last=True), "name", "pk"
        )
        self.village_orgs = orgs.filter(unit__isnull=True)
        self.villages = Division.objects.filter(
            Exists(self.village_orgs.filter(division_id=OuterRef("pk")))
        ).order_by("code", "pk")

    @cached_property
    def unit_count(self) -> int:
        return self.units.count()

    def count(self) -> int:
        villages = self.village_orgs.order_by().values("division_id").distinct().count()
        return self.unit_count + villages

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, rows: slice) -> list[tuple[int | None, int | None]]:
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError("owners are read by a slice of consecutive rows")
        start, stop = rows.start or 0, rows.stop
        if stop is None:
            stop = self.count()
        split = self.unit_count
        owners: list[tuple[int | None, int | None]] = []
        if start < split:
            units = self.units.values_list("pk", flat=True)[start : min(stop, split)]
            owners += [(pk, None) for pk in units]
        if stop > split:
            villages = self.villages.values_list("pk", flat=True)[
                max(start - split, 0) : stop - split
            ]
            owners += [(None, pk) for pk in villages]
        return owners


PARTY_ORG_SEPARATOR = " · "


def party_orgs_exactly(queryset, text: str):
    """The party organisations of `queryset` that `text` names exactly: "单位 · 名称" as the
    picker shows it, or the whole name alone."""
    text = (text or "").strip()
    if not text:
        return queryset.none()
    unit, separator, name = text.rpartition(PARTY_ORG_SEPARATOR.strip())
    if separator and unit.strip() and name.strip():
        return queryset.filter(unit__name=unit.strip(), name=name.strip())
    return queryset.filter(name=text)
