"""Writes to the registry. Each validates, saves and audits in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guanqing.core import audit, sensitive
from guanqing.core.policy import current_policy
from guanqing.core.services import OutOfScope, merge_errors, require, save_with_audit
from guanqing.registry.choices import LEVEL_OF_KIND, DivisionLevel, Relation
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit
from guanqing.registry.permissions import may_create

NOT_IN_SCOPE = "不存在或不在您的权限范围内 / does not exist or is outside your scope"


def normalize_division_code(code: str) -> str:
    """Accept a 6-digit GB/T 2260 code or a 9/12-digit statistical code; store 12 digits."""
    digits = (code or "").strip()
    if not digits.isdigit() or len(digits) not in (6, 9, 12):
        raise ValidationError(
            {"code": ["区划代码应为 6、9 或 12 位数字 / division code must be 6, 9 or 12 digits"]}
        )
    return digits.ljust(12, "0")


# ---------------------------------------------------------------------------------------------
# Divisions
# ---------------------------------------------------------------------------------------------

DIVISION_FIELDS = ["code", "name", "kind", "level", "parent", "valid_from", "note"]


@transaction.atomic
def division_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: Division | None = None,
    valid_from: datetime.date | None = None,
    note: str = "",
) -> Division:
    require(
        may_create(actor, "division"),
        "只有机关工委可以维护行政区划 / only the committee edits divisions",
    )
    level = LEVEL_OF_KIND.get(kind)
    errors: dict[str, list[str]] = {}
    if level is None:
        errors["kind"] = [f"未知的区划类型 {kind!r} / unknown division kind"]
    elif level == DivisionLevel.DISTRICT and parent is not None:
        errors["parent"] = ["区/县(市) 没有上级区划 / a district has no parent division"]
    elif level != DivisionLevel.DISTRICT:
        expected = DivisionLevel.DISTRICT if level == DivisionLevel.STREET else DivisionLevel.STREET
        if parent is None or parent.level != expected:
            errors["parent"] = [
                "街道/乡镇的上级应为区/县，社区/村的上级应为街道/乡镇 / "
                "a street belongs to a district and a community to a street"
            ]
    merge_errors(errors)
    division = Division(
        code=normalize_division_code(code),
        name=name.strip(),
        kind=kind,
        level=level,
        parent=parent,
        valid_from=valid_from,
        note=note,
    )
    if parent is not None and parent.code[:6] != division.code[:6]:
        raise ValidationError(
            {
                "code": [
                    "区划代码的前 6 位应与所属区县一致 / code must start with its district's code"
                ]
            }
        )
    save_with_audit(actor=actor, instance=division, fields=DIVISION_FIELDS)
    division.district = division if level == DivisionLevel.DISTRICT else parent.district
    Division.objects.filter(pk=division.pk).update(district=division.district)
    return division


@transaction.atomic
def division_abolish(
    *,
    actor,
    division: Division,
    on: datetime.date,
    successor: Division | None = None,
    note: str = "",
) -> Division:
    """Abolish a division, optionally merged into (or renamed as) `successor`. Its history stays:
    records keep pointing to it, and lists by current district roll it up into the successor."""
    require(actor.is_committee, "只有机关工委可以维护行政区划 / only the committee edits divisions")
    errors: dict[str, list[str]] = {}
    if division.valid_until is not None:
        errors["valid_until"] = [f"该区划已于 {division.valid_until} 撤销 / already abolished"]
    if successor is not None:
        if successor.pk == division.pk:
            errors["successor"] = ["不能并入自身 / cannot merge into itself"]
        elif successor.level != division.level:
            errors["successor"] = ["只能并入同级区划 / successor must be of the same level"]
        elif successor.valid_until is not None:
            errors["successor"] = ["不能并入已撤销的区划 / successor is itself abolished"]
    merge_errors(errors)
    before = audit.snapshot(division, ["valid_until", "successor", "note"])
    division.valid_until = on
    division.successor = successor
    if note:
        division.note = note
    return save_with_audit(
        actor=actor, instance=division, fields=["valid_until", "successor", "note"], before=before
    )


# ---------------------------------------------------------------------------------------------
# Units and party organisations
# ---------------------------------------------------------------------------------------------

UNIT_FIELDS = ["name", "short_name", "credit_code", "address", "sort_order", "is_active"]


def _apply(instance, data: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(
            {name: ["不能修改此字段 / this field cannot be set"] for name in unknown}
        )
    for name, value in data.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _unique_name_error(model, name: str, exclude_pk=None, field="name"):
    qs = model.objects.filter(**{field: name})
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({field: [f"“{name}”已存在 / already exists"]})


@transaction.atomic
def unit_create(*, actor, **data) -> Unit:
    require(may_create(actor, "unit"), "只有机关工委可以新增单位 / only the committee adds units")
    unit = Unit()
    _apply(unit, data, UNIT_FIELDS)
    _unique_name_error(Unit, unit.name)
    return save_with_audit(actor=actor, instance=unit, fields=UNIT_FIELDS)


@transaction.atomic
def unit_update(*, actor, unit: Unit, **data) -> Unit:
    unit = _locked(Unit.objects.editable_by(actor), unit.pk)
    before = audit.snapshot(unit, UNIT_FIELDS)
    _apply(unit, data, UNIT_FIELDS)
    _unique_name_error(Unit, unit.name, exclude_pk=unit.pk)
    return save_with_audit(actor=actor, instance=unit, fields=UNIT_FIELDS, before=before)


def _locked(queryset, pk):
    """The row, locked for update, if `queryset` (already scoped for writing) holds it."""
    # order_by("pk") drops the model's default ordering, whose outer join (PartyOrg orders by
    # unit__sort_order, a nullable relation) PostgreSQL refuses to combine with FOR UPDATE.
    obj = queryset.select_for_update().filter(pk=pk).order_by("pk").first()
    if obj is None:
        raise OutOfScope(NOT_IN_SCOPE)
    return obj


PARTY_ORG_FIELDS = ["name", "kind", "unit", "division", "parent"]


def _check_party_org(actor, org: PartyOrg) -> None:
    errors: dict[str, list[str]] = {}
    own_unit = actor.role == "unit_admin" and actor.unit_id == org.unit_id
    if org.unit_id and not own_unit and not actor.is_committee:
        errors["unit"] = [NOT_IN_SCOPE]
    if org.division_id:
        if not actor.is_committee:
            errors["division"] = [
                "只有机关工委可以登记村级党组织 / only the committee adds village orgs"
            ]
        elif org.division.level != DivisionLevel.COMMUNITY:
            errors["division"] = ["村级党组织应属于社区/村 / must belong to a community or village"]
    if org.parent_id:
        parent = org.parent
        if parent.unit_id != org.unit_id or parent.division_id != org.division_id:
            errors["parent"] = ["上级组织应属于同一单位或村 / parent must belong to the same unit"]
        elif org.pk and _is_descendant(parent, org.pk):
            errors["parent"] = ["不能把组织放到自己的下级之下 / would create a cycle"]
    merge_errors(errors)


def _is_descendant(node: PartyOrg, ancestor_pk: int) -> bool:
    seen = set()
    while node is not None and node.pk not in seen:
        if node.pk == ancestor_pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


@transaction.atomic
def party_org_create(*, actor, **data) -> PartyOrg:
    require(
        may_create(actor, "partyorg"),
        "只有机关工委和单位党务管理员可以维护党组织 / not permitted",
    )
    org = PartyOrg()
    _apply(org, data, PARTY_ORG_FIELDS)
    if actor.role == "unit_admin" and org.unit_id is None and org.division_id is None:
        org.unit_id = actor.unit_id
    _check_party_org(actor, org)
    return save_with_audit(actor=actor, instance=org, fields=PARTY_ORG_FIELDS)


@transaction.atomic
def party_org_update(*, actor, org: PartyOrg, **data) -> PartyOrg:
    org = _locked(PartyOrg.objects.editable_by(actor), org.pk)
    before = audit.snapshot(org, PARTY_ORG_FIELDS)
    _apply(org, data, PARTY_ORG_FIELDS)
    _check_party_org(actor, org)
    return save_with_audit(actor=actor, instance=org, fields=PARTY_ORG_FIELDS, before=before)


# ---------------------------------------------------------------------------------------------
# ID numbers shared by members, households and people
# ---------------------------------------------------------------------------------------------


def _set_id_number(actor, instance, number: str | None, *, field="id_number", required=True):
    """Validate, refuse duplicates, store; return the audit change (masked) or None."""
    policy = current_policy()  # the log shows numbers masked as the security policy says
    old_masked = masked(instance, policy) if instance.id_number_encrypted else None
    if not number:
        if required:
            raise ValidationError({field: ["请填写身份证号码 / ID number is required"]})
        if instance.id_number_hash:
            instance.set_id_number(None)
            return {field: [old_masked, None]}
        return None
    try:
        normalized = sensitive.validate_id_number(number)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    new_hash = sensitive.lookup_hash(normalized)
    if new_hash == instance.id_number_hash:
        return None
    model = type(instance)
    existing = model.objects.filter(id_number_hash=new_hash).exclude(pk=instance.pk).first()
    if existing is not None:
        raise ValidationError({field: [duplicate_message(actor, existing)]})
    instance.set_id_number(normalized)
    return {field: [old_masked, masked(instance, policy)]}


def duplicate_message(actor, existing) -> str:
    model = type(existing)
    label = model._meta.verbose_name
    if model.objects.visible_to(actor).filter(pk=existing.pk).exists():
        return (
            f"该身份证号码已登记：{label}“{existing}”（编号 {existing.pk}）"
            f" / ID number already registered: {label} {existing} (#{existing.pk})"
        )
    return (
        f"该身份证号码已登记在您权限范围以外的{label}中 / "
        "ID number already registered to a record outside your scope"
    )


def _save_sensitive(*, actor, instance, fields, before=None, id_change=None, root=None):
    try:
        with transaction.atomic():
            return save_with_audit(
                actor=actor,
                instance=instance,
                fields=fields,
                before=before,
                also_save=["id_number_hash", "id_number_encrypted"],
                extra_changes=id_change,
                root=root,
            )
    except IntegrityError as exc:
        # Two writers raced to register the same number; the constraint caught the second.
        if "id_number" in str(exc):
            raise ValidationError(
                {"id_number": ["该身份证号码已登记 / ID number already registered"]}
            ) from None
        raise


def _validate_mobile(data: dict, field: str) -> None:
    if data.get(field):
        try:
            data[field] = sensitive.validate_mobile(data[field])
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None


def _validate_not_future(data: dict, field: str, label: str) -> None:
    value = data.get(field)
    if value and value > timezone.localdate():
        raise ValidationError({field: [f"{label}不能晚于今天 / cannot be in the future"]})


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------

MEMBER_FIELDS = [
    "name",
    "gender",
    "mobile",
    "rank",
    "unit",
    "branch",
    "home_community",
    "joined_party",
    "status",
]


def _check_member_refs(actor, member: Member) -> None:
    errors: dict[str, list[str]] = {}
    # the committee registers members anywhere, a unit administrator in its own unit only
    own_unit = actor.role == "unit_admin" and member.unit_id == actor.unit_id
    if member.unit_id and not own_unit and not actor.is_committee:
        errors["unit"] = [NOT_IN_SCOPE]
    if member.branch_id and member.branch.unit_id != member.unit_id:
        errors["branch"] = ["所在支部应属于本单位 / branch must belong to the member's unit"]
    if member.home_community_id and member.home_community.level != DivisionLevel.COMMUNITY:
        errors["home_community"] = ["居住社区应为社区/村 / must be a community or village"]
    merge_errors(errors)


@transaction.atomic
def member_create(*, actor, id_number: str, **data) -> Member:
    require(
        may_create(actor, "member"),
        "只有机关工委和单位党务管理员可以登记党员 / not permitted",
    )
    if actor.role == "unit_admin":
        data.setdefault("unit", actor.unit)
    _validate_mobile(data, "mobile")
    _validate_not_future(data, "joined_party", "入党日期")
    member = Member()
    _apply(member, data, MEMBER_FIELDS)
    id_change = _set_id_number(actor, member, id_number)
    if not member.gender:
        member.gender = sensitive.gender_of(sensitive.normalize_id_number(id_number))
    _check_member_refs(actor, member)
    return _save_sensitive(actor=actor, instance=member, fields=MEMBER_FIELDS, id_change=id_change)


@transaction.atomic
def member_update(*, actor, member: Member, id_number: str | None = None, **data) -> Member:
    member = _locked(Member.objects.editable_by(actor), member.pk)
    before = audit.snapshot(member, MEMBER_FIELDS)
    _validate_mobile(data, "mobile")
    _validate_not_future(data, "joined_party", "入党日期")
    _apply(member, data, MEMBER_FIELDS)
    id_change = _set_id_number(actor, member, id_number) if id_number is not None else None
    _check_member_refs(actor, member)
    return _save_sensitive(
        actor=actor, instance=member, fields=MEMBER_FIELDS, before=before, id_change=id_change
    )


# ---------------------------------------------------------------------------------------------
# Households and people
# ---------------------------------------------------------------------------------------------

HOUSEHOLD_FIELDS = [
    "head_name",
    "head_gender",
    "phone",
    "community",
    "address",
    "category",
    "status",
    "situation",
    "hardship_cause",
    "outlook",
    "skills",
    "needs",
]


def _validate_phone(data: dict) -> None:
    if data.get("phone"):
        try:
            data["phone"] = sensitive.validate_phone(data["phone"])
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None


def _check_household_refs(actor, household: Household) -> None:
    community = household.community if household.community_id else None
    if community is None:
        raise ValidationError({"community": ["请选择所在社区/村 / community is required"]})
    if community.level != DivisionLevel.COMMUNITY:
        raise ValidationError({"community": ["应选择社区/村一级 / must be a community or village"]})
    if actor.role == "community_worker" and community.pk != actor.community_id:
        raise ValidationError({"community": [NOT_IN_SCOPE]})


@transaction.atomic
def household_create(
    *, actor, id_number: str, people: list[dict] | None = None, **data
) -> Household:
    require(
        may_create(actor, "household"),
        "只有机关工委和社区工作者可以登记困难家庭 / not permitted",
    )
    if actor.role == "community_worker":
        data.setdefault("community", actor.community)
    _validate_phone(data)
    household = Household()
    _apply(household, data, HOUSEHOLD_FIELDS)
    id_change = _set_id_number(actor, household, id_number)
    if not household.head_gender:
        household.head_gender = sensitive.gender_of(sensitive.normalize_id_number(id_number))
    _check_household_refs(actor, household)
    household = _save_sensitive(
        actor=actor, instance=household, fields=HOUSEHOLD_FIELDS, id_change=id_change
    )
    people = list(people or [])
    if not any(p.get("relation") == Relation.HEAD for p in people):
        # the head lives in the household too: the people list starts with them
        try:
            person_add(
                actor=actor,
                household=household,
                name=household.head_name,
                relation=Relation.HEAD,
                gender=household.head_gender,
                id_number=sensitive.normalize_id_number(id_number),
            )
        except ValidationError as exc:
            raise ValidationError(
                {
                    "id_number" if k == "id_number" else "head_name": v
                    for k, v in exc.message_dict.items()
                }
            ) from None
    for index, person_data in enumerate(people):
        try:
            person_add(actor=actor, household=household, **person_data)
        except ValidationError as exc:
            raise ValidationError(
                {f"people[{index}].{k}": v for k, v in exc.message_dict.items()}
            ) from None
    return household


def _sync_head_person(actor, household: Household, id_number: str | None) -> None:
    """Keep the head's own row in the people list in step with the household's head fields."""
    head = household.people.filter(relation=Relation.HEAD).first()
    if head is None:
        return
    changes = {}
    if head.name != household.head_name:
        changes["name"] = household.head_name
    if household.head_gender and head.gender != household.head_gender:
        changes["gender"] = household.head_gender
    if id_number is not None and head.id_number_hash != household.id_number_hash:
        changes["id_number"] = sensitive.normalize_id_number(id_number)
    if changes:
        person_update(actor=actor, person=head, **changes)


@transaction.atomic
def household_update(
    *, actor, household: Household, id_number: str | None = None, editable=None, **data
) -> Household:
    """`editable`: the households this change may touch, when another service has checked the
    actor's right itself (a visit updating the 五清 profile); default what the actor may edit."""
    editable = Household.objects.editable_by(actor) if editable is None else editable
    household = _locked(editable, household.pk)
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    _validate_phone(data)
    _apply(household, data, HOUSEHOLD_FIELDS)
    id_change = _set_id_number(actor, household, id_number) if id_number is not None else None
    _check_household_refs(actor, household)
    household = _save_sensitive(
        actor=actor,
        instance=household,
        fields=HOUSEHOLD_FIELDS,
        before=before,
        id_change=id_change,
    )
    _sync_head_person(actor, household, id_number)
    return household


