"""结对帮困 demo data: pairings with their relay, a year and a half of visits with help given, and
the 91 organ–village partnerships with their projects.

The demo builder of order 20 (`build`, registered in `PairingConfig.ready`): it runs once the
registry demo's households, members and accounts exist (read from the database), inside the same
transaction and from the same seed. Like the rest of the demo this is seed data: rows are
bulk-created, not written through the services (they would audit every row), and the demo's one
audit event carries the counts built here.

The story the data tells (the 2014 Ningbo Daily article):
- 92 units pair with all 1,594 households; 张国宝 with 市纪委 (held by the `member_demo` account),
  邵国樑 with 市人民检察院 (a member of its 控申处支部), 杨周宝 with 市发改委 (梁峰).
- From 1 January of last year up to today (Asia/Shanghai): a 谈 visit each
  quarter and a 访 visit in each New Year / Spring Festival window (1 January to 正月十五) and July
  window (1 June to 1 July), with some duties missed, more in a few units. The New Year visits carry
  the help: over 157万元 (cash and goods) in the most recent complete window at scale 1.
- One relay (接力棒): a 市纪委 cadre transferred in mid-year, a colleague of the same branch holds
  the pairing from then on; visits on both sides.
- One other 市纪委 pairing missed the visit of the last quarter that has ended, so that on any date
  the `unit_jiwei` account has an overdue duty on the board and, once the demo has run the daily
  job, in its notifications.
- Households no longer in difficulty (脱困, moved away, closed) have their pairing ended after the
  most recent New Year window, with the matching reason.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from guanqing.accounts.models import User
from guanqing.core import bulk
from guanqing.core.demo import DemoContext
from guanqing.core.demo.province import Volume
from guanqing.core.demo.shared import ARTICLE_UNITS, weighted_counts
from guanqing.pairing import rules
from guanqing.pairing.choices import EndReason, ProjectKind, ProjectStatus, SupportKind
from guanqing.pairing.models import Pairing, PairingTerm, Partnership, PartnershipProject, Visit
from guanqing.registry.choices import HouseholdStatus, MemberStatus, OrgKind
from guanqing.registry.models import Household, Member, PartyOrg, Unit

# At a province's scale the pairings follow the households (a million), the visits number ten
# million (`guanqing.core.demo.province`).
PROVINCE = Volume(targets={"Visit": 10_000_000})

PAIRED_UNITS = 92  # the article: 市直机关92家单位共结对困难家庭1594家
EARLIEST_START = datetime.date(2014, 3, 1)

# Shares of duties missed: most units, and the few that slip.
QUARTER_MISS, FESTIVAL_MISS = 0.07, 0.045
WEAK_QUARTER_MISS, WEAK_FESTIVAL_MISS = 0.30, 0.25
WEAK_UNITS = 3
COLLEAGUE_SHARE = 0.25  # visits where a colleague of the same unit comes along

# The named pairings: household head -> unit short name.
NAMED_PAIRINGS = {"张国宝": "市纪委", "邵国樑": "市人民检察院", "杨周宝": "市发改委"}
RELAY_UNIT = "市纪委"
RELAY_REASON = "原结对党员调离市纪委，由同支部党员接力帮扶（接力棒）"

END_REASONS = {
    HouseholdStatus.LIFTED: (EndReason.LIFTED, "家庭收入稳定，已脱困"),
    HouseholdStatus.MOVED: (EndReason.MOVED, "全家迁往外地居住"),
    HouseholdStatus.CLOSED: (EndReason.OTHER, "户籍注销"),
}

# Help in the New Year / Spring Festival window: 慰问金 in 元, and goods with their value.
NEW_YEAR_CASH = [500, 600, 800, 800, 1000, 1000]
NEW_YEAR_GOODS = ["大米", "食用油", "年货礼包", "牛奶", "棉被", "水果", "春联和福字"]
JULY_CASH = [0, 200, 300, 300, 500]
JULY_GOODS = ["绿豆", "西瓜", "电风扇", "凉席", "花露水", "大米", "食用油"]

TALK_NOTES = [
    "入户谈心，了解近期生活和身体情况，更新“五清”档案。",
    "上门拉家常，询问看病吃药情况，叮嘱按时复查。",
    "与户主谈心，了解孩子学习情况，鼓励孩子安心读书。",
    "了解到家中老人行动不便，联系社区安排助老服务。",
    "询问低保金发放情况，帮助核对最近三个月的收支。",
    "电话预约后上门走访，帮忙检查家里的电线和燃气灶。",
    "陪老人聊天，了解到近来睡眠不好，建议到社区卫生服务中心就诊。",
]
BRIEF_NOTES = [
    "讲解城乡居民医保和大病保险报销政策。",
    "宣讲最低生活保障政策的最新调整。",
    "介绍残疾人两项补贴的申请办法。",
    "讲解临时救助的申请条件和流程。",
    "介绍公租房申请的条件和办理时间。",
]
HELP_NOTES = [
    ("户主住院手术，送去帮扶资金。", 1000, 3000),
    ("台风过后房屋漏雨，出资帮助修缮屋顶。", 1500, 3000),
    ("孩子开学缴费有困难，送去助学金。", 1000, 2000),
    ("家中冰箱损坏，帮助购置新冰箱。", 1200, 2500),
]
SUPPORT_NOTES = [
    (SupportKind.EMPLOYMENT, "推荐家中成年子女到物流公司做仓库管理员。"),
    (SupportKind.EMPLOYMENT, "联系社区就业服务站，为户主安排保洁岗位。"),
    (SupportKind.EMPLOYMENT, "帮助报名人力社保部门的免费技能培训（电工）。"),
    (SupportKind.BUSINESS, "帮助申请创业担保贷款，开设小吃摊。"),
    (SupportKind.BUSINESS, "联系农技人员指导种植葡萄，并帮助联系销路。"),
]

# Projects of the organ–village partnerships: kind -> (title, note, funds range in 元).
PROJECT_POOL = {
    ProjectKind.INFRASTRUCTURE: [
        ("村道硬化", "出资硬化进村道路", 30_000, 150_000),
        ("路灯安装", "为村主干道安装太阳能路灯", 20_000, 60_000),
        ("文化礼堂修缮", "修缮村文化礼堂屋顶和外墙", 30_000, 100_000),
        ("河道清淤", "帮助清理村内河道，修建护岸", 20_000, 80_000),
    ],
    ProjectKind.MEDICAL: [
        ("送医下乡义诊", "组织医生到村开展义诊", 5_000, 20_000),
        ("村卫生室设备添置", "为村卫生室添置诊疗设备", 10_000, 50_000),
    ],
    ProjectKind.LEGAL: [
        ("送法下乡", "开展法律知识讲座和法律咨询", 0, 5_000),
        ("法律顾问进村", "为村委会聘请法律顾问", 5_000, 20_000),
    ],
    ProjectKind.TECHNOLOGY: [
        ("农技培训", "邀请农技专家培训种养殖技术", 5_000, 20_000),
        ("农村电商培训", "培训村民开网店销售农产品", 5_000, 30_000),
    ],
    ProjectKind.CULTURE: [
        ("农家书屋", "捐赠图书，建设农家书屋", 5_000, 20_000),
        ("文化走亲", "组织文艺演出下乡", 3_000, 15_000),
    ],
    ProjectKind.AGRICULTURE: [
        ("特色农产品品牌", "帮助注册商标、设计包装，打开销路", 20_000, 80_000),
        ("农民专业合作社", "帮助成立合作社，统一收购销售", 20_000, 100_000),
    ],
}

# The partnerships the article names: unit -> (village or None for any, kind, title, funds, note).
NAMED_PROJECTS = {
    "市编委办": (
        None,
        ProjectKind.INFRASTRUCTURE,
        "水利设施建设和村道修建",
        100_000,
        "筹措10万元资金支持结对村水利设施建设和村道修建",
    ),
    "市国安局": (
        None,
        ProjectKind.MEDICAL,
        "“送医下乡”活动",
        20_000,
        "组织医疗专家到结对村开展“送医下乡”活动",
    ),
    "市民政局": (
        "丁家畈村",
        ProjectKind.AGRICULTURE,
        "有机高山蔬菜品牌",
        80_000,
        "帮助结对村打造有机高山蔬菜品牌",
    ),
    "市气象局": (
        "山门村",
        ProjectKind.INFRASTRUCTURE,
        "山门村饮水工程",
        60_000,
        "协调有关部门解决山门村群众喝水难问题",
    ),
    "市贸促会": (
        "珠涂村",
        ProjectKind.TECHNOLOGY,
        "水产养殖病害防治",
        10_000,
        "联系养殖专家上门会诊水产养殖病害，避免养殖户经济损失",
    ),
}


@dataclass
class PairingDemoSummary:
    units: int = 0
    pairings: int = 0
    active_pairings: int = 0
    terms: int = 0
    visits: int = 0
    new_year_window: rules.Period | None = None
    new_year_help: Decimal = Decimal(0)
    partnerships: int = 0
    projects: int = 0

    def as_changes(self) -> dict:
        keys = ["pairings", "visits", "partnerships", "projects"]
        changes = {key: [None, getattr(self, key)] for key in keys}
        changes["new_year_help_yuan"] = [None, str(self.new_year_help)]
        return changes

    def describe(self) -> str:
        """One line for `guanqing demo`: the pairing figures, with the article's help figure."""
        text = gettext(
            "%(units)s 个单位结对 %(pairings)s 户（%(active_pairings)s 对在帮），%(visits)s 次走访，"
            "%(partnerships)s 对结对共建、%(projects)s 个共建项目"
        ) % vars(self)
        window = self.new_year_window
        if window is not None:
            text += gettext("；%(start)s至%(end)s元旦春节帮扶 %(yuan).1f 万元") % {
                "start": window.start,
                "end": window.end,
                "yuan": self.new_year_help / 10_000,
            }
        return text


