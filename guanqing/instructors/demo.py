"""农村工作指导员 demo data: instructors in a few dozen partner villages with their work logs.

The demo builder of order 65 (`build`, registered in `InstructorsConfig.ready`): it runs after the
registry, pairing and frontline builders, in the same transaction and from the same seed, and reads
what they made from the database through the registry models: the 结对共建 partnerships (a unit's
party organisation paired with a village's), the units' members and the demo accounts. Like the
rest of the demo this is seed data: terms and log entries are bulk-inserted, not written through
the services; every entry still obeys the services' rules (inside the term and one month, never in
the future, never overlapping another).

- Each partner village (up to `VILLAGES` × scale, at least a dozen) has one instructor, an active
  member of the partner unit, on a two-year term that began three to twenty months ago; a few
  earlier terms in the same villages have ended.
- The demo member account (`member_demo`) is the instructor of its unit's partner village (or of
  the first village when its unit has none), so its log page has a term to show.
- Each month the instructor spends stays of one to five days in the village; most months reach the
  required days, some fall a few days short; the current month is under way.
- When the problem catalogue has categories (the frontline demo's), a few instructors raise a
  village problem through `guanqing.frontline.interface`, as their unit's administrator would.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from guanqing.accounts.models import User
from guanqing.core.demo import DemoContext, DemoDatabaseNotEmpty
from guanqing.core.demo.shared import insert_rows
from guanqing.core.roles import Role
from guanqing.frontline import interface as frontline
from guanqing.instructors import rules
from guanqing.instructors.choices import TermState
from guanqing.instructors.models import InstructorSettings, InstructorTerm, RaisedProblem, WorkLog
from guanqing.registry.choices import DivisionLevel, MemberStatus
from guanqing.registry.models import Division, Member, PartyOrg

VILLAGES = 36
MIN_VILLAGES = 12
RAISED = 12  # village problems raised, when the catalogue has categories
WORK = [
    "走访农户，了解产业发展和增收情况",
    "参加村两委会议，讨论村集体经济项目",
    "协调修缮村道和路灯",
    "组织党员学习，上党课",
    "走访困难户和留守老人",
    "帮助村里对接农产品销售渠道",
    "调解邻里纠纷，排查矛盾隐患",
    "检查农村饮用水工程进度",
    "协助开展人居环境整治",
    "宣讲惠农政策",
]
PROBLEMS = [
    ("村道破损需修缮", "村口到小学的村道多处破损，雨天积水，村民和学生出行不便。"),
    ("饮用水水压不足", "村东片高处农户夏季用水高峰时水压不足，需增设加压设施。"),
    ("农产品销路不畅", "今年杨梅丰收，村合作社缺少销售渠道，希望对接电商平台。"),
    ("路灯损坏", "村主干道十余盏路灯损坏，夜间出行不安全。"),
]


@dataclass
class InstructorsDemoSummary:
    terms: int = 0
    ended: int = 0
    logs: int = 0
    days: int = 0
    raised: int = 0

    def as_changes(self) -> dict:
        return {
            "instructor_terms": [None, self.terms],
            "instructor_logs": [None, self.logs],
            "instructor_days": [None, self.days],
            "instructor_problems": [None, self.raised],
        }

    def describe(self) -> str:
        return gettext(
            "农村工作指导员 %(terms)s 个任期（%(ended)s 个已结束），驻村日志 %(logs)s 条、"
            "%(days)s 天，反映难题 %(raised)s 件"
        ) % {
            "terms": self.terms,
            "ended": self.ended,
            "logs": self.logs,
            "days": self.days,
            "raised": self.raised,
        }


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def _villages(ctx: DemoContext) -> list[tuple[int, int]]:
    """(village division, partner unit) of the active 结对共建 partnerships, read through the
    registry's party organisations; every village once."""
    pairs = (
        PartyOrg.objects.filter(
            division__level=DivisionLevel.COMMUNITY,
            unit_partnerships__ended_on__isnull=True,
            unit_partnerships__unit_org__unit__isnull=False,
        )
        .order_by("division_id", "unit_partnerships__unit_org__unit_id")
        .values_list("division_id", "unit_partnerships__unit_org__unit_id")
    )
    seen: dict[int, int] = {}
    for village, unit in pairs:
        seen.setdefault(village, unit)
    return list(seen.items())


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.fork()
        self.today = ctx.today
        self.per_month = InstructorSettings.current().days_per_month
        self.summary = InstructorsDemoSummary()
        self.log_rows: list[dict] = []

    def build(self) -> InstructorsDemoSummary:
        wanted = max(MIN_VILLAGES, round(VILLAGES * self.ctx.scale))
        villages = _villages(self.ctx)
        if len(villages) < wanted:
            # villages without a partnership, for their district's units in turn
            taken = {v for v, _u in villages}
            units = list(Member.objects.values_list("unit_id", flat=True).distinct()[:50])
            extra = Division.objects.filter(level=DivisionLevel.COMMUNITY).exclude(pk__in=taken)
            for i, village in enumerate(
                extra.values_list("pk", flat=True)[: wanted - len(villages)]
            ):
                if units:
                    villages.append((village, units[i % len(units)]))
        villages = villages[:wanted]
        if not villages:
            return self.summary
        members = self._members({unit for _v, unit in villages})
        demo = (
            User.objects.filter(username="member_demo").values_list("member_id", "unit_id").first()
        )
        if demo and demo[0]:
            # the demo member's village: its unit's partner village, else the first one
            index = next((i for i, (_v, u) in enumerate(villages) if u == demo[1]), 0)
            villages[index] = (villages[index][0], demo[1])
            members.setdefault(demo[1], [])
            if demo[0] in members[demo[1]]:
                members[demo[1]].remove(demo[0])
            members[demo[1]].insert(0, demo[0])
        terms = []
        for village, unit in villages:
            pool = members.get(unit) or []
            if not pool:
                continue
            member = pool.pop(0)
            starts = self.today - datetime.timedelta(days=self.rng.randint(90, 600))
            if self.rng.random() < 0.2 and pool:
                # the village's previous instructor, whose term has ended
                earlier = _add_months(starts, -24)
                terms.append(
                    self._term(pool.pop(0), unit, village, earlier, starts - datetime.timedelta(1))
                )
            terms.append(
                self._term(
                    member, unit, village, starts, _add_months(starts, 24) - datetime.timedelta(1)
                )
            )
        InstructorTerm.objects.bulk_create(terms)
        for term in terms:
            self._logs(term)
        insert_rows(WorkLog, self.log_rows)
        self.summary.terms = len(terms)
        self.summary.ended = sum(1 for t in terms if t.state == TermState.ENDED)
        self.summary.logs = len(self.log_rows)
        self.summary.days = sum(row["days"] for row in self.log_rows)
        self._raise([t for t in terms if t.state == TermState.APPOINTED])
        return self.summary

    def _members(self, units: set[int]) -> dict[int, list[int]]:
        pool: dict[int, list[int]] = {}
        rows = (
            Member.objects.filter(unit_id__in=units, status=MemberStatus.ACTIVE)
            .order_by("unit_id", "id")
            .values_list("unit_id", "id")
        )
        for unit, member in rows:
            members = pool.setdefault(unit, [])
            if len(members) < 6:
                members.append(member)
        return pool

    def _term(self, member, unit, village, starts, ends) -> InstructorTerm:
        ended = ends < self.today
        return InstructorTerm(
            unit_id=unit,
            member_id=member,
            village_id=village,
            starts_on=starts,
            ends_on=ends,
            required_days=self.per_month,
            state=TermState.ENDED if ended else TermState.APPOINTED,
            end_reason=gettext("任期届满") if ended else "",
        )

    def _logs(self, term: InstructorTerm) -> None:
        """Stays of one to five days, month by month; most months reach the requirement."""
        for month in rules.term_months(term.starts_on, term.ends_on, self.today):
            first = max(month.first, term.starts_on)
            last = min(month.last, term.ends_on, self.today)
            required = rules.required_days(term.required_days, month, term.starts_on, term.ends_on)
            goal = (
                required if self.rng.random() < 0.8 else max(0, required - self.rng.randint(2, 6))
            )
            day, total = first, 0
            while day <= last and total < goal:
                length = min(self.rng.randint(1, 5), goal - total, (last - day).days + 1)
                end = day + datetime.timedelta(days=length - 1)
                self.log_rows.append(
                    {
                        "term_id": term.pk,
                        "starts_on": day,
                        "ends_on": end,
                        "days": length,
                        "work": self.rng.choice(WORK),
                        "problems": "",
                        "created_at": self.ctx_now(end),
                    }
                )
                total += length
                day = end + datetime.timedelta(days=self.rng.randint(1, 2))

    def ctx_now(self, day: datetime.date) -> datetime.datetime:
        from guanqing.core.daterange import start_of

        return start_of(day) + datetime.timedelta(hours=18)

    def _raise(self, terms: list[InstructorTerm]) -> None:
        """A few village problems into the loop, raised as the unit's administrator."""
        if not terms or not frontline.categories():
            return
        admins = dict(
            User.objects.filter(role=Role.UNIT_ADMIN, is_active=True)
            .order_by("unit_id", "pk")
            .values_list("unit_id", "pk")
        )
        users = User.objects.in_bulk(admins.values())
        raised = []
        for term in terms:
            if len(raised) >= RAISED:
                break
            actor = users.get(admins.get(term.unit_id))
            if actor is None:
                continue
            title, description = PROBLEMS[len(raised) % len(PROBLEMS)]
            try:
                with transaction.atomic():
                    problem_id, public_id = frontline.raise_problem(
                        actor=actor,
                        village=term.village,
                        title=title,
                        description=description,
                    )
            except (ValidationError, PermissionDenied):
                continue
            raised.append(
                RaisedProblem(
                    term=term,
                    problem_id=problem_id,
                    public_id=public_id,
                    title=title,
                    raised_on=self.today,
                    raised_by=actor,
                )
            )
        RaisedProblem.objects.bulk_create(raised)
        self.summary.raised = len(raised)


def build(ctx: DemoContext) -> InstructorsDemoSummary:
    """The terms and their logs; refuses a database that already holds terms."""
    if InstructorTerm.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    return _Builder(ctx).build()
