"""Writes of 走亲连心 outreach: the places cadres go to (one deduplicated registry) and the visits.

- `place_register` finds before it adds: the same 统一社会信用代码, or the same name in the same
  division, is the place already registered, which it returns with `created=False` so that the
  page can say so.
- `outreach_record` records one visit by a unit's cadres; a unit administrator records its own
  unit's, the committee any unit's.

Each runs in one transaction and is audited; refusals are `ValidationError`s under field names.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from guanqing.core import sensitive, uploads
from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.frontline.access import access
from guanqing.frontline.choices import PlaceKind
from guanqing.frontline.models import Outreach, Place
from guanqing.registry.models import Division, Member, Unit

PLACE_FIELDS = ["kind", "name", "division", "credit_code", "address"]
OUTREACH_FIELDS = [
    "unit",
    "visited_on",
    "place",
    "discussed",
    "donated_money",
    "donated_goods",
    "goods_note",
]


def earliest_visit(today: datetime.date) -> datetime.date:
    """The first day a visit may be recorded on: 1 January of last year (a late entry for last
    year's figures, not a typing slip of a century)."""
    return datetime.date(today.year - 1, 1, 1)


def normalize_name(value: str) -> str:
    """A place's name as stored and compared: full-width letters and digits folded, spaces
    collapsed, the ends trimmed."""
    return re.sub(r"\s+", " ", sensitive.fold_width(value or "")).strip()


def normalize_credit_code(value: str) -> str:
    """The 统一社会信用代码 compacted (full-width folded, spaces and dashes gone, upper case)."""
    return uscc.compact(sensitive.fold_width(value or "")).upper()


def validate_credit_code(value: str) -> str:
    """The normalised 统一社会信用代码, or ValidationError saying what is wrong with it."""
    code = normalize_credit_code(value)
    try:
        return uscc.validate(code)
    except InvalidLength:
        raise ValidationError(
            _("统一社会信用代码应为 18 位（当前 %(n)d 位）") % {"n": len(code)}
        ) from None
    except InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位错误")) from None
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）")
        ) from None


def find_place(*, name: str, division: Division | None, credit_code: str = "") -> Place | None:
    """The registered place with this credit code, or with this name in this division."""
    code = normalize_credit_code(credit_code)
    if code:
        found = Place.objects.filter(credit_code=code).first()
        if found is not None:
            return found
    name = normalize_name(name)
    if name and division is not None:
        return Place.objects.filter(division=division, name=name).first()
    return None


