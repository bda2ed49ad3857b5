"""Who is who: divisions, units, party organisations, members, households in difficulty."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core import sensitive
from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.registry.choices import (
    DivisionKind,
    DivisionLevel,
    Gender,
    HardshipCategory,
    Health,
    HouseholdStatus,
    MemberStatus,
    OrgKind,
    Rank,
    Relation,
)

ALL_ROLES_WITH_REFERENCE_DATA = (
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
)


class DivisionQuerySet(ScopedQuerySet):
    """Divisions are reference data: every business role and the system administrator sees them."""

    no_rows_for = frozenset({Role.AUDIT_ADMIN, Role.SECURITY_ADMIN})

    @scope_rule(
        Role.COMMITTEE,
        Role.UNIT_ADMIN,
        Role.MEMBER,
        Role.COMMUNITY_WORKER,
        Role.WINDOW_CLERK,
        Role.FUND_OFFICER,
        Role.SYSTEM_ADMIN,
    )
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    def communities(self):
        return self.filter(level=DivisionLevel.COMMUNITY)

    def districts(self):
        return self.filter(level=DivisionLevel.DISTRICT)

    def current(self, on=None):
        from guanqing.core.calendar.workdays import business_date

        on = on or business_date()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))


class Division(models.Model):
    """An administrative division (区/县 → 街道/乡镇 → 社区/村) with its GB/T 2260 statistical code."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=DivisionLevel.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=DivisionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The district this division was created under; never changes, even after a merger.
    district = models.ForeignKey(
        "self",
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateField(_("设立日期"), null=True, blank=True)
    valid_until = models.DateField(_("撤销日期"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("并入/更名为"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"), name="division_code_12_digits"
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_until__isnull=False),
                name="division_successor_only_when_abolished",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def gb_code(self) -> str:
        """The 6-digit GB/T 2260 code for a district, the 12-digit statistical code below it."""
        return self.code[:6] if self.level == DivisionLevel.DISTRICT else self.code

    @property
    def is_abolished(self) -> bool:
        return self.valid_until is not None

    @property
    def full_name(self) -> str:
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent if node.parent_id else None
        return "".join(reversed(names))


class UnitQuerySet(ScopedQuerySet):
    no_rows_for = frozenset({Role.AUDIT_ADMIN, Role.SECURITY_ADMIN})

    @scope_rule(
        Role.COMMITTEE,
        Role.SYSTEM_ADMIN,
        Role.FUND_OFFICER,
        Role.WINDOW_CLERK,
        Role.COMMUNITY_WORKER,
    )
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(pk=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(members__pk=user.member_id)


class Unit(models.Model):
    """A municipal organ (市直机关单位)."""

    name = models.CharField(_("单位名称"), max_length=80, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        # Lists of members, pairings and terms in the units' order (`unit__sort_order`, then the
        # unit): walked unit by unit, the first page is read without sorting every row.
        indexes = [models.Index(fields=["sort_order", "id"], name="registry_unit_sort_id")]

    def __str__(self):
        return self.name


class PartyOrgQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(
        {
            Role.AUDIT_ADMIN,
            Role.FUND_OFFICER,
            Role.SECURITY_ADMIN,
            Role.SYSTEM_ADMIN,
            Role.WINDOW_CLERK,
        }
    )

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(unit__members__pk=user.member_id)

    @scope_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(division_id=user.community_id)


class PartyOrg(models.Model):
    """A party organisation: a unit's 机关党委/党总支/党支部, or a village's own organisation."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_orgs",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("村/社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_orgs",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartyOrgQuerySet.as_manager()

    class Meta:
        ordering = ["unit__sort_order", "unit_id", "division_id", "id"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(division__isnull=True))
                | (Q(unit__isnull=True) & Q(division__isnull=False)),
                name="party_org_belongs_to_unit_or_village",
            ),
        ]

    def __str__(self):
        return self.name


class MemberQuerySet(ScopedQuerySet):
    no_rows_for = frozenset({Role.AUDIT_ADMIN, Role.SECURITY_ADMIN})

    @scope_rule(Role.COMMITTEE, Role.SYSTEM_ADMIN)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    # The system administrator binds accounts to members, so it finds them (ID numbers masked).

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(pk=user.member_id)

    @scope_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(home_community_id=user.community_id)

    @scope_rule(Role.WINDOW_CLERK, Role.FUND_OFFICER)
    def _for_window_clerk(self, user):
        return self.filter(pk=user.member_id)


class SensitiveIdMixin(models.Model):
    """Keeps an ID number encrypted, with a keyed hash for exact look-up; never in clear."""

    id_number_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    id_number_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def set_id_number(self, number: str | None) -> None:
        if number:
            self.id_number_hash = sensitive.lookup_hash(number)
            self.id_number_encrypted = sensitive.encrypt(number)
        else:
            self.id_number_hash = None
            self.id_number_encrypted = ""

    @property
    def id_number(self) -> str:
        return sensitive.decrypt(self.id_number_encrypted)

    def masked_id_number(self, head: int = 6, tail: int = 4) -> str:
        return sensitive.mask(self.id_number, head, tail)


class Member(SensitiveIdMixin, models.Model):
    """A party member / cadre (党员干部) of a unit."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    rank = models.CharField(_("职级"), max_length=10, choices=Rank.choices, default=Rank.OTHER)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="members"
    )
    branch = models.ForeignKey(
        PartyOrg,
        verbose_name=_("所在支部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    home_community = models.ForeignKey(
        Division,
        verbose_name=_("居住社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resident_members",
    )
    joined_party = models.DateField(_("入党日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["unit__sort_order", "unit_id", "id"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="member_unique_id_number"),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name


class HouseholdQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(
        {
            Role.AUDIT_ADMIN,
            Role.FUND_OFFICER,
            Role.MEMBER,
            Role.SECURITY_ADMIN,
            Role.SYSTEM_ADMIN,
            Role.UNIT_ADMIN,
            Role.WINDOW_CLERK,
        }
    )

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.COMMUNITY_WORKER)
    @edit_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(community_id=user.community_id)

    # unit_admin and member see households only through scope extensions registered by the
    # modules that link them (pairings, ...): see guanqing.core.scoping.


class Household(SensitiveIdMixin, models.Model):
    """A household in difficulty (困难家庭) with its 五清 profile."""

    head_name = models.CharField(_("户主姓名"), max_length=50)
    head_gender = models.CharField(_("户主性别"), max_length=6, choices=Gender.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    community = models.ForeignKey(
        Division,
        verbose_name=_("所在社区/村"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    category = models.CharField(
        _("困难类别"),
        max_length=20,
        choices=HardshipCategory.choices,
        default=HardshipCategory.OTHER,
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    # 五清: 家庭情况清、致贫原因清、思想状况清、个人专长清、帮扶需求清
    situation = models.TextField(_("家庭情况"), max_length=LONG_TEXT_MAX, blank=True)
    hardship_cause = models.TextField(_("致贫原因"), max_length=LONG_TEXT_MAX, blank=True)
    outlook = models.TextField(_("思想状况"), max_length=LONG_TEXT_MAX, blank=True)
    skills = models.TextField(_("个人专长"), max_length=LONG_TEXT_MAX, blank=True)
    needs = models.TextField(_("帮扶需求"), max_length=LONG_TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["community__code", "id"]
        verbose_name = _("困难家庭")
        verbose_name_plural = _("困难家庭")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="household_unique_id_number"),
        ]
        indexes = [models.Index(fields=["head_name"])]

    def __str__(self):
        return f"{self.head_name}户"


class PersonQuerySet(ChildScopedQuerySet):
    """People are seen and changed through their household."""

    scope_parent = "household"


class Person(SensitiveIdMixin, models.Model):
    """Someone living in a household in difficulty."""

    household = models.ForeignKey(
        Household, verbose_name=_("家庭"), on_delete=models.CASCADE, related_name="people"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    health = models.CharField(
        _("健康状况"), max_length=10, choices=Health.choices, default=Health.HEALTHY
    )
    occupation = models.CharField(_("职业/就业情况"), max_length=60, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="person_unique_id_number"),
        ]

    def __str__(self):
        return self.name


from guanqing.registry.models_imports import ImportJob  # noqa: E402,F401
