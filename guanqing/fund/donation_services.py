"""Donations to the 汇爱 fund: recording a gift, its numbered receipt, and the donor totals.

`donation_record` is one transaction: the fund officer's right (access "donation_record"), the
fields checked (errors under the parameter names), the receipt number drawn under a lock, the
ledger posting (Dr bank / Cr donations received from the unit, kind "donation", through
`ledger.post`), and the donation saved with its audit record. A refusal writes nothing.

A unit's payroll list of member gifts is imported from Excel by `donation_import` through the same
steps, one donation (and one transaction) per row, all rows or none.

A member of staff's gift also counts for its unit (soft credit): `donation_totals` gives, per unit
and year, the unit's own gifts, its staff's, the total and how many people gave.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from guanqing.core import sensitive, text
from guanqing.core.calendar.workdays import business_date
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.fund import ledger
from guanqing.fund.access import access
from guanqing.fund.choices import DonationSource, TransactionKind
from guanqing.fund.models import Donation, DonationBatch, Period
from guanqing.registry.models import Member, Unit

CENT = Decimal("0.01")
WAN = Decimal(10000)
RECEIPT_PREFIX = "HA"
DONOR_NAME_MAX = Donation._meta.get_field("donor_name").max_length
NOTE_MAX = Donation._meta.get_field("note").max_length

# What the article reports of the fund's income: 106 units (and over 10,000 union members) gave
# 564,769 元.
ARTICLE_UNITS = 106
ARTICLE_TOTAL = Decimal("564769.00")

DONATION_FIELDS = [
    "receipt_number",
    "source",
    "unit",
    "donor_name",
    "member",
    "amount",
    "received_on",
    "note",
    "batch",
    "transaction",
    "recorded_by",
]


# --- pure rules ------------------------------------------------------------------------------


def receipt_number(year: int, sequence: int) -> str:
    """The receipt number: "HA", the year, "-", the running number within the year (6 digits).
    The year is that of the date received: a gift of December recorded in January is numbered in
    December's year, with the books it is posted to."""
    return f"{RECEIPT_PREFIX}{year}-{sequence:06d}"


DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))
SECTION_UNITS = ("", "万", "亿", "万亿")


def _group_words(group: int) -> str:
    """1–9999 in capitals, zeros inside collapsed to one 零, trailing zeros dropped."""
    words, zero = "", False
    for place, unit in GROUP_UNITS:
        digit = group // place % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += DIGITS[digit] + unit
    return words