@transaction.atomic
def place_register(
    *,
    actor,
    kind: str,
    name: str,
    division: Division,
    credit_code: str = "",
    address: str = "",
) -> tuple[Place, bool]:
    """(place, created): the place registered now, or the one already registered with the same
    统一社会信用代码 or the same name in the same division (`created` False)."""
    access.check(actor, "places_edit")
    errors: dict[str, list[str]] = {}
    name = normalize_name(name)
    address = (address or "").strip()
    code = ""
    if kind not in PlaceKind.values:
        errors["kind"] = [_("请选择走访对象类型（基层单位、村（社区）或企业）")]
    if not name:
        errors["name"] = [_("请填写走访对象名称")]
    if division is None:
        errors["division"] = [_("请选择所在区划")]
    elif division.valid_until is not None and division.valid_until <= business_date():
        errors["division"] = [
            _("%(division)s已于 %(day)s 撤销，请选择现在的区划")
            % {"division": division.name, "day": division.valid_until}
        ]
    if (credit_code or "").strip():
        if kind != PlaceKind.ENTERPRISE:
            errors["credit_code"] = [_("只有企业填写统一社会信用代码")]
        else:
            try:
                code = validate_credit_code(credit_code)
            except ValidationError as exc:
                errors["credit_code"] = exc.messages
    elif kind == PlaceKind.ENTERPRISE:
        errors["credit_code"] = [_("请填写企业的统一社会信用代码")]
    # a place already registered is found even when the code was left out
    code_ok = "credit_code" not in errors or not (credit_code or "").strip()
    if code_ok and not errors.keys() & {"kind", "name", "division"}:
        existing = _existing(name=name, division=division, code=code)
        if existing is not None:
            return existing, False
    merge_errors(errors)
    place = Place(
        kind=kind,
        name=name,
        division=division,
        credit_code=code,
        address=address,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            save_with_audit(actor=actor, instance=place, fields=PLACE_FIELDS)
    except IntegrityError:
        # registered by someone else a moment ago
        existing = _existing(name=name, division=division, code=code)
        if existing is None:
            raise
        return existing, False
    return place, True


def _existing(*, name: str, division: Division, code: str) -> Place | None:
    """The place this registration repeats; ValidationError when the name is taken in the
    division by an enterprise with another credit code."""
    match = Q(division=division, name=name)
    if code:
        match |= Q(credit_code=code)
    candidates = list(Place.objects.filter(match).order_by("pk")[:2])
    by_code = next((p for p in candidates if code and p.credit_code == code), None)
    if by_code is not None:
        return by_code
    by_name = next(iter(candidates), None)
    if by_name is not None and code and by_name.credit_code and by_name.credit_code != code:
        raise ValidationError(
            {
                "name": [
                    _("%(division)s已有同名企业“%(name)s”（统一社会信用代码 %(code)s）")
                    % {"division": division.name, "name": name, "code": by_name.credit_code}
                ]
            }
        )
    return by_name


@transaction.atomic
def outreach_record(
    *,
    actor,
    unit: Unit,
    visited_on: datetime.date,
    place: Place,
    cadres,
    discussed: str = "",
    donated_money=0,
    donated_goods=0,
    goods_note: str = "",
) -> Outreach:
    """Record a visit of `unit`'s cadres (members of the unit) to `place` on `visited_on`, with
    what was discussed and what was donated (元, two decimals)."""
    access.check(actor, "outreach_record")
    errors: dict[str, list[str]] = {}
    if unit is None:
        errors["unit"] = [_("请选择单位")]
    elif actor.role != Role.COMMITTEE and unit.pk != actor.unit_id:
        errors["unit"] = [_("只能记录本单位的走访")]
    elif not unit.is_active:
        errors["unit"] = [_("该单位已停用")]
    today = business_date()
    if visited_on is None:
        errors["visited_on"] = [_("请填写走访日期")]
    elif visited_on > today:
        errors["visited_on"] = [
            _("走访日期 %(date)s 晚于今天 %(today)s") % {"date": visited_on, "today": today}
        ]
    elif visited_on < earliest_visit(today):
        errors["visited_on"] = [
            _("走访日期 %(date)s 早于 %(earliest)s，只能补记去年以来的走访")
            % {"date": visited_on, "earliest": earliest_visit(today)}
        ]
    if place is None:
        errors["place"] = [_("请选择走访对象")]
    elif not Place.objects.visible_to(actor).filter(pk=place.pk).exists():
        errors["place"] = [_("走访对象不存在")]
    cadres = list(dict.fromkeys(cadres or []))
    if not cadres:
        errors["cadres"] = [_("请选择参加走访的干部")]
    elif unit is not None and "unit" not in errors:
        strangers = [m.name for m in cadres if m.unit_id != unit.pk]
        if strangers:
            errors["cadres"] = [
                _("%(values)s不是%(unit_name)s的党员")
                % {"values": "、".join(strangers), "unit_name": unit.name}
            ]
    money = uploads.money(errors, "donated_money", donated_money)
    goods = uploads.money(errors, "donated_goods", donated_goods)
    goods_note = (goods_note or "").strip()
    if "donated_goods" not in errors and goods > 0 and not goods_note:
        errors["goods_note"] = [_("填写了物资折价，请写明捐赠物资")]
    merge_errors(errors)
    outreach = Outreach(
        unit=unit,
        visited_on=visited_on,
        place=place,
        discussed=(discussed or "").strip(),
        donated_money=money,
        donated_goods=goods,
        goods_note=goods_note,
        recorded_by=actor,
    )
    names = [m.name for m in cadres]
    save_with_audit(
        actor=actor,
        instance=outreach,
        fields=OUTREACH_FIELDS,
        extra_changes={"cadres": [None, names]},
    )
    outreach.cadres.set(cadres)
    return outreach


def unit_cadres(unit: Unit):
    """The members of `unit` that may be named as the cadres of a visit: its members, active
    ones first (a visit recorded late may name one who has since left)."""
    return Member.objects.filter(unit=unit).order_by("name", "pk")