PERSON_FIELDS = ["name", "relation", "gender", "birth_date", "health", "occupation", "note"]


@transaction.atomic
def person_add(*, actor, household: Household, id_number: str | None = None, **data) -> Person:
    if not Household.objects.editable_by(actor).filter(pk=household.pk).exists():
        raise OutOfScope(NOT_IN_SCOPE)
    _validate_not_future(data, "birth_date", "出生日期")
    person = Person(household=household)
    _apply(person, data, PERSON_FIELDS)
    id_change = _set_id_number(actor, person, id_number, required=False)
    if person.id_number_hash:
        normalized = sensitive.normalize_id_number(id_number)
        person.birth_date = person.birth_date or sensitive.birth_date_of(normalized)
        person.gender = person.gender or sensitive.gender_of(normalized)
    return _save_sensitive(
        actor=actor, instance=person, fields=PERSON_FIELDS, id_change=id_change, root=household
    )


@transaction.atomic
def person_update(*, actor, person: Person, id_number: str | None = None, **data) -> Person:
    person = _locked(Person.objects.editable_by(actor), person.pk)
    before = audit.snapshot(person, PERSON_FIELDS)
    _validate_not_future(data, "birth_date", "出生日期")
    _apply(person, data, PERSON_FIELDS)
    id_change = (
        _set_id_number(actor, person, id_number, required=False) if id_number is not None else None
    )
    return _save_sensitive(
        actor=actor,
        instance=person,
        fields=PERSON_FIELDS,
        before=before,
        id_change=id_change,
        root=person.household,
    )


@transaction.atomic
def person_remove(*, actor, person: Person, reason: str = "") -> None:
    person = _locked(Person.objects.editable_by(actor), person.pk)
    household = person.household
    audit.record(
        actor=actor,
        action="delete",
        obj=person,
        root=household,
        changes={"name": [person.name, None]},
        message=reason,
    )
    person.delete()


# ---------------------------------------------------------------------------------------------
# Revealing a masked ID number
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def id_number_reveal(*, actor, obj) -> str:
    """The full ID number of a record the actor can see, if it holds the reveal permission."""
    model = type(obj)
    if not model.objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise OutOfScope(NOT_IN_SCOPE)
    require(
        actor.can_reveal_sensitive,
        "查看完整证件号需要安全管理员授权 / revealing needs a grant from the security administrator",
    )
    root = obj.household if isinstance(obj, Person) else obj
    audit.record(actor=actor, action="reveal", obj=obj, root=root, message="id_number")
    return obj.id_number


def masked(obj, policy=None) -> str:
    policy = policy or current_policy()
    return obj.masked_id_number(policy.mask_head, policy.mask_tail)
