"""Compliance from the database: the one place that feeds the pure rules of `rules.py`.

Every function starts from a queryset the caller has already scoped (`Pairing.objects.
visible_to(user)`, or a pairing read through it) and loads, in a fixed number of queries whatever
the number of pairings, the pairings, their terms and the visits of the period asked about; the
statuses are computed by `rules.py` each time and never stored.

Which periods a to-do list and the reminders look at (`open_periods`): those that have begun and
ended no more than `LOOKBACK_DAYS` ago — the running quarter and festival window, and the ones just
missed, which a member can still be reminded of. A duty missed longer ago stays on the boards (any
period can be asked for there) but no longer on anyone's list.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from guanqing.core.ids import is_digits
from guanqing.pairing import boards, rules
from guanqing.pairing.models import Pairing, PairingTerm, Visit
from guanqing.pairing.rules import ComplianceConfig, PairingFacts, Period, PeriodKind, Status
from guanqing.pairing.selectors import compliance_settings_values
from guanqing.registry.models import Division, Unit
from guanqing.registry.selectors import current_district_map

LOOKBACK_DAYS = 92
DEDUPE_PREFIX = "compliance:"
DUTY_KINDS = ("talk", "festival")
STATUS_KEYS = [s.value for s in Status]

STATUS_LABELS = {
    Status.DONE: "已完成",
    Status.NOT_OWED: "不计",
    Status.UPCOMING: "未开始",
    Status.DUE: "待完成",
    Status.DUE_SOON: "临期",
    Status.OVERDUE: "逾期",
}


# --- settings and periods ------------------------------------------------------------------------


def current_config() -> ComplianceConfig:
    """The committee's settings as the rules' config (one query)."""
    v = compliance_settings_values()
    new_year_end = None
    if not v["new_year_window_ends_at_lantern"]:
        new_year_end = (v["new_year_window_end_month"], v["new_year_window_end_day"])
    return ComplianceConfig(
        quarterly_talk_minimum=v["quarterly_talk_minimum"],
        new_year_start=(v["new_year_window_start_month"], v["new_year_window_start_day"]),
        new_year_end=new_year_end,
        july_start=(v["july_window_start_month"], v["july_window_start_day"]),
        july_end=(v["july_window_end_month"], v["july_window_end_day"]),
        grace_days=v["grace_days"],
        due_soon_days=v["due_soon_days"],
    )


PERIOD_PATTERN = re.compile(
    r"^(?P<year>[0-9]{4})(?:Q(?P<quarter>[1-4])|-(?P<window>new_year|july))$"
)
PERIOD_MESSAGE = gettext_lazy("期间格式应为 2026Q1、2026-new_year 或 2026-july")
MIN_YEAR, MAX_YEAR = 2000, 2100


def period_label(period: Period) -> str:
    """The period's name in the reader's language, the same on every page: 2026 年第 1 季度,
    2026 年元旦春节走访期, 2026 年七一前走访期 (the API's key stays 2026Q1, 2026-new_year)."""
    year = period.start.year
    if period.kind == PeriodKind.QUARTER:
        quarter = (period.start.month - 1) // 3 + 1
        return gettext("%(year)d 年第 %(n)d 季度") % {"year": year, "n": quarter}
    if period.kind == PeriodKind.NEW_YEAR:
        return gettext("%(year)d 年元旦春节走访期") % {"year": year}
    return gettext("%(year)d 年七一前走访期") % {"year": year}


def period_key(period: Period) -> str:
    """The period as the API names it: 2026Q1, 2026-new_year, 2026-july."""
    if period.kind == PeriodKind.QUARTER:
        return period.label
    return f"{period.start.year}-{period.kind.value}"


def parse_period(value: str, config: ComplianceConfig, field_name: str = "period") -> Period:
    """2026Q1 / 2026-new_year / 2026-july → Period; a malformed value is an error on `field_name`."""
    match = PERIOD_PATTERN.match((value or "").strip())
    if not match or not MIN_YEAR <= int(match["year"]) <= MAX_YEAR:
        raise ValidationError({field_name: [PERIOD_MESSAGE]})
    year = int(match["year"])
    if match["quarter"]:
        return rules.quarters(year)[int(match["quarter"]) - 1]
    try:
        new_year, july = rules.festival_windows(year, config)
    except ValueError as exc:
        raise ValidationError({field_name: [str(exc)]}) from exc
    return new_year if match["window"] == "new_year" else july


def parse_year(value, field_name: str = "year") -> int:
    text = str(value or "").strip()
    if not is_digits(text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise ValidationError(
            {
                field_name: [
                    _("年份应为 %(min_year)s–%(max_year)s 之间的四位数")
                    % {"min_year": MIN_YEAR, "max_year": MAX_YEAR}
                ]
            }
        )
    return int(text)


def open_periods(today: datetime.date, config: ComplianceConfig) -> tuple[Period, ...]:
    """The periods a to-do list and the reminders look at (see the module docstring)."""
    earliest = today - datetime.timedelta(days=LOOKBACK_DAYS)
    periods = []
    for year in range(earliest.year, today.year + 1):
        for period in rules.periods_of_year(year, config):
            if period.start <= today and period.end >= earliest:
                periods.append(period)
    return tuple(periods)


# --- loading facts -------------------------------------------------------------------------------


@dataclass
class Loaded:
    """Pairings with their facts, and the names the answers show."""

    facts: dict[int, PairingFacts] = field(default_factory=dict)
    rows: dict[int, dict] = field(default_factory=dict)  # pairing id -> its columns
    member_names: dict[int, str] = field(default_factory=dict)


PAIRING_COLUMNS = (
    "pk",
    "started_on",
    "ended_on",
    "unit_id",
    "unit__name",
    "household_id",
    "household__head_name",
    "household__community__district_id",
)


def _touching(queryset, first: datetime.date, last: datetime.date):
    """The pairings active on at least one day of [first, last]."""
    return queryset.filter(started_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )


def load(pairings, first: datetime.date, last: datetime.date) -> Loaded:
    """The facts of the pairings of `pairings` (a scoped queryset) active in [first, last], with
    the talk and festival visits of that stretch: three queries, whatever their number."""
    scoped = _touching(pairings, first, last).order_by()
    loaded = Loaded()
    for row in scoped.values(*PAIRING_COLUMNS):
        loaded.rows[row["pk"]] = row
    ids = scoped.values("pk")
    terms: dict[int, list[rules.Term]] = defaultdict(list)
    term_rows = (
        PairingTerm.objects.filter(pairing_id__in=ids)
        .order_by()
        .values_list("pairing_id", "member_id", "member__name", "starts_on", "ends_on")
    )
    for pairing_id, member_id, name, starts_on, ends_on in term_rows:
        terms[pairing_id].append(rules.Term(member_id, starts_on, ends_on))
        if member_id is not None:
            loaded.member_names[member_id] = name
    visits: dict[int, list[rules.VisitFact]] = defaultdict(list)
    visit_rows = (
        Visit.objects.filter(pairing_id__in=ids, date__gte=first, date__lte=last)
        .filter(Q(talk=True) | Q(festival=True))
        .order_by()
        .values_list("pairing_id", "date", *DUTY_KINDS)
    )
    for pairing_id, date, *flags in visit_rows:
        kinds = {kind for kind, flag in zip(DUTY_KINDS, flags, strict=True) if flag}
        visits[pairing_id].append(rules.VisitFact(date=date, kinds=kinds))
    for pk, row in loaded.rows.items():
        loaded.facts[pk] = PairingFacts(
            started_on=row["started_on"],
            ended_on=row["ended_on"],
            terms=tuple(terms.get(pk, ())),
            visits=tuple(visits.get(pk, ())),
        )
    return loaded


def _span(periods: Iterable[Period]) -> tuple[datetime.date, datetime.date]:
    periods = list(periods)
    return min(p.start for p in periods), max(p.end for p in periods)


def _holder(loaded: Loaded, member_id: int | None) -> dict:
    return {"id": member_id, "name": loaded.member_names.get(member_id) if member_id else None}


# --- one pairing ---------------------------------------------------------------------------------


def pairing_year(pairing: Pairing, year: int, today: datetime.date) -> list[dict]:
    """The six periods of `year` (Q1, 元旦春节, Q2, 七一, Q3, Q4) for a pairing read through the
    caller's scope: status, who answers for it (the holder at its deadline) and the deadline."""
    config = current_config()
    periods = rules.periods_of_year(year, config)
    first, last = _span(periods)
    loaded = load(Pairing.objects.filter(pk=pairing.pk), first, last)
    facts = loaded.facts.get(pairing.pk)
    rows = []
    for period in periods:
        if facts is None:  # the pairing did not exist that year
            current, holder, due = Status.NOT_OWED, None, period.end
        else:
            current = rules.status(facts, period, today, config)
            holder = rules.duty_holder(facts, period)
            due = rules.deadline(facts, period)
        rows.append(
            {
                "period": period_key(period),
                "label": period_label(period),
                "kind": period.kind.value,
                "start": period.start,
                "end": period.end,
                "status": current.value,
                "status_label": STATUS_LABELS[current],
                "holder": _holder(loaded, holder),
                "deadline": due,
                "done_count": len(rules.eligible_visits(facts, period, today)) if facts else 0,
                "required_count": rules.required_count(period, config),
            }
        )
    return rows


# --- a member's to-do list -----------------------------------------------------------------------


def member_todo(member, today: datetime.date, pairings=None) -> list[dict]:
    """The open duties (due, due soon, overdue) the member answers for, most pressing first.

    `pairings` is the caller's scoped queryset; by default the pairings the member holds or held,
    which is exactly what a member sees.
    """
    if pairings is None:
        held = PairingTerm.objects.filter(member_id=member.pk).values("pairing_id")
        pairings = Pairing.objects.filter(pk__in=held)
    config = current_config()
    periods = open_periods(today, config)
    if not periods:
        return []
    first, last = _span(periods)
    loaded = load(pairings, first, last)
    duties = rules.member_todo(loaded.facts, member.pk, periods, today, config)
    return [
        {
            "pairing": duty.pairing,
            "household": loaded.rows[duty.pairing]["household__head_name"],
            "unit": loaded.rows[duty.pairing]["unit__name"],
            "period": period_key(duty.period),
            "label": period_label(duty.period),
            "kind": duty.period.kind.value,
            "start": duty.period.start,
            "end": duty.period.end,
            "status": duty.status.value,
            "status_label": STATUS_LABELS[duty.status],
            "deadline": duty.deadline,
            "days_left": rules.days_left(loaded.facts[duty.pairing], duty.period, today),
        }
        for duty in duties
    ]


# --- boards --------------------------------------------------------------------------------------


def _tally(counter: Counter) -> dict:
    """{status: n, …, pairings, compliance_rate} from counts keyed by status."""
    counts = {key: counter.get(Status(key), 0) for key in STATUS_KEYS}
    counts["pairings"] = sum(counter.values())
    rate = rules.rate_of(counts[Status.DONE.value], counts[Status.OVERDUE.value])
    counts["compliance_rate"] = None if rate is None else round(rate, 4)
    return counts


STATUS_ORDER = {s: i for i, s in enumerate(["overdue", "due_soon", "due", "upcoming"])}


def unit_board(pairings, unit, period: Period, today: datetime.date, config=None) -> dict:
    """One unit's pairings active in `period`, each with its status and who answers for it.

    The statuses, deadlines and holders come from the database in one query (`boards.unit_rows`,
    the SQL form of `rules.status`).
    """
    config = config or current_config()
    rows = boards.unit_rows(pairings.filter(unit_id=unit.pk), period, today, config)
    result = [
        {
            "pairing": row["pk"],
            "household": row["household"],
            "status": row["status"],
            "status_label": STATUS_LABELS[row["status"]],  # a StrEnum key matches its text
            "holder": {"id": row["holder_id"], "name": row["holder"]},
            "deadline": row["deadline"],
            "done_count": row["done_count"],
        }
        for row in rows
    ]
    result.sort(key=lambda r: (STATUS_ORDER.get(r["status"], 9), r["deadline"], r["pairing"]))
    return {
        "period": _period_dict(period),
        "today": today,
        "unit": {"id": unit.pk, "name": unit.name},
        "totals": _tally(Counter(r["status"] for r in result)),
        "pairings": result,
    }


def _period_dict(period: Period) -> dict:
    return {
        "key": period_key(period),
        "label": period_label(period),
        "kind": period.kind.value,
        "start": period.start,
        "end": period.end,
    }


def _district_names(ids) -> dict[int, str]:
    return dict(Division.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def city_board(pairings, period: Period, today: datetime.date, config=None) -> dict:
    """Counts of each status and the compliance rate, in total, by unit and by today's district
    (a merged district's pairings count for the district it became part of).

    The database counts the statuses by unit and original district in one query
    (`boards.status_counts`); the roll-up to today's districts and the names take two more.
    """
    config = config or current_config()
    rows = boards.status_counts(
        pairings, period, today, config, "unit_id", "household__community__district_id"
    )
    # One row per unit, original district and status: at a province's scale several hundred
    # thousand, so the loop is kept to two dictionary updates a row.
    by_unit: dict[int, dict[str, int]] = defaultdict(dict)
    by_original: dict[int | None, dict[str, int]] = defaultdict(dict)
    for unit_id, district_id, status, n in rows:
        counts = by_unit[unit_id]
        counts[status] = counts.get(status, 0) + n
        counts = by_original[district_id]
        counts[status] = counts.get(status, 0) + n
    district_of = current_district_map()
    by_district: dict[int | None, Counter] = defaultdict(Counter)
    for original, counts in by_original.items():
        by_district[district_of.get(original, original)].update(counts)
    totals: Counter = Counter()
    for counts in by_unit.values():
        totals.update(counts)
    unit_names = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "name"))
    names = _district_names(k for k in by_district if k is not None)
    units = [
        {"unit": {"id": pk, "name": unit_names.get(pk, "—")}, **_tally(counts)}
        for pk, counts in by_unit.items()
    ]
    districts = [
        {"district": {"id": pk, "name": names.get(pk, "—")}, **_tally(counts)}
        for pk, counts in by_district.items()
    ]
    units.sort(key=lambda r: (-r["overdue"], r["unit"]["name"]))
    districts.sort(key=lambda r: (-r["pairings"], r["district"]["name"]))
    return {
        "period": _period_dict(period),
        "today": today,
        "totals": _tally(totals),
        "by_unit": units,
        "by_district": districts,
    }


# --- reminders -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    recipient_id: int
    kind: str
    text: str
    link: str
    dedupe_key: str


def _reminders(today: datetime.date) -> list[Reminder]:
    from guanqing.accounts.models import User
    from guanqing.core.roles import Role

    config = current_config()
    periods = open_periods(today, config)
    if not periods:
        return []
    first, last = _span(periods)
    # The reminders are the system's own reading: every pairing still running in the periods.
    loaded = load(Pairing.objects.all(), first, last)
    users_of_member = dict(
        User.objects.filter(is_active=True, member__isnull=False).values_list("member_id", "pk")
    )
    admins: dict[int, list[int]] = defaultdict(list)
    for pk, unit_id in User.objects.filter(is_active=True, role=Role.UNIT_ADMIN).values_list(
        "pk", "unit_id"
    ):
        admins[unit_id].append(pk)
    reminders = []
    for pk, facts in loaded.facts.items():
        row = loaded.rows[pk]
        for period in periods:
            current = rules.status(facts, period, today, config)
            if current not in (Status.DUE_SOON, Status.OVERDUE):
                continue
            due = rules.deadline(facts, period)
            key = f"{DEDUPE_PREFIX}{pk}:{period_key(period)}:{current.value}"
            # The pairing's page (pairing:pairing_detail), kept a plain path: no URL reversal here.
            link = f"/pairing/{pk}/"
            household = row["household__head_name"]
            holder = rules.duty_holder(facts, period)
            if current == Status.DUE_SOON:
                text = _("%(household)s户 %(label)s 的走访将于 %(due)s 到期，请及时完成") % {
                    "household": household,
                    "label": period_label(period),
                    "due": due,
                }
                # A whole-unit pairing has no member to remind: its administrators are.
                user_ids = [users_of_member[holder]] if holder in users_of_member else []
                if holder is None:
                    user_ids = admins.get(row["unit_id"], [])
                for user_id in user_ids:
                    reminders.append(Reminder(user_id, "due_soon", text, link, key))
            else:
                name = loaded.member_names.get(holder, "全单位") if holder else "全单位"
                text = _(
                    "%(household)s户 %(label)s 的走访已逾期（截止 %(due)s，责任人 %(name)s）"
                ) % {
                    "household": household,
                    "label": period_label(period),
                    "due": due,
                    "name": name,
                }
                for user_id in admins.get(row["unit_id"], ()):
                    reminders.append(Reminder(user_id, "overdue", text, link, key))
    return reminders


def compliance_remind(today: datetime.date) -> int:
    """Write the day's reminders as notifications: to the member who answers for a duty that is
    due soon, to the unit's administrators for one that is overdue. A reminder already written
    (same recipient, pairing, period and status) is not written again. Returns how many were new."""
    from guanqing.core.models import Notification

    reminders = _reminders(today)
    if not reminders:
        return 0
    mine = Notification.objects.filter(dedupe_key__startswith=DEDUPE_PREFIX)
    with transaction.atomic():
        before = mine.count()
        # The unique (recipient, dedupe_key) constraint skips what an earlier run wrote.
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=r.recipient_id,
                    kind=r.kind,
                    text=r.text,
                    link=r.link,
                    dedupe_key=r.dedupe_key,
                )
                for r in reminders
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        return mine.count() - before


# --- the committee's board, kept as a snapshot (core/snapshots.py) -------------------------------

CITY_BOARD = "pairing.city_board"


def config_key(config: ComplianceConfig) -> str:
    """The committee's settings in a snapshot's arguments: a change to them starts new ones."""
    return repr(config)


def city_board_args(period: Period, today: datetime.date, config: ComplianceConfig) -> dict:
    return {"period": period_key(period), "today": today.isoformat(), "config": config_key(config)}


def city_board_of_every_pairing(*, period: str, today: str, config: str) -> dict:
    """`city_board` over every pairing (what the committee reads), with today's settings (which
    `config` names)."""
    settings_now = current_config()
    return city_board(
        Pairing.objects.all(),
        parse_period(period, settings_now),
        datetime.date.fromisoformat(today),
        settings_now,
    )


def city_board_defaults(today: datetime.date) -> list[dict]:
    """The board's default view: the period `selectors.default_board_period` opens on."""
    from guanqing.pairing import selectors

    config = current_config()
    keys = [key for key, _label in selectors.board_period_choices(today, config)]
    period = parse_period(selectors.default_board_period(keys, today, config), config)
    return [city_board_args(period, today, config)]
