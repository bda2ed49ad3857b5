"""Writes to the registry. Each validates, saves and audits in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import audit, bulk, planner, sensitive, text
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import is_digits
from guanqing.core.policy import current_policy
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import OutOfScope, merge_errors, require, save_with_audit
from guanqing.registry.access import access
from guanqing.registry.choices import LEVEL_OF_KIND, DivisionLevel, Relation
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit

NOT_IN_SCOPE = gettext_lazy("不存在或不在您的权限范围内")


def _require_rule(actor, rule: str) -> None:
    """The registry's access table decides which roles may add (a ScopeError with its message)."""
    require(access.allows(actor, rule), access.rule(rule).denied)


def normalize_division_code(code: str) -> str:
    """Accept a 6-digit GB/T 2260 code or a 9/12-digit statistical code; store 12 digits."""
    digits = (code or "").strip()
    if not is_digits(digits) or len(digits) not in (6, 9, 12):
        raise ValidationError({"code": [_("区划代码应为 6、9 或 12 位数字")]})
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
    _require_rule(actor, "create_division")
    level = LEVEL_OF_KIND.get(kind)
    errors: dict[str, list[str]] = {}
    if level is None:
        errors["kind"] = [_("未知的区划类型 %(kind)r") % {"kind": kind}]
    elif level == DivisionLevel.DISTRICT and parent is not None:
        errors["parent"] = [_("区/县(市) 没有上级区划")]
    elif level != DivisionLevel.DISTRICT:
        expected = DivisionLevel.DISTRICT if level == DivisionLevel.STREET else DivisionLevel.STREET
        if parent is None or parent.level != expected:
            errors["parent"] = [_("街道/乡镇的上级应为区/县，社区/村的上级应为街道/乡镇")]
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
        raise ValidationError({"code": [_("区划代码的前 6 位应与所属区县一致")]})
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
    _require_rule(actor, "create_division")
    errors: dict[str, list[str]] = {}
    if division.valid_until is not None:
        errors["valid_until"] = [
            _("该区划已于 %(valid_until)s 撤销") % {"valid_until": division.valid_until}
        ]
    if successor is not None:
        if successor.pk == division.pk:
            errors["successor"] = [_("不能并入自身")]
        elif successor.level != division.level:
            errors["successor"] = [_("只能并入同级区划")]
        elif successor.valid_until is not None:
            errors["successor"] = [_("不能并入已撤销的区划")]
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


# A unit's, an organisation's or a person's name: something visible must be left of it.
NAME_FIELDS = {"name", "head_name"}


def _apply(instance, data: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("不能修改此字段")] for name in unknown})
    errors: dict[str, list] = {}
    for name, value in data.items():
        if isinstance(value, str):
            # zero-width characters at the edges are invisible junk from copy-paste
            tidy = text.strip_edges(value)
            if name in NAME_FIELDS and value and not tidy:
                errors[name] = [text.NO_VISIBLE_MESSAGE]
            value = tidy
        setattr(instance, name, value)
    merge_errors(errors)


def _unique_name_error(model, name: str, exclude_pk=None, field="name"):
    qs = model.objects.filter(**{field: name})
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({field: [_("“%(name)s”已存在") % {"name": name}]})


@transaction.atomic
def unit_create(*, actor, **data) -> Unit:
    _require_rule(actor, "create_unit")
    unit = Unit()
    _apply(unit, data, UNIT_FIELDS)
    _unique_name_error(Unit, unit.name)
    return save_with_audit(actor=actor, instance=unit, fields=UNIT_FIELDS)


@transaction.atomic
def unit_update(*, actor, unit: Unit, **data) -> Unit:
    unit = lock_in_scope(Unit.objects.editable_by(actor), unit.pk)
    before = audit.snapshot(unit, UNIT_FIELDS)
    _apply(unit, data, UNIT_FIELDS)
    _unique_name_error(Unit, unit.name, exclude_pk=unit.pk)
    return save_with_audit(actor=actor, instance=unit, fields=UNIT_FIELDS, before=before)


PARTY_ORG_FIELDS = ["name", "kind", "unit", "division", "parent"]