@dataclass
class _Visit:
    date: datetime.date
    kinds: set[str]
    notes: str = ""
    cash: int = 0
    goods: str = ""
    goods_value: int = 0
    support_kind: str = SupportKind.NONE
    support_note: str = ""


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def history_start(today: datetime.date) -> datetime.date:
    """1 January of last year: whole years of duties, a year and a half on average."""
    return datetime.date(today.year - 1, 1, 1)


def last_complete_new_year_window(today: datetime.date) -> rules.Period:
    this_year = rules.festival_windows(today.year)[0]
    if this_year.end < today:
        return this_year
    return rules.festival_windows(today.year - 1)[0]


def build(ctx: DemoContext) -> PairingDemoSummary:
    summary = _PairingBuilder(ctx).build()
    # The day 张国宝 saw 东钱湖 again: the micro-wish demo tells the same trip on the same day.
    trip = (
        Visit.objects.filter(pairing__household__head_name="张国宝", notes__contains="东钱湖")
        .values_list("date", flat=True)
        .first()
    )
    if trip is not None:
        ctx.story_days["zhang_lake_trip"] = trip
    return summary


class _PairingBuilder:
    def __init__(self, ctx: DemoContext):
        # One draw from the demo's generator seeds this one: same seed, same pairings.
        self.rng = ctx.fork()
        self.today = ctx.today
        # The registry demo's rows, in the order it made them.
        self.units = {u.short_name: u for u in Unit.objects.order_by("pk")}
        self.members: list[Member] = list(Member.objects.order_by("pk"))
        self.branch_by_name = {
            org.name: org
            for org in PartyOrg.objects.filter(kind=OrgKind.BRANCH, unit__isnull=False)
        }
        self.summary = PairingDemoSummary()
        self.start = history_start(self.today)
        self.last_new_year = last_complete_new_year_window(self.today)
        # The last quarter that has ended: one 市纪委 pairing missed its visit (`slipping`).
        self.slipped = rules.quarter_of(rules.quarter_of(self.today).start - datetime.timedelta(1))
        self.periods: list[rules.Period] = []
        for year in range(self.start.year, self.today.year + 1):
            self.periods.extend(rules.periods_of_year(year))
        self.active: dict[int, list[Member]] = {}
        for member in self.members:
            if member.status == MemberStatus.ACTIVE:
                self.active.setdefault(member.unit_id, []).append(member)
        self.users = {u.username: u for u in User.objects.all()}

    def build(self) -> PairingDemoSummary:
        self.build_pairings()
        self.build_visits()
        self.build_partnerships()
        return self.summary

    # -- pairings ----------------------------------------------------------------------------

    def _start_date(self) -> datetime.date:
        """Most pairings are years old, some recent; all began before the last New Year window,
        so that the window's figures are the article's: 92 units, 1,594 households."""
        rng, window = self.rng, self.last_new_year
        recent = window.start - datetime.timedelta(days=400)
        if rng.random() < 0.25:
            return _between(rng, recent, window.start - datetime.timedelta(days=1))
        return _between(rng, EARLIEST_START, recent)

    def _paired_units(self, households: int) -> list[str]:
        first = list(dict.fromkeys([*NAMED_PAIRINGS.values(), *ARTICLE_UNITS]))
        others = [short for short in self.units if short not in first]
        self.rng.shuffle(others)
        # At a tiny scale two units fewer, so that 市纪委 has, besides 张国宝's, a pairing to relay
        # and one that let its last quarter's duty slip.
        wanted = households - 2 if households > len(NAMED_PAIRINGS) + 1 else households
        return (first + others)[: min(PAIRED_UNITS, wanted, len(self.units))]

    def _special_members(self) -> dict[str, Member]:
        by_pk = {m.pk: m for m in self.members}
        jiwei = self.units[RELAY_UNIT]
        demo_user = self.users.get("member_demo")
        demo = by_pk.get(demo_user.member_id) if demo_user else None
        special: dict[str, Member] = {}
        if demo is not None:
            special["张国宝"] = demo
        liang = next((m for m in self.members if m.name == "梁峰"), None)
        if liang is not None:
            special["杨周宝"] = liang
        procuratorate = self.units["市人民检察院"]
        kongshen = self.branch_by_name.get("市人民检察院控申处支部")
        candidates = self.active.get(procuratorate.pk, [])
        in_branch = [m for m in candidates if kongshen and m.branch_id == kongshen.pk]
        if in_branch or candidates:
            special["邵国樑"] = (in_branch or candidates)[0]
        # The relay: a cadre of 市纪委 and a colleague, preferably of the same branch.
        colleagues = [m for m in self.active.get(jiwei.pk, []) if m is not demo]
        if len(colleagues) >= 2:
            predecessor = self.rng.choice(colleagues)
            rest = [m for m in colleagues if m is not predecessor]
            same_branch = [m for m in rest if m.branch_id == predecessor.branch_id]
            special["relay_from"] = predecessor
            special["relay_to"] = self.rng.choice(same_branch or rest)
        return special

    def _relay_date(self) -> datetime.date:
        """Mid-July of the latest year that leaves visits on both sides of the handover."""
        year = self.today.year
        while datetime.date(year, 7, 15) > self.today - datetime.timedelta(days=60):
            year -= 1
        return max(datetime.date(year, 7, 15), self.start + datetime.timedelta(days=200))

    def build_pairings(self) -> None:
        rng = self.rng
        households = list(Household.objects.order_by("pk").only("pk", "head_name", "status"))
        if not households:
            return
        paired = self._paired_units(len(households))
        weights = [max(len(self.active.get(self.units[s].pk, [])), 1) for s in paired]
        weights = [w * rng.uniform(0.7, 1.3) for w in weights]
        counts = weighted_counts(len(households), weights, minimum=1)
        relay_index = paired.index(RELAY_UNIT) if RELAY_UNIT in paired else None
        while relay_index is not None and counts[relay_index] < 3:
            largest = max(
                (i for i in range(len(counts)) if i != relay_index), key=counts.__getitem__
            )
            if counts[largest] <= 1:
                break
            counts[largest] -= 1
            counts[relay_index] += 1

        named = {h.head_name: h for h in households if h.head_name in NAMED_PAIRINGS}
        others = [h for h in households if h.head_name not in named]
        rng.shuffle(others)
        # 市纪委's stories (the relay, the slipped duty) need households still in difficulty: it
        # takes the first of them, the other units the rest in turn.
        jiwei_named = sum(
            1 for n, unit in NAMED_PAIRINGS.items() if unit == RELAY_UNIT and n in named
        )
        jiwei_wants = counts[relay_index] - jiwei_named if relay_index is not None else 0
        jiwei = [h for h in others if h.status == HouseholdStatus.ACTIVE][: max(jiwei_wants, 0)]
        chosen = {id(h) for h in jiwei}
        sources = {RELAY_UNIT: iter(jiwei)}
        pending = iter([h for h in others if id(h) not in chosen])
        plan: list[tuple[Household, str]] = []
        for short, count in zip(paired, counts, strict=True):
            taken = [named[n] for n, unit in NAMED_PAIRINGS.items() if unit == short and n in named]
            plan.extend((h, short) for h in taken)
            source = sources.get(short, pending)
            plan.extend(
                (next(source, None) or next(pending), short) for _ in range(count - len(taken))
            )

        special = self._special_members()
        reserved = {id(m) for m in special.values()}
        pools: dict[str, list[Member]] = {}
        relay_date = self._relay_date()
        relay_done = "relay_from" not in special
        self.relay: Pairing | None = None
        self.slipping: Pairing | None = None
        self.plans: list[
            tuple[Pairing, list[tuple[Member | None, datetime.date, datetime.date | None]]]
        ] = []
        for household, short in plan:
            unit = self.units[short]
            started = self._start_date()
            holder = special.get(household.head_name)
            if household.head_name == "张国宝":
                started = datetime.date(2012, 3, 5)
            elif household.head_name == "邵国樑":
                started = datetime.date(2013, 9, 2)
            elif household.head_name == "杨周宝":
                started = datetime.date(2014, 2, 10)
            if holder is None:
                pool = pools.get(short)
                if not pool:
                    pool = [m for m in self.active.get(unit.pk, []) if id(m) not in reserved]
                    rng.shuffle(pool)
                    pools[short] = pool
                holder = pool.pop() if pool else None
                if not pools[short]:
                    del pools[short]  # dealt out: start another round
            pairing = Pairing(household=household, unit=unit, started_on=started)
            terms: list[tuple[Member | None, datetime.date, datetime.date | None]]
            if (
                not relay_done
                and short == RELAY_UNIT
                and household.head_name not in named
                and household.status == HouseholdStatus.ACTIVE
            ):
                relay_done = True
                pairing.started_on = started = min(started, self.start)
                terms = [
                    (special["relay_from"], started, relay_date - datetime.timedelta(days=1)),
                    (special["relay_to"], relay_date, None),
                ]
                self.relay = pairing
            else:
                if (
                    self.slipping is None
                    and short == RELAY_UNIT
                    and household.head_name not in named
                    and household.status == HouseholdStatus.ACTIVE
                ):
                    # Whatever the date, 市纪委's administrator has an overdue duty to chase.
                    self.slipping = pairing
                    pairing.started_on = started = min(started, self.slipped.start)
                terms = [(holder, started, None)]
            if household.status != HouseholdStatus.ACTIVE and household.head_name not in named:
                self._end(pairing, household.status)
                last = terms[-1]
                terms[-1] = (last[0], last[1], pairing.ended_on)
            self.plans.append((pairing, terms))

        bulk.insert(Pairing, [p for p, _terms in self.plans])
        rows = [
            PairingTerm(
                pairing=pairing,
                member=member,
                starts_on=starts,
                ends_on=ends,
                reason=RELAY_REASON if pairing is self.relay and ends is None else "",
            )
            for pairing, terms in self.plans
            for member, starts, ends in terms
        ]
        bulk.insert(PairingTerm, rows)
        if self.relay is not None:
            predecessor = special["relay_from"]
            predecessor.status = MemberStatus.TRANSFERRED
            Member.objects.filter(pk=predecessor.pk).update(status=MemberStatus.TRANSFERRED)
            # gone from the unit: no longer comes along on a colleague's visits
            self.active[predecessor.unit_id].remove(predecessor)
        s = self.summary
        s.units = len({p.unit_id for p, _terms in self.plans})
        s.pairings = len(self.plans)
        s.active_pairings = sum(1 for p, _terms in self.plans if p.ended_on is None)
        s.terms = len(rows)

    def _end(self, pairing: Pairing, status: str) -> None:
        """A household out of difficulty: its pairing ended after the last New Year window."""
        # the lifecycle's "end" move (rules.PAIRING): only an active pairing ends
        rules.PAIRING.target(rules.pairing_state(pairing), "end")
        first = max(self.last_new_year.end + datetime.timedelta(days=10), pairing.started_on)
        last = max(self.today - datetime.timedelta(days=7), first)
        pairing.ended_on = min(_between(self.rng, first, last), self.today)
        pairing.end_reason, pairing.end_note = END_REASONS.get(
            status, (EndReason.OTHER, "家庭情况变化")
        )

    # -- visits ------------------------------------------------------------------------------

    def build_visits(self) -> None:
        rng = self.rng
        paired_units = list(dict.fromkeys(p.unit.short_name for p, _terms in self.plans))
        protected = set(NAMED_PAIRINGS.values()) | {RELAY_UNIT}
        candidates = [s for s in paired_units if s not in ARTICLE_UNITS]
        candidates = [s for s in candidates if s not in protected]
        self.weak = set(rng.sample(candidates, min(WEAK_UNITS, len(candidates))))
        demo_user = self.users.get("member_demo")
        demo_member_id = demo_user.member_id if demo_user else None
        fallback = self.users.get("committee") or next(iter(self.users.values()), None)
        unit_users = {u.unit_id: u for u in self.users.values() if u.role == "unit_admin"}

        visits: list[Visit] = []
        participants: list[list[Member]] = []
        for pairing, terms in self.plans:
            planned = self._visits_of(pairing, terms, demo_member_id)
            for plan in planned:
                holder = next(
                    (
                        member
                        for member, starts, ends in terms
                        if starts <= plan.date and (ends is None or plan.date <= ends)
                    ),
                    None,
                )
                going = self._participants(pairing, holder)
                if holder is not None and holder.pk == demo_member_id:
                    recorder = demo_user
                else:
                    recorder = unit_users.get(pairing.unit_id, fallback)
                visits.append(
                    Visit(
                        pairing=pairing,
                        date=plan.date,
                        talk="talk" in plan.kinds,
                        brief="brief" in plan.kinds,
                        festival="festival" in plan.kinds,
                        help="help" in plan.kinds,
                        support="support" in plan.kinds,
                        notes=plan.notes,
                        cash_amount=Decimal(plan.cash),
                        in_kind_items=plan.goods,
                        in_kind_value=Decimal(plan.goods_value),
                        support_kind=plan.support_kind,
                        support_note=plan.support_note,
                        recorded_by=recorder,
                    )
                )
                participants.append(going)
        bulk.insert(Visit, visits)
        through = Visit.participants.through
        bulk.insert(
            through,
            [
                through(visit_id=visit.pk, member_id=member.pk)
                for visit, going in zip(visits, participants, strict=True)
                for member in going
            ],
        )
        window = self.last_new_year
        self.summary.visits = len(visits)
        self.summary.new_year_window = window
        self.summary.new_year_help = sum(
            (
                v.cash_amount + v.in_kind_value
                for v in visits
                if window.start <= v.date <= window.end
            ),
            Decimal(0),
        )

    def _participants(self, pairing: Pairing, holder: Member | None) -> list[Member]:
        rng = self.rng
        colleagues = self.active.get(pairing.unit_id, [])
        going = [holder] if holder is not None else []
        if colleagues and (not going or rng.random() < COLLEAGUE_SHARE):
            colleague = rng.choice(colleagues)
            if colleague is not holder:
                going.append(colleague)
        if not going:  # a unit without active members at a tiny scale
            going = [m for m in self.members if m.unit_id == pairing.unit_id][:1]
        return going

    def _visits_of(self, pairing: Pairing, terms, demo_member_id) -> list[_Visit]:
        rng = self.rng
        short = pairing.unit.short_name
        head = pairing.household.head_name
        protected = head in NAMED_PAIRINGS or pairing is self.relay
        quarter_miss, festival_miss = (
            (WEAK_QUARTER_MISS, WEAK_FESTIVAL_MISS)
            if short in self.weak
            else (QUARTER_MISS, FESTIVAL_MISS)
        )
        if protected:
            quarter_miss = festival_miss = 0.0
        # The demo member's pairing waits for its visit in the running period: something to do.
        leave_current = terms[-1][0] is not None and terms[-1][0].pk == demo_member_id
        first = max(self.start, pairing.started_on)
        last = min(self.today, pairing.ended_on or self.today)
        visits: list[_Visit] = []

        def day_in(period: rules.Period) -> datetime.date | None:
            a = max(period.start, first)
            b = period.end if pairing.ended_on is None else min(period.end, pairing.ended_on)
            if a > b or a > last:
                return None
            if leave_current and period.end >= self.today:
                return None
            day = _between(rng, a, b)
            return day if day <= self.today else None

        for period in self.periods:
            if period.kind == rules.PeriodKind.QUARTER:
                continue
            if rng.random() < festival_miss:
                continue
            day = day_in(period)
            if day is None:
                continue
            visits.append(self._festival(day, period.kind))
        for period in self.periods:
            if period.kind != rules.PeriodKind.QUARTER or rng.random() < quarter_miss:
                continue
            if pairing is self.slipping and period == self.slipped:
                continue
            inside = [v for v in visits if period.start <= v.date <= period.end]
            # Nor does a festival visit already made count for the demo member's running quarter.
            running = leave_current and period.end >= self.today
            if inside and not running and rng.random() < 0.5:
                inside[0].kinds.add("talk")
                inside[0].notes = rng.choice(TALK_NOTES) + inside[0].notes
                continue
            day = day_in(period)
            if day is None:
                continue
            visits.append(self._talk(day))
        if first <= last:
            if rng.random() < 0.08:
                note, low, high = rng.choice(HELP_NOTES)
                day = _between(rng, first, last)
                visits.append(_Visit(day, {"help"}, note, cash=rng.randrange(low, high + 1, 100)))
            if rng.random() < 0.03 and head not in NAMED_PAIRINGS:
                kind, note = rng.choice(SUPPORT_NOTES)
                day = _between(rng, first, last)
                visits.append(
                    _Visit(
                        day, {"support"}, "了解家庭就业意愿。", support_kind=kind, support_note=note
                    )
                )
        visits.extend(self._named_visits(head, first, last))
        if pairing is self.relay:
            visits = self._relay_visits(visits, terms)
        visits.sort(key=lambda v: v.date)
        return visits

    def _festival(self, day: datetime.date, kind: rules.PeriodKind) -> _Visit:
        rng = self.rng
        if kind == rules.PeriodKind.NEW_YEAR:
            goods = rng.sample(NEW_YEAR_GOODS, rng.choice([2, 2, 3]))
            cash = rng.choice(NEW_YEAR_CASH)
            value = rng.randrange(190, 420, 10)
            note = f"元旦春节走访慰问，送上慰问金{cash}元和{'、'.join(goods)}。"
        else:
            goods = rng.sample(JULY_GOODS, rng.choice([1, 2]))
            cash = rng.choice(JULY_CASH)
            value = rng.randrange(80, 300, 10)
            money = f"慰问金{cash}元和" if cash else ""
            note = f"“七一”前走访慰问，送上{money}{'、'.join(goods)}，叮嘱防暑降温。"
        return _Visit(
            day, {"festival", "help"}, note, cash=cash, goods="、".join(goods), goods_value=value
        )

    def _talk(self, day: datetime.date) -> _Visit:
        rng = self.rng
        if rng.random() < 0.4:
            return _Visit(day, {"talk", "brief"}, rng.choice(TALK_NOTES) + rng.choice(BRIEF_NOTES))
        return _Visit(day, {"talk"}, rng.choice(TALK_NOTES))

    def _named_visits(self, head: str, first: datetime.date, last: datetime.date) -> list[_Visit]:
        """The article's stories, placed in the visit history."""
        if first > last:
            return []
        day = _between(self.rng, first, last)
        if head == "张国宝":
            return [
                _Visit(
                    day,
                    {"help"},
                    "借来轮椅，陪老人到东钱湖走走，了却他多年的心愿。",
                    goods="轮椅",
                    goods_value=600,
                )
            ]
        if head == "邵国樑":
            return [
                _Visit(
                    day,
                    {"brief", "help"},
                    "辗转找到十多年前的拆迁补助政策文件（30页），送到老人手中并逐条解释。",
                )
            ]
        if head == "杨周宝":
            return [
                _Visit(
                    day,
                    {"support", "talk"},
                    "了解户主儿子的求职意愿和特长。",
                    support_kind=SupportKind.EMPLOYMENT,
                    support_note="推荐户主儿子到物流企业做仓库管理员，已签订劳动合同。",
                )
            ]
        return []

    def _relay_visits(self, visits: list[_Visit], terms) -> list[_Visit]:
        """Both sides of the handover carry visits: the predecessor's farewell, the successor's
        first visit a few days in."""
        handover = terms[1][1]
        before = handover - datetime.timedelta(days=5)
        after = min(handover + datetime.timedelta(days=4), self.today)
        visits = [v for v in visits if not before <= v.date <= after]
        visits.append(_Visit(before, {"talk"}, "工作调动前最后一次走访，向户主介绍接手的同事。"))
        visits.append(
            _Visit(
                after, {"talk", "brief"}, "接手结对后第一次入户，了解家庭情况。" + BRIEF_NOTES[0]
            )
        )
        return visits

    # -- organ–village partnerships ----------------------------------------------------------

    def build_partnerships(self) -> None:
        rng = self.rng
        unit_orgs = {
            org.unit_id: org
            for org in PartyOrg.objects.filter(kind=OrgKind.COMMITTEE, unit__isnull=False)
        }
        village_orgs = list(
            PartyOrg.objects.filter(division__isnull=False)
            .select_related("division")
            .order_by("pk")
        )
        by_village = {org.division.name: org for org in village_orgs}
        first = list(dict.fromkeys([*NAMED_PROJECTS, *ARTICLE_UNITS]))
        others = [short for short in self.units if short not in first]
        rng.shuffle(others)
        units = [s for s in first + others if self.units[s].pk in unit_orgs][: len(village_orgs)]

        chosen = {
            short: by_village[village]
            for short, (village, *_rest) in NAMED_PROJECTS.items()
            if village in by_village and short in units
        }
        free = [org for org in village_orgs if org not in chosen.values()]
        rng.shuffle(free)
        partnerships, projects = [], []
        for short in units:
            village_org = chosen.get(short) or free.pop()
            started = _between(rng, datetime.date(2012, 6, 1), datetime.date(2014, 3, 1))
            partnership = Partnership(
                unit_org=unit_orgs[self.units[short].pk],
                village_org=village_org,
                started_on=started,
            )
            partnerships.append(partnership)
            named = NAMED_PROJECTS.get(short)
            count = rng.randint(1, 3)
            if named:
                _village, kind, title, funds, note = named
                projects.append(self._project(partnership, kind, title, funds, note, done=True))
                count -= 1
            for _ in range(count):
                kind = rng.choice(list(PROJECT_POOL))
                title, note, low, high = rng.choice(PROJECT_POOL[kind])
                funds = rng.randrange(low, high + 1, 1000) if high else 0
                name = f"{village_org.division.name}{title}"
                projects.append(self._project(partnership, kind, name, funds, note))
        Partnership.objects.bulk_create(partnerships)
        PartnershipProject.objects.bulk_create(projects)
        self.summary.partnerships = len(partnerships)
        self.summary.projects = len(projects)

    def _project(self, partnership, kind, title, funds, note, done=False) -> PartnershipProject:
        rng = self.rng
        started = _between(rng, partnership.started_on, self.today - datetime.timedelta(days=30))
        roll = 0.0 if done else rng.random()
        status, finished = ProjectStatus.UNDERWAY, None
        if roll < 0.6:
            finished = started + datetime.timedelta(days=rng.randint(20, 300))
            if done:
                finished = min(finished, self.today)
            if finished <= self.today:
                status = ProjectStatus.DONE
            else:
                finished = None
        elif roll > 0.85:
            status, started = ProjectStatus.PLANNED, None
        return PartnershipProject(
            partnership=partnership,
            kind=kind,
            title=title,
            funds=Decimal(funds),
            status=status,
            started_on=started,
            finished_on=finished,
            note=note,
        )