def _integer_words(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    words, gap = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(words)
            continue
        if words and (gap or group < 1000):
            words += "零"
        words += _group_words(group) + SECTION_UNITS[index]
        gap = False
    return words


def amount_in_words(amount) -> str:
    """An amount in 元 in Chinese capital numerals (大写金额) as receipts and cheques write it:
    500 → 伍佰元整, 100010 → 壹拾万零壹拾元整, 1000000.50 → 壹佰万元伍角整, 0.01 → 壹分. A sum
    ending in 元 or 角 ends with 整; one with 分 does not (《支付结算办法》)."""
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0 or amount >= Decimal(10) ** 16:
        raise ValueError(amount)
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = _integer_words(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    return words + (DIGITS[fen] + "分" if fen else "整")


def yuan(value) -> str:
    """'564769' → '564,769.00'."""
    return f"{Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def wan_yuan(value) -> str:
    """'564769' → '56.48' (万元, two decimals)."""
    return f"{(Decimal(value or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


# --- checks ----------------------------------------------------------------------------------


def check_amount(errors: dict, field: str, value) -> Decimal | None:
    """A gift in 元: above zero, at most two decimals, not absurdly large."""
    try:
        amount = Decimal(str(value).strip()) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
        errors.setdefault(field, []).append(_("应为金额（元）"))
        return None
    if amount is None:
        errors.setdefault(field, []).append(_("请填写金额"))
    elif not amount.is_finite():
        errors.setdefault(field, []).append(_("应为金额（元）"))
    elif amount <= 0:
        errors.setdefault(field, []).append(_("金额应大于 0"))
    elif amount != amount.quantize(CENT):
        errors.setdefault(field, []).append(_("金额最多保留两位小数"))
    elif amount > ledger.AMOUNT_MAX:
        errors.setdefault(field, []).append(_("金额过大"))
    else:
        return amount.quantize(CENT)
    return None


def check_received_on(errors: dict, field: str, value, today: datetime.date | None = None):
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors.setdefault(field, []).append(_("请填写到账日期"))
        return None
    today = today or business_date()
    if value > today:
        errors.setdefault(field, []).append(
            _("到账日期（%(day)s）不能晚于今天（%(today)s）") % {"day": value, "today": today}
        )
        return None
    return value


def check_unit(errors: dict, field: str, unit) -> Unit | None:
    if not isinstance(unit, Unit) or unit.pk is None:
        errors.setdefault(field, []).append(_("请选择捐款单位"))
        return None
    if not unit.is_active:
        errors.setdefault(field, []).append(_("该单位已停用"))
        return None
    return unit


def member_by_id_number(unit: Unit, number: str) -> Member | None:
    """The registry member of `unit` holding this ID number (matched by its keyed hash)."""
    return Member.objects.filter(unit=unit, id_number_hash=sensitive.lookup_hash(number)).first()


# --- writing ---------------------------------------------------------------------------------


def lock_receipt_year(year: int) -> Period:
    """Take the year's receipt-number lock (`ledger.lock_year`) before drawing a number: two
    donations of one year never draw the same number."""
    return ledger.lock_year(year)


def next_receipt_sequence(year: int) -> int:
    """The next running number of `year` (call with the year's lock held)."""
    last = (
        Donation.objects.filter(receipt_number__startswith=f"{RECEIPT_PREFIX}{year}-")
        .order_by("-receipt_number")
        .values_list("receipt_number", flat=True)
        .first()
    )
    return int(last.rsplit("-", 1)[1]) + 1 if last else 1


@dataclass(frozen=True)
class Gift:
    """One checked gift, ready to post."""

    source: str
    unit: Unit
    donor_name: str
    member: Member | None
    amount: Decimal
    received_on: datetime.date
    note: str


def check_gift(
    *, source, unit, amount, received_on, donor_name="", member=None, note=""
) -> Gift | None:
    """Every rule of a gift at once: ValidationError naming each field that is wrong."""
    errors: dict[str, list[str]] = {}
    if source not in DonationSource.values:
        errors["source"] = [
            _("应为：%(choices)s") % {"choices": "、".join(map(str, DonationSource.labels))}
        ]
    unit = check_unit(errors, "unit", unit)
    amount = check_amount(errors, "amount", amount)
    received_on = check_received_on(errors, "received_on", received_on)
    donor_name = text.strip_edges(donor_name or "")
    note = text.strip_edges(note or "")
    if member is not None and not isinstance(member, Member):
        errors["member"] = [_("请选择职工")]
        member = None
    if source == DonationSource.UNIT:
        if member is not None:
            errors["member"] = [_("单位捐款不关联职工个人")]
        if unit is not None and not text.has_visible(donor_name):
            donor_name = unit.name
    elif source == DonationSource.MEMBER:
        if member is not None and unit is not None and member.unit_id != unit.pk:
            errors["member"] = [
                _("%(name)s 不是%(unit)s的职工") % {"name": member.name, "unit": unit.name}
            ]
        if not text.has_visible(donor_name):
            if member is not None:
                donor_name = member.name
            else:
                errors["donor_name"] = [_("请填写捐款人姓名")]
    if len(donor_name) > DONOR_NAME_MAX:
        errors["donor_name"] = [_("不能超过 %(max)s 个字") % {"max": DONOR_NAME_MAX}]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("不能超过 %(max)s 个字") % {"max": NOTE_MAX}]
    merge_errors(errors)
    return Gift(
        source=source,
        unit=unit,
        donor_name=donor_name,
        member=member,
        amount=amount,
        received_on=received_on,
        note=note,
    )


def post_gift(*, actor, gift: Gift, number: str, batch: DonationBatch | None = None) -> Donation:
    """Post `gift` under receipt `number` and save it (inside the caller's transaction, with the
    year's lock held)."""
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the site language
        memo = _("收到捐款 %(number)s：%(donor)s（%(unit)s）") % {
            "number": number,
            "donor": gift.donor_name,
            "unit": gift.unit.name,
        }
        account = ledger.donations_account(gift.unit)
    tx = ledger.post(
        actor=actor,
        posted_on=gift.received_on,
        kind=TransactionKind.DONATION,
        memo=memo,
        lines=[
            ledger.debit(ledger.standard_account(ledger.BANK), gift.amount),
            ledger.credit(account, gift.amount),
        ],
    )
    donation = Donation(
        receipt_number=number,
        source=gift.source,
        unit=gift.unit,
        donor_name=gift.donor_name,
        member=gift.member,
        amount=gift.amount,
        received_on=gift.received_on,
        note=gift.note,
        batch=batch,
        transaction=tx,
        recorded_by=actor,
    )
    return save_with_audit(actor=actor, instance=donation, fields=DONATION_FIELDS)


def donation_record(
    *,
    actor,
    source: str,
    unit: Unit,
    amount,
    received_on: datetime.date,
    donor_name: str = "",
    member: Member | None = None,
    note: str = "",
) -> Donation:
    """Record a gift received in the bank: a unit's (donor: the unit, unless named) or a member of
    staff's (donor's name required unless `member` is given; `member`, when given, of `unit`)."""
    access.check(actor, "donation_record")
    gift = check_gift(
        source=source,
        unit=unit,
        amount=amount,
        received_on=received_on,
        donor_name=donor_name,
        member=member,
        note=note,
    )
    with transaction.atomic():
        year = gift.received_on.year
        lock_receipt_year(year)
        number = receipt_number(year, next_receipt_sequence(year))
        return post_gift(actor=actor, gift=gift, number=number)


# --- reading ---------------------------------------------------------------------------------


def donation_years() -> list[int]:
    """The years with gifts, newest first (the current year always offered)."""
    years = {d.year for d in Donation.objects.dates("received_on", "year")}
    years.add(business_date().year)
    return sorted(years, reverse=True)


ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def _sum(condition: Q | None = None):
    return Coalesce(Sum("amount", filter=condition), ZERO)


def donation_totals(*, year: int, user=None, unit: Unit | None = None) -> dict:
    """Donor totals of `year` by unit: its own gifts, its staff's (soft credit), the total and
    the number of people who gave (a registry member counted once, others by name); the city's
    totals over the units; and the article's figures beside them. Within `user`'s scope when
    given (a unit's administrator: its unit)."""
    donations = Donation.objects.visible_to(user) if user is not None else Donation.objects.all()
    donations = donations.filter(received_on__year=year)
    if unit is not None:
        donations = donations.filter(unit=unit)
    staff = Q(source=DonationSource.MEMBER)
    by_unit = {
        row["unit_id"]: row
        for row in donations.values("unit_id").annotate(
            own=_sum(Q(source=DonationSource.UNIT)),
            staff=_sum(staff),
            total=_sum(),
            gifts=Count("id"),
        )
    }
    people: dict[int, set] = {}
    for unit_id, member_id, name in donations.filter(staff).values_list(
        "unit_id", "member_id", "donor_name"
    ):
        people.setdefault(unit_id, set()).add(("m", member_id) if member_id else ("n", name))
    units = {u.pk: u for u in Unit.objects.filter(pk__in=by_unit)}
    rows = []
    for unit_id, row in by_unit.items():
        rows.append(
            {
                "unit": units[unit_id],
                "own": row["own"],
                "staff": row["staff"],
                "total": row["total"],
                "gifts": row["gifts"],
                "donors": len(people.get(unit_id, ())),
            }
        )
    rows.sort(key=lambda r: (-r["total"], r["unit"].sort_order, r["unit"].name))
    city = {
        "own": sum((r["own"] for r in rows), Decimal(0)),
        "staff": sum((r["staff"] for r in rows), Decimal(0)),
        "total": sum((r["total"] for r in rows), Decimal(0)),
        "gifts": sum(r["gifts"] for r in rows),
        "donors": sum(r["donors"] for r in rows),
        "units": sum(1 for r in rows if r["total"] > 0),
    }
    return {
        "year": year,
        "rows": rows,
        "city": city,
        "article": {"units": ARTICLE_UNITS, "total": ARTICLE_TOTAL},
    }