def _check_party_org(actor, org: PartyOrg) -> None:
    errors: dict[str, list[str]] = {}
    own_unit = actor.role == Role.UNIT_ADMIN and actor.unit_id == org.unit_id
    if org.unit_id and not own_unit and not actor.is_committee:
        errors["unit"] = [NOT_IN_SCOPE]
    if org.division_id:
        if not actor.is_committee:
            errors["division"] = [_("只有机关工委可以登记村级党组织")]
        elif org.division.level != DivisionLevel.COMMUNITY:
            errors["division"] = [_("村级党组织应属于社区/村")]
    if org.parent_id:
        parent = org.parent
        if parent.unit_id != org.unit_id or parent.division_id != org.division_id:
            errors["parent"] = [_("上级组织应属于同一单位或村")]
        elif org.pk and _is_descendant(parent, org.pk):
            errors["parent"] = [_("不能把组织放到自己的下级之下")]
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
    _require_rule(actor, "create_partyorg")
    org = PartyOrg()
    _apply(org, data, PARTY_ORG_FIELDS)
    if actor.role == Role.UNIT_ADMIN and org.unit_id is None and org.division_id is None:
        org.unit_id = actor.unit_id
    _check_party_org(actor, org)
    return save_with_audit(actor=actor, instance=org, fields=PARTY_ORG_FIELDS)


@transaction.atomic
def party_org_update(*, actor, org: PartyOrg, **data) -> PartyOrg:
    org = lock_in_scope(PartyOrg.objects.editable_by(actor), org.pk)
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
            raise ValidationError({field: [_("请填写身份证号码")]})
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
        return _("该身份证号码已登记：%(label)s“%(existing)s”（编号 %(existing_pk)s）") % {
            "label": label,
            "existing": existing,
            "existing_pk": existing.pk,
        }
    return _("该身份证号码已登记在您权限范围以外的%(label)s中") % {"label": label}


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
            raise ValidationError({"id_number": [_("该身份证号码已登记")]}) from None
        raise


def _validate_mobile(data: dict, field: str) -> None:
    if data.get(field):
        try:
            data[field] = sensitive.validate_mobile(data[field])
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None


def _validate_not_future(data: dict, field: str, label: str) -> None:
    value = data.get(field)
    if value and value > business_date():
        raise ValidationError({field: [_("%(label)s不能晚于今天") % {"label": label}]})


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
    own_unit = actor.role == Role.UNIT_ADMIN and member.unit_id == actor.unit_id
    if member.unit_id and not own_unit and not actor.is_committee:
        errors["unit"] = [NOT_IN_SCOPE]
    if member.branch_id and member.branch.unit_id != member.unit_id:
        errors["branch"] = [_("所在支部应属于本单位")]
    if member.home_community_id and member.home_community.level != DivisionLevel.COMMUNITY:
        errors["home_community"] = [_("居住社区应为社区/村")]
    merge_errors(errors)


PARTY_AGE = 18  # the Party constitution: one may join from one's eighteenth birthday


def _check_joined_party(member: Member) -> None:
    """The joining date is on or after the eighteenth birthday the ID number gives."""
    if member.joined_party is None or not member.id_number_encrypted:
        return
    birth = sensitive.birth_date_of(member.id_number)
    try:
        adult = birth.replace(year=birth.year + PARTY_AGE)
    except ValueError:  # born on 29 February
        adult = datetime.date(birth.year + PARTY_AGE, 3, 1)
    if member.joined_party < adult:
        raise ValidationError(
            {
                "joined_party": [
                    _("入党日期 %(joined)s 早于年满十八周岁的日期 %(adult)s（出生日期 %(birth)s）")
                    % {"joined": member.joined_party, "adult": adult, "birth": birth}
                ]
            }
        )


@transaction.atomic
def member_create(*, actor, id_number: str, **data) -> Member:
    _require_rule(actor, "create_member")
    if actor.role == Role.UNIT_ADMIN:
        data.setdefault("unit", actor.unit)
    _validate_mobile(data, "mobile")
    _validate_not_future(data, "joined_party", "入党日期")
    member = Member()
    _apply(member, data, MEMBER_FIELDS)
    id_change = _set_id_number(actor, member, id_number)
    if not member.gender:
        member.gender = sensitive.gender_of(sensitive.normalize_id_number(id_number))
    _check_member_refs(actor, member)
    _check_joined_party(member)
    return _save_sensitive(actor=actor, instance=member, fields=MEMBER_FIELDS, id_change=id_change)


@transaction.atomic
def member_update(*, actor, member: Member, id_number: str | None = None, **data) -> Member:
    member = lock_in_scope(Member.objects.editable_by(actor), member.pk)
    before = audit.snapshot(member, MEMBER_FIELDS)
    _validate_mobile(data, "mobile")
    _validate_not_future(data, "joined_party", "入党日期")
    _apply(member, data, MEMBER_FIELDS)
    id_change = _set_id_number(actor, member, id_number) if id_number is not None else None
    _check_member_refs(actor, member)
    # an old record with a doubtful date still takes other changes; a new date is checked
    if id_change or member.joined_party != before.raw["joined_party"]:
        _check_joined_party(member)
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
        raise ValidationError({"community": [_("请选择所在社区/村")]})
    if community.level != DivisionLevel.COMMUNITY:
        raise ValidationError({"community": [_("应选择社区/村一级")]})
    if actor.role == Role.COMMUNITY_WORKER and community.pk != actor.community_id:
        raise ValidationError({"community": [NOT_IN_SCOPE]})


@transaction.atomic
def household_create(
    *, actor, id_number: str, people: list[dict] | None = None, **data
) -> Household:
    _require_rule(actor, "create_household")
    if actor.role == Role.COMMUNITY_WORKER:
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
    head_listed = any(p.get("relation") == Relation.HEAD for p in people)
    if len(people) + (0 if head_listed else 1) > MAX_HOUSEHOLD_PEOPLE:
        raise ValidationError({"people": [_household_full()]})
    if not head_listed:
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
    household = lock_in_scope(editable, household.pk)
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


# ---------------------------------------------------------------------------------------------
# Many new households at once (an Excel import)
# ---------------------------------------------------------------------------------------------

# Rows validated, inserted and audited together: a few statements per batch, and memory bounded by
# the batch however long the file.
BULK_BATCH = 1000


class RowsInvalid(ValidationError):
    """Rows a bulk write refused, as (key, ValidationError) pairs in the order given; the
    ValidationError of each is the one the one-by-one service would have raised for that row."""

    def __init__(self, rows: list[tuple[object, ValidationError]]):
        self.rows = rows
        super().__init__(_("%(count)s 行未通过检查，未写入任何数据") % {"count": len(rows)})


def _bulk_household(actor, data: dict, policy, snapshots) -> tuple[Household, Person, dict, dict]:
    """One row as household_create checks it, without a query: the unsaved household and head,
    and the audit changes of each. The ID number's duplicates are looked up by the caller."""
    data = dict(data)
    id_number = data.pop("id_number", None)
    if actor.role == Role.COMMUNITY_WORKER:
        data.setdefault("community", actor.community)
    _validate_phone(data)
    household = bulk.new(Household)
    _apply(household, data, HOUSEHOLD_FIELDS)
    if not id_number:
        raise ValidationError({"id_number": [_("请填写身份证号码")]})
    try:
        normalized = sensitive.validate_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    household.set_id_number(normalized)
    shown = sensitive.mask(normalized, policy.mask_head, policy.mask_tail)
    id_change = {"id_number": [None, shown]}
    if not household.head_gender:
        household.head_gender = sensitive.gender_of(normalized)
    _check_household_refs(actor, household)
    # The community was looked up by the caller (_check_household_refs read it); the ID number's
    # uniqueness is checked for the whole batch at once.
    text.full_clean(
        household, exclude=["community"], validate_unique=False, validate_constraints=False
    )
    h_after = snapshots[0](household)
    h_changes = {name: [None, value] for name, value in h_after.items() if value not in ("", None)}
    h_changes.update(id_change)

    # The head's row in the people list, as person_add writes it for household_create.
    person = bulk.new(Person)
    person.household = household
    try:
        _apply(
            person,
            {
                "name": household.head_name,
                "relation": Relation.HEAD,
                "gender": household.head_gender,
            },
            PERSON_FIELDS,
        )
        person.id_number_hash = household.id_number_hash
        person.id_number_encrypted = household.id_number_encrypted
        person.birth_date = sensitive.birth_date_of(normalized)
        text.full_clean(
            person, exclude=["household"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                "id_number" if k == "id_number" else "head_name": v
                for k, v in exc.message_dict.items()
            }
        ) from None
    p_after = snapshots[1](person)
    p_changes = {name: [None, value] for name, value in p_after.items() if value not in ("", None)}
    p_changes.update(id_change)
    return household, person, h_changes, p_changes


def _bulk_duplicates(actor, hashes: dict[str, object]) -> dict[object, ValidationError]:
    """Rows (by key) whose ID number a household or a person already holds, with the message the
    one-by-one service gives."""
    found: dict[object, ValidationError] = {}
    names = list(hashes)
    for model in (Household, Person):
        for existing in model.objects.filter(id_number_hash__any_of=names).order_by("pk"):
            key = hashes[existing.id_number_hash]
            if key not in found:
                found[key] = ValidationError({"id_number": [duplicate_message(actor, existing)]})
    return found


@transaction.atomic
def households_bulk_create(
    *,
    actor,
    rows: Iterable[tuple[object, dict]],
    batch_size: int = BULK_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create many households, each with its head as the first of its people, exactly as
    household_create does one by one — the same checks, rows and audit records (a create of the
    household, then of its head, for each) — in a few statements per batch of `batch_size`.

    `rows` are (key, arguments) pairs: the key names the row in errors (an Excel row number), the
    arguments are household_create's (`id_number` and the household fields; no `people`). Every
    row is checked; if any is refused, RowsInvalid lists them all and nothing is written.
    `progress(done)` is called after each batch. Returns the number created."""
    _require_rule(actor, "create_household")
    policy = current_policy()  # the log shows numbers masked as the security policy says
    snapshots = (
        audit.Snapshotter(Household, HOUSEHOLD_FIELDS),
        audit.Snapshotter(Person, PERSON_FIELDS),
    )
    refused: list[tuple[object, ValidationError]] = []
    seen: set[str] = set()
    done = created = 0
    batch: list[tuple[object, dict]] = []

    def flush() -> None:
        nonlocal created
        planned = []
        hashes: dict[str, object] = {}
        for key, data in batch:
            try:
                household, person, h_changes, p_changes = _bulk_household(
                    actor, data, policy, snapshots
                )
            except ValidationError as exc:
                refused.append((key, exc))
                continue
            if household.id_number_hash in seen:
                refused.append((key, ValidationError({"id_number": [_("该身份证号码已登记")]})))
                continue
            seen.add(household.id_number_hash)
            hashes[household.id_number_hash] = key
            planned.append((key, household, person, h_changes, p_changes))
        duplicates = _bulk_duplicates(actor, hashes) if hashes else {}
        refused.extend((key, duplicates[key]) for key, *_rest in planned if key in duplicates)
        if refused:
            return  # nothing will be written: the rest is only checked
        try:
            with transaction.atomic():
                bulk.insert(Household, [p[1] for p in planned])
                for _key, household, person, _h, _p in planned:
                    person.household = household
                bulk.insert(Person, [p[2] for p in planned])
        except IntegrityError as exc:
            # Another writer registered one of these numbers meanwhile: name the rows.
            if "id_number" not in str(exc):
                raise
            duplicates = _bulk_duplicates(actor, hashes)
            if not duplicates:
                raise
            refused.extend((key, duplicates[key]) for key, *_rest in planned if key in duplicates)
            return
        events = []
        for _key, household, person, h_changes, p_changes in planned:
            events.append(
                audit.build(actor=actor, action="create", obj=household, changes=h_changes)
            )
            events.append(
                audit.build(
                    actor=actor, action="create", obj=person, changes=p_changes, root=household
                )
            )
        audit.record_many(events)
        created += len(planned)

    # Each batch's ID numbers are looked up by the unique index: a scan of the table would read
    # the rows the batches before wrote, which its statistics do not know of yet, again for
    # every batch (the writes themselves are COPYs and index probes, planned alike).
    with planner.without("enable_seqscan"):
        for key, data in rows:
            batch.append((key, data))
            if len(batch) >= batch_size:
                flush()
                done += len(batch)
                batch = []
                if progress is not None:
                    progress(done)
        if batch:
            flush()
            done += len(batch)
            if progress is not None:
                progress(done)
    if refused:
        raise RowsInvalid(refused)
    return created


# A household registers the people living together; a larger number is a mistake (or an attack)
# that would make the household page unreadable.
MAX_HOUSEHOLD_PEOPLE = 20


def _household_full() -> str:
    return _("一户最多登记 %(limit)d 名家庭成员（含户主）") % {"limit": MAX_HOUSEHOLD_PEOPLE}


PERSON_FIELDS = ["name", "relation", "gender", "birth_date", "health", "occupation", "note"]


@transaction.atomic
def person_add(*, actor, household: Household, id_number: str | None = None, **data) -> Person:
    # locked, so that two additions at once cannot both take the last place
    lock_in_scope(Household.objects.editable_by(actor), household.pk)
    if Person.objects.filter(household=household).count() >= MAX_HOUSEHOLD_PEOPLE:
        raise ValidationError({"household": [_household_full()]})
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
    person = lock_in_scope(Person.objects.editable_by(actor), person.pk)
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
    person = lock_in_scope(Person.objects.editable_by(actor), person.pk)
    reason = (reason or "").strip()
    if text.control_message(reason):  # kept in the audit log only: no model field checks it
        raise ValidationError({"reason": [text.control_message(reason)]})
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
        _("查看完整证件号需要安全管理员授权"),
    )
    root = obj.household if isinstance(obj, Person) else obj
    audit.record(actor=actor, action="reveal", obj=obj, root=root, message="id_number")
    return obj.id_number


def masked(obj, policy=None) -> str:
    policy = policy or current_policy()
    return obj.masked_id_number(policy.mask_head, policy.mask_tail)
