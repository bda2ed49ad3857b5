"""三服务 走亲连心 demo data: the committee's problem catalogue and 派单目录, a year of outreach
close to the article's figures, the problems collected on the visits and from the public, the
Open311 demo key, and the 金点子 brand and pocket book (`demo_books`).

The demo builder of order 60 (`build`, registered in `FrontlineConfig.ready`): it runs after the
registry demo, in the same transaction and from the same seed, and reads the units, members and
divisions from the database. Like the rest of the demo this is seed data: rows are bulk-inserted,
not written through the services; every problem still tells its story the way the services would
have: its deadline is `rules.deadline` on the official calendar from the settings' limit for its
urgency, its states follow the lifecycle table `rules.PROBLEM`, and each step is a `ProblemEvent`
(受理, 派单, 签收, 办结答复; 退单, 改派, 并单, 催办, 通报, 评价, 重新办理 where there were any).

The article (at scale 1): 11,900 person-times, 2,940 of them by bureau-level cadres, 4,724
grassroots units and 7,762 villages and enterprises visited, 1,492.8万元 donated, about 7,700
problems solved. A visit goes to one place with at least one cadre, so every place visited once by
one cadre already makes 12,486 person-times: the places are the article's, the person-times come
out about 5 % above its 11,900; the bureau-level ones are its 2,940.

A problem whose deadline falls in a year the calendar lacks is left out rather than given a
guessed deadline.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext
from stdnum.cn import uscc

from guanqing.core import bulk
from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays, is_workday
from guanqing.core.demo import DemoContext, DemoDatabaseNotEmpty
from guanqing.core.demo.province import Volume
from guanqing.core.demo.shared import historic_timestamps, insert_rows, surname, weighted_counts
from guanqing.core.roles import Role
from guanqing.frontline import demo_books, rules
from guanqing.frontline.choices import (
    PlaceKind,
    ProblemEventKind,
    ProblemSource,
    ProblemState,
    Satisfaction,
    Urgency,
)
from guanqing.frontline.models import (
    DispatchRule,
    FrontlineSettings,
    Open311Key,
    Outreach,
    Place,
    Problem,
    ProblemCategory,
    ProblemEvent,
)
from guanqing.frontline.open311.keys import PREFIX_LENGTH, key_hash
from guanqing.registry.choices import DivisionLevel, Rank
from guanqing.registry.models import Division, Member, Unit

# The Open311 demo key: printed by `guanqing demo`, listed in docs/demo.md and docs/frontline.md.
DEMO_OPEN311_KEY = "guanqing-demo-open311-key"
DEMO_OPEN311_APPLICATION = "宁波民情通（演示）"

# The article's figures, at scale 1.
# At a province's scale: a million problems with their steps, half a million outreach visits; the
# places follow their villages (a copied enterprise's credit code is 9 and its id), categories
# and dispatch rules (one per category and district) are not copied
# (`guanqing.core.demo.province`).
PROVINCE = Volume(
    targets={"Problem": 1_000_000, "Outreach": 500_000},
    keep=("DispatchRule",),
    numbered={"Place": ("credit_code",)},
)

PERSON_TIMES = 11_900
BUREAU_PERSON_TIMES = 2_940
GRASSROOTS_UNITS = 4_724
VILLAGES_ENTERPRISES = 7_762
ENTERPRISE_SHARE = 0.45  # of the villages and enterprises
DONATED_YUAN = Decimal("14928000")
PROBLEMS_SOLVED = 7_700
# Beyond the solved ones (at scale 1, each at least a few): still open, 并单, 退单, from the public.
OPEN_PROBLEMS = 120
OVERDUE_PROBLEMS = 12
RETURNED_PROBLEMS = 4
UNASSIGNED_PROBLEMS = 6
MERGED_PROBLEMS = 6
REOPENED_PROBLEMS = 4
OPEN311_PROBLEMS = 24
SHARE_LATE = 0.04  # of the solved ones: closed after the deadline
SHARE_RATED = 0.85  # of the solved ones
JIWEI = "市纪委"

# The catalogue: (code, name, group, urgency, keywords, default unit, attributes, district units)
CATALOGUE = [
    (
        "road",
        "道路设施",
        "城市管理",
        Urgency.COMPLAINT,
        "道路,路灯,井盖,桥梁",
        "市交通委",
        [("facility", "设施类型", ["路面破损", "路灯不亮", "井盖缺失", "桥梁护栏"])],
        {"鄞州区": "市住建局", "北仑区": "市住建局"},
    ),
    (
        "utility",
        "供水供电",
        "城市管理",
        Urgency.EMERGENCY,
        "停水,停电,水压,线路",
        "市住建局",
        [("utility_kind", "类型", ["供水", "供电", "燃气"])],
        {},
    ),
    (
        "finance",
        "企业融资",
        "企业服务",
        Urgency.PROBLEM,
        "贷款,融资,担保,授信",
        "市财政局",
        [("amount", "资金需求（万元）", None)],
        {"余姚市": "市发改委"},
    ),
    (
        "hiring",
        "用工招聘",
        "企业服务",
        Urgency.PROBLEM,
        "招工,用工,技工,社保",
        "市人力社保局",
        [("positions", "缺工人数", None)],
        {},
    ),
    (
        "sanitation",
        "环境卫生",
        "城市管理",
        Urgency.COMPLAINT,
        "垃圾,污水,异味,保洁",
        "市住建局",
        [("spot", "问题类型", ["垃圾堆放", "污水外溢", "公厕保洁", "河道漂浮物"])],
        {"海曙区": "市民政局"},
    ),
    (
        "policy",
        "政策咨询",
        "政策服务",
        Urgency.ENQUIRY,
        "政策,补助,申报,咨询",
        "市发改委",
        [("topic", "咨询事项", None)],
        {},
    ),
    (
        "export",
        "外贸出口",
        "企业服务",
        Urgency.PROBLEM,
        "出口,信保,退税,展会",
        "市外经贸局",
        [("market", "目标市场", ["欧盟", "美国", "东盟", "其他"])],
        {},
    ),
    (
        "market",
        "市场监管",
        "企业服务",
        Urgency.COMPLAINT,
        "执照,商标,价格,合同",
        "市工商局",
        [("licence", "涉及证照", None)],
        {},
    ),
    (
        "quality",
        "质量标准",
        "企业服务",
        Urgency.PROBLEM,
        "检验,认证,标准,计量",
        "市质监局",
        [("product", "产品名称", None)],
        {},
    ),
    (
        "food",
        "食品药品安全",
        "民生保障",
        Urgency.COMPLAINT,
        "食品,药品,餐饮,过期",
        "市食品药品监管局",
        [("place_kind", "场所", ["餐饮店", "超市", "药店", "学校食堂"])],
        {},
    ),
    (
        "assistance",
        "困难救助",
        "民生保障",
        Urgency.PROBLEM,
        "低保,救助,养老,残疾",
        "市民政局",
        [("household", "家庭人口", None)],
        {"奉化区": "市妇联"},
    ),
    (
        "legal",
        "法律援助",
        "民生保障",
        Urgency.ENQUIRY,
        "纠纷,欠薪,法律,调解",
        "市司法局",
        [("dispute", "纠纷类型", ["劳动争议", "邻里纠纷", "合同纠纷", "其他"])],
        {},
    ),
    (
        "conduct",
        "作风效能",
        "机关作风",
        Urgency.COMPLAINT,
        "作风,效能,推诿,吃拿卡要",
        JIWEI,
        [("organ", "涉及部门", None)],
        {},
    ),
]

TITLES = {
    "road": ["村道路面破损坑洼", "路口路灯长期不亮", "人行道井盖缺失", "桥梁护栏松动"],
    "utility": ["小区水压不足高楼停水", "企业专线频繁跳闸", "村里老旧电线需改造"],
    "finance": ["小微企业贷款续贷难", "技改项目缺少担保", "应收账款融资渠道不畅"],
    "hiring": ["旺季缺少熟练技工", "外来务工人员社保转移", "招聘会场地需协调"],
    "sanitation": ["村口垃圾清运不及时", "河道漂浮物多", "菜场周边污水外溢"],
    "policy": ["技改补助如何申报", "高新企业认定条件咨询", "养老补贴政策咨询"],
    "export": ["出口退税进度慢", "海外买家拖欠货款", "境外参展补助申请"],
    "market": ["商标被抢注如何应对", "营业执照变更手续", "农资价格异常"],
    "quality": ["出口产品检验周期长", "计量器具检定排队", "团体标准制定指导"],
    "food": ["学校周边小餐饮卫生差", "药店销售过期药品", "农村家宴食品安全"],
    "assistance": ["独居老人生活困难", "残疾人就业帮扶", "困难家庭子女就学"],
    "legal": ["农民工欠薪讨要", "宅基地邻里纠纷", "合同违约法律咨询"],
    "conduct": ["办事窗口推诿扯皮", "审批材料反复补正", "基层站所服务态度差"],
}
ANSWERS = [
    "已现场核实并协调解决，反映人表示认可。",
    "已会同属地街道（乡镇）处理完毕，并建立长效机制。",
    "已按政策办理到位，相关材料已送达。",
    "已协调相关部门落实，问题已解决。",
]
RETURN_REASONS = ["该事项属区县（市）事权，建议改派属地处理。", "不属于本单位职责范围。"]
DISCUSSED = [
    "宣讲惠企政策，听取企业生产经营中的困难",
    "了解村集体经济发展情况，帮助理思路",
    "走访困难群众，送去慰问金和生活物资",
    "座谈基层站所服务情况，收集意见建议",
]
GOODS = ["大米、食用油", "办公电脑", "图书、文具", "慰问品"]
VILLAGE_PARTS = "东西南北上下前后新老大小"
VILLAGE_ENDS = ["家村", "岙村", "桥村", "塘村", "山村", "溪村", "浦村", "岭村"]
GRASSROOTS_KINDS = [
    "卫生院",
    "中心小学",
    "派出所",
    "司法所",
    "财政所",
    "文化站",
    "供电所",
    "市场监管所",
]
FIRM_WORDS = ["海天", "东方", "甬江", "明州", "四明", "天一", "港城", "兴达", "华盛", "金桥"]
FIRM_TRADES = ["机械", "电器", "模具", "纺织", "服饰", "塑业", "五金", "食品", "电子", "汽配"]


@dataclass
class FrontlineDemoSummary:
    categories: int = 0
    rules: int = 0
    places: int = 0
    visits: int = 0
    person_times: int = 0
    bureau_person_times: int = 0
    donated_wan_yuan: Decimal = Decimal(0)
    problems: int = 0
    solved: int = 0
    open: int = 0
    events: int = 0
    practices: int = 0
    open311_key: str = DEMO_OPEN311_KEY

    def as_changes(self) -> dict:
        return {
            "frontline_categories": [None, self.categories],
            "frontline_places": [None, self.places],
            "frontline_outreach": [None, self.visits],
            "frontline_problems": [None, self.problems],
            "frontline_problem_events": [None, self.events],
            "frontline_practices": [None, self.practices],
        }

    def describe(self) -> str:
        return gettext(
            "%(categories)s 个难题类别；走访 %(visits)s 次 %(person_times)s 人次（局级 "
            "%(bureau_person_times)s 人次），捐赠 %(donated_wan_yuan)s 万元；难题 %(problems)s "
            "件，已办结 %(solved)s 件，办理中 %(open)s 件；Open311 演示密钥 %(open311_key)s"
        ) % vars(self)

    def note(self) -> str:
        return (
            f"走访 {self.visits} 次（{self.person_times} 人次）、难题 {self.problems} 件、"
            f"金点子 {self.practices} 条"
        )


def build(ctx: DemoContext) -> FrontlineDemoSummary:
    """The catalogue, the year of outreach and its problems; refuses a database with problems."""
    if Problem.objects.exists() or Place.objects.exists() or ProblemCategory.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    with translation.override(settings.LANGUAGE_CODE):
        return _Builder(ctx).build()


def period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to today (both ends included)."""
    return today - datetime.timedelta(days=364), today


def credit_code(region: str, serial: int) -> str:
    """A valid 统一社会信用代码 of an enterprise registered in `region` (six digits)."""
    body = f"91{region}{serial:08d}"
    body += _org_check(body[8:16])
    return body + uscc.calc_check_digit(body)


def _org_check(digits: str) -> str:
    """The organisation code's check character (GB 11714)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.rng = ctx.fork()
        self.scale = ctx.scale
        self.today = ctx.today
        self.first, _last = period(self.today)
        self.tz = timezone.get_current_timezone()
        self.summary = FrontlineDemoSummary()
        self.settings = FrontlineSettings.current()
        if self.settings.pk is None:
            self.settings.save()
        users = get_user_model().objects
        self.committee = (
            users.filter(username="committee").first()
            or users.filter(role=Role.COMMITTEE).order_by("pk").first()
        )
        self.admins = {}
        for user in users.filter(role=Role.UNIT_ADMIN, unit__isnull=False).order_by("pk"):
            self.admins.setdefault(user.unit_id, user)
        self.units = list(Unit.objects.order_by("pk"))
        self.by_short = {u.short_name: u for u in self.units if u.short_name}
        self.days = [
            self.first + datetime.timedelta(days=n)
            for n in range((self.today - self.first).days + 1)
            if is_workday(self.first + datetime.timedelta(days=n))
        ]
        self._workdays: dict[tuple[datetime.date, int], datetime.date | None] = {}
        self.events: list[dict] = []
        self.serial: dict[datetime.date, itertools.count] = {}

    # -- helpers ------------------------------------------------------------------------------

    def n(self, count: int, minimum: int = 1) -> int:
        return max(minimum, round(count * self.scale))

    def add(self, day: datetime.date, workdays: int) -> datetime.date | None:
        """`add_workdays`, remembered; None where the calendar lacks the year."""
        key = (day, workdays)
        if key not in self._workdays:
            try:
                self._workdays[key] = add_workdays(day, workdays)
            except CalendarYearMissing:
                self._workdays[key] = None
        return self._workdays[key]

    def deadline(self, day: datetime.date, urgency: str) -> datetime.date | None:
        return self.add(day, self.settings.limit_workdays(urgency))

    def at(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=self.tz)

    def public_id(self, day: datetime.date) -> str:
        counter = self.serial.setdefault(day, itertools.count(1))
        return f"NT{day:%Y%m%d}-{next(counter):04d}"

    def actor_of(self, unit) -> object:
        return self.admins.get(unit.pk if unit else None, self.committee)

    def event(self, problem, kind, on, *, from_state="", to_state, unit=None, actor=None,
              note="", public=False, hour=10):  # fmt: skip
        self.events.append(
            {
                "problem_id": problem.pk,
                "kind": kind,
                "on": on,
                "actor_id": actor.pk if actor else None,
                "unit_id": unit.pk if unit else None,
                "from_state": from_state,
                "to_state": to_state,
                "note": note,
                "public": public,
                "at": self.at(on, hour),
            }
        )

    # -- the build ----------------------------------------------------------------------------

    def build(self) -> FrontlineDemoSummary:
        with historic_timestamps(Place, Outreach, Problem, ProblemEvent, Open311Key):
            self.catalogue()
            self.key = self.open311_key()
            visits = self.outreach()
            self.problems(visits)
            insert_rows(ProblemEvent, self.events)
        self.summary.events = len(self.events)
        books = demo_books.build(committee=self.committee, today=self.today)
        self.summary.practices = getattr(books, "practices", 0)
        return self.summary

    def catalogue(self) -> None:
        districts = {d.name: d for d in Division.objects.filter(level=DivisionLevel.DISTRICT)}
        fallback = self.by_short.get(JIWEI) or self.units[0]
        categories, rule_rows = [], []
        for n, (code, name, group, urgency, keywords, unit, attrs, per_district) in enumerate(
            CATALOGUE, start=1
        ):
            attributes = [
                {
                    "variable": True,
                    "code": attr_code,
                    "datatype": "singlevaluelist" if values else "string",
                    "required": False,
                    "datatype_description": "",
                    "order": order,
                    "description": label,
                    **(
                        {"values": [{"key": f"v{i}", "name": v} for i, v in enumerate(values, 1)]}
                        if values
                        else {}
                    ),
                }
                for order, (attr_code, label, values) in enumerate(attrs, start=1)
            ]
            category = ProblemCategory(
                code=code,
                name=name,
                group=group,
                description=f"{name}方面的难题",
                keywords=keywords,
                urgency=urgency,
                attributes=attributes,
                sort_order=n * 10,
            )
            categories.append(category)
            rule_rows.append((category, None, self.by_short.get(unit, fallback)))
            for district, other in per_district.items():
                if district in districts and other in self.by_short:
                    rule_rows.append((category, districts[district], self.by_short[other]))
        ProblemCategory.objects.bulk_create(categories)
        DispatchRule.objects.bulk_create(
            [DispatchRule(category=c, district=d, unit=u) for c, d, u in rule_rows]
        )
        self.categories = categories
        self.rules = {(c.pk, d.pk if d else None): u for c, d, u in rule_rows}
        self.summary.categories = len(categories)
        self.summary.rules = len(rule_rows)

    def unit_for(self, category, district_id):
        return self.rules.get((category.pk, district_id)) or self.rules[(category.pk, None)]

    def open311_key(self) -> Open311Key:
        return Open311Key.objects.create(
            application=DEMO_OPEN311_APPLICATION,
            contact="12345 热线",
            key_hash=key_hash(DEMO_OPEN311_KEY),
            key_prefix=DEMO_OPEN311_KEY[:PREFIX_LENGTH],
            issued_by=get_user_model().objects.filter(username="sysadmin").first(),
            issued_at=self.at(self.first),
        )

    def outreach(self) -> list[Outreach]:
        rng = self.rng
        streets = list(
            Division.objects.filter(level=DivisionLevel.STREET, valid_until__isnull=True)
            .select_related("district")
            .order_by("pk")
        )
        villages = list(
            Division.objects.filter(
                level=DivisionLevel.COMMUNITY, valid_until__isnull=True
            ).order_by("pk")
        )
        grassroots = self.n(GRASSROOTS_UNITS)
        villages_enterprises = self.n(VILLAGES_ENTERPRISES, 2)
        enterprises = max(1, round(villages_enterprises * ENTERPRISE_SHARE))
        places: list[Place] = []
        names: set[tuple[int, str]] = set()

        def unique(division, make):
            while True:
                name = make()
                if (division.pk, name) not in names:
                    names.add((division.pk, name))
                    return name

        for i in range(grassroots):
            street = streets[i % len(streets)]
            kind = GRASSROOTS_KINDS[(i // len(streets)) % len(GRASSROOTS_KINDS)]
            name = unique(
                street,
                lambda s=street, k=kind: (
                    f"{s.name}{k}"
                    if (s.pk, f"{s.name}{k}") not in names
                    else f"{s.name}{k}{rng.randint(2, 999)}分部"
                ),
            )
            places.append(Place(kind=PlaceKind.GRASSROOTS, name=name, division=street))
        for _ in range(villages_enterprises - enterprises):
            division = rng.choice(villages or streets)
            name = unique(
                division,
                lambda: f"{rng.choice(VILLAGE_PARTS)}{surname(rng)}{rng.choice(VILLAGE_ENDS)}",
            )
            places.append(Place(kind=PlaceKind.VILLAGE, name=name, division=division))
        for serial in range(enterprises):
            street = rng.choice(streets)
            region = (street.district.code if street.district_id else street.code)[:6]
            name = unique(
                street,
                lambda: (
                    f"宁波{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_TRADES)}"
                    f"{rng.choice(['有限公司', '股份有限公司', '科技有限公司'])}"
                    f"{'' if rng.random() < 0.3 else rng.randint(1, 999)}"
                ),
            )
            places.append(
                Place(
                    kind=PlaceKind.ENTERPRISE,
                    name=name,
                    division=street,
                    credit_code=credit_code(region, 10_000_000 + serial * 7 + 3),
                )
            )
        for place in places:
            place.created_by = self.committee
            place.created_at = self.at(self.first)
        bulk.insert(Place, places)
        self.summary.places = len(places)

        # one visit per place by one cadre of a unit; the bureau-level person-times the article's
        members = list(
            Member.objects.filter(unit__isnull=False).values_list("pk", "unit_id", "rank")
        )
        bureau = [m for m in members if m[2] == Rank.BUREAU]
        others = [m for m in members if m[2] != Rank.BUREAU]
        n_bureau = min(self.n(BUREAU_PERSON_TIMES), len(places))
        cadres = [rng.choice(bureau or members) for _ in range(n_bureau)] + [
            rng.choice(others or members) for _ in range(len(places) - n_bureau)
        ]
        rng.shuffle(cadres)
        rng.shuffle(places)
        units = {u.pk: u for u in self.units}
        donated = round(DONATED_YUAN * Decimal(str(self.scale)))
        shares = weighted_counts(int(donated), [rng.random() + 0.2 for _ in places], 0)
        visits = []
        for place, (member_id, unit_id, _rank), money in zip(places, cadres, shares, strict=True):
            day = rng.choice(self.days)
            goods = Decimal(money // 5) if rng.random() < 0.3 else Decimal(0)
            visits.append(
                Outreach(
                    unit=units[unit_id],
                    visited_on=day,
                    place=place,
                    discussed=rng.choice(DISCUSSED),
                    donated_money=Decimal(money) - goods,
                    donated_goods=goods,
                    goods_note=rng.choice(GOODS) if goods else "",
                    recorded_by=self.actor_of(units[unit_id]),
                    created_at=self.at(day, 17),
                )
            )
            visits[-1].cadre_id = member_id
        bulk.insert(Outreach, visits)
        insert_rows(
            Outreach.cadres.through,
            [{"outreach_id": v.pk, "member_id": v.cadre_id} for v in visits],
        )
        self.summary.visits = len(visits)
        self.summary.person_times = len(visits)
        self.summary.bureau_person_times = n_bureau
        self.summary.donated_wan_yuan = (Decimal(sum(shares)) / 10000).quantize(Decimal("0.1"))
        return visits

    # -- problems -----------------------------------------------------------------------------

    def new_problem(self, *, category, day, visit=None, source=ProblemSource.OUTREACH):
        rng = self.rng
        division = visit.place.division if visit else rng.choice(self.streets)
        return Problem(
            public_id=self.public_id(day),
            source=source,
            outreach=visit,
            category=category,
            urgency=category.urgency,
            title=rng.choice(TITLES[category.code]),
            description=f"{rng.choice(TITLES[category.code])}，群众反映强烈，请尽快协调解决。",
            division=division,
            address=f"{division.name}{rng.randint(1, 200)}号" if not visit else "",
            reported_by=self.actor_of(visit.unit) if visit else None,
            received_on=day,
            created_at=self.at(day, 11),
            updated_at=self.at(day, 11),
        )

    def problems(self, visits: list[Outreach]) -> None:
        rng = self.rng
        self.streets = list(
            Division.objects.filter(level=DivisionLevel.STREET, valid_until__isnull=True)
            .select_related("district")
            .order_by("pk")
        )
        district_of = {d.pk: d.district_id for d in Division.objects.all()}
        today = self.today
        recent = [d for d in self.days if (today - d).days <= 40]
        plan: list[tuple] = []  # (problem, story)
        # the solved ones: received over the year, closed by today
        solved = self.n(PROBLEMS_SOLVED)
        old_visits = [v for v in visits if v.visited_on < today - datetime.timedelta(days=30)]
        for visit in itertools.islice(itertools.cycle(old_visits or visits), solved):
            plan.append((visit, "solved"))
        stories = (
            [("open", self.n(OPEN_PROBLEMS, 3)), ("overdue", self.n(OVERDUE_PROBLEMS, 3))]
            + [("returned", self.n(RETURNED_PROBLEMS, 2)), ("merged", self.n(MERGED_PROBLEMS, 2))]
            + [("reopened", self.n(REOPENED_PROBLEMS, 2))]
        )
        recent_visits = [v for v in visits if (today - v.visited_on).days <= 40] or visits
        for story, count in stories:
            for _ in range(count):
                plan.append((rng.choice(recent_visits), story))

        rows: list[tuple[Problem, str, object]] = []
        for visit, story in plan:
            category = rng.choice(self.categories)
            day = visit.visited_on
            if story in ("open", "overdue", "returned", "merged"):
                day = rng.choice(recent)
            problem = self.new_problem(category=category, day=day, visit=visit)
            district = district_of.get(problem.division_id)
            rows.append((problem, story, self.unit_for(category, district)))
        # unassigned: reported in the last working days (from the public too, through Open311)
        for i in range(self.n(UNASSIGNED_PROBLEMS, 2) + self.n(OPEN311_PROBLEMS, 2)):
            category = rng.choice(self.categories)
            unassigned = i < self.n(UNASSIGNED_PROBLEMS, 2)
            day = self.days[-1 - rng.randrange(2)] if unassigned else rng.choice(recent)
            problem = self.new_problem(category=category, day=day, source=ProblemSource.OPEN311)
            problem.open311_key = self.key
            problem.lat = Decimal("29.87") + Decimal(rng.randrange(-500, 500)) / 10000
            problem.long = Decimal("121.55") + Decimal(rng.randrange(-500, 500)) / 10000
            if not unassigned:
                problem.source = rng.choice([ProblemSource.OPEN311, ProblemSource.PUBLIC])
            district = district_of.get(problem.division_id)
            story = "unassigned" if unassigned else "solved_public"
            rows.append((problem, story, self.unit_for(category, district)))
        # 市纪委's queue: one due soon, one overdue (urged)
        jiwei = self.by_short.get(JIWEI)
        conduct = next(c for c in self.categories if c.code == "conduct")
        if jiwei is not None:
            for story in ("jiwei_soon", "jiwei_overdue"):
                problem = self.new_problem(
                    category=conduct, day=self.days[-1], visit=rng.choice(recent_visits)
                )
                rows.append((problem, story, jiwei))

        kept = []
        for problem, story, unit in rows:
            if self.shape(problem, story, unit):
                self.escalate(problem)
                kept.append((problem, story, unit))
        bulk.insert(Problem, [p for p, _s, _u in kept])
        masters = [p for p, s, _u in kept if s in ("open", "overdue") and p.state == "handling"]
        for problem, story, unit in kept:
            self.tell(problem, story, unit, masters)
        merged = [p for p, s, _u in kept if s == "merged"]
        if merged:
            Problem.objects.bulk_update(merged, ["master", "state"])
        self.summary.problems = len(kept)
        self.summary.solved = sum(1 for p, _s, _u in kept if p.state == ProblemState.CLOSED)
        self.summary.open = sum(
            1 for p, _s, _u in kept if p.state not in (ProblemState.CLOSED, ProblemState.MERGED)
        )

    def shape(self, problem: Problem, story: str, unit) -> bool:
        """Set the problem's state and dates for its story; False when the calendar lacks a year."""
        rng = self.rng
        today = self.today
        received = problem.received_on
        limit = self.settings.limit_workdays(problem.urgency)
        if story == "jiwei_overdue":
            # received long enough ago to be past its deadline and urged
            for back in range(limit + 3, len(self.days)):
                day = self.days[-1 - back]
                due = self.deadline(day, problem.urgency)
                urge = due and self.add(due, 1)
                notice = due and self.add(due, self.settings.notice_after_workdays)
                if urge and urge <= today and notice and notice > today:
                    received = problem.received_on = day
                    problem.public_id = self.public_id(day)
                    break
        deadline = self.deadline(received, problem.urgency)
        if deadline is None:
            return False
        problem.deadline = deadline
        if story == "unassigned":
            problem.state = ProblemState.RECEIVED
            return True
        problem.unit = unit
        problem.assigned_on = received
        if story in ("solved", "solved_public"):
            late = rng.random() < SHARE_LATE
            if late:
                closed = self.add(deadline, rng.randint(1, 3))
            else:
                closed = self.add(received, rng.randint(0, limit)) if limit else received
            if closed is None or closed > today:
                if story == "solved_public" or deadline >= today:
                    problem.state = ProblemState.HANDLING
                    return True
                closed = today
            problem.state = ProblemState.CLOSED
            problem.closed_on = closed
            if closed > deadline:  # the daily job urged it before it was closed
                urge = self.add(deadline, 1)
                problem.urged_on = urge if urge and urge <= closed else None
                notice = self.add(deadline, self.settings.notice_after_workdays)
                problem.noticed_on = notice if notice and notice <= closed else None
            problem.answer = rng.choice(ANSWERS)
            if closed < today and rng.random() < SHARE_RATED:
                problem.rated_on = min(today, closed + datetime.timedelta(days=rng.randint(1, 5)))
                roll = rng.random()
                problem.satisfaction = Satisfaction.SATISFIED if roll < 0.92 else Satisfaction.BASIC
            return True
        if story == "reopened":
            closed = self.add(received, min(limit, 2)) if limit else received
            reopen = closed and self.add(closed, 1)
            if not reopen or reopen > today:
                return False
            new_deadline = self.deadline(reopen, problem.urgency)
            if new_deadline is None:
                return False
            problem._first_close = closed
            problem.state = ProblemState.HANDLING
            problem.reopened_on = reopen
            problem.deadline = new_deadline
            problem.satisfaction = Satisfaction.DISSATISFIED
            problem.rated_on = reopen
            return True
        if story == "returned":
            problem.state = ProblemState.RETURNED
            return True
        if story == "merged":
            # received, then merged into an open problem (`tell`, once the masters have keys)
            problem.state = ProblemState.RECEIVED
            problem.unit = None
            problem.assigned_on = None
            return True
        # open, overdue, the 市纪委 ones: with the unit, being handled
        problem.state = ProblemState.HANDLING if story != "jiwei_soon" else ProblemState.ASSIGNED
        if story == "jiwei_soon":
            # dispatched some days ago: due within the next two working days
            day = self.days[max(0, len(self.days) - 1 - max(0, limit - 2))]
            problem.received_on = problem.assigned_on = day
            problem.public_id = self.public_id(day)
            problem.deadline = self.deadline(day, problem.urgency)
            if problem.deadline is None:
                return False
        if story == "overdue" and deadline >= today:
            # moved back so that it is past its deadline
            # the first ones overdue long enough for 通报
            self.overdue_made = getattr(self, "overdue_made", 0) + 1
            past = self.settings.notice_after_workdays + 3 if self.overdue_made <= 2 else 2
            day = self.days[max(0, len(self.days) - 1 - limit - rng.randint(past, past + 8))]
            problem.received_on = problem.assigned_on = day
            problem.public_id = self.public_id(day)
            problem.deadline = self.deadline(day, problem.urgency)
            if problem.deadline is None:
                return False
        return True

    def escalate(self, problem: Problem) -> None:
        """催办 and 通报 as the daily job wrote them, on the days they fell due."""
        escalated = (ProblemState.ASSIGNED, ProblemState.RETURNED, ProblemState.HANDLING)
        if problem.state not in escalated or problem.deadline >= self.today:
            return
        urge = self.add(problem.deadline, 1)
        notice = self.add(problem.deadline, self.settings.notice_after_workdays)
        if urge and urge <= self.today:
            problem.urged_on = urge
        if notice and notice <= self.today:
            problem.noticed_on = notice

    def tell(self, problem: Problem, story: str, unit, masters: list[Problem]) -> None:
        """The problem's events, in the order the services write them."""
        received = problem.received_on
        committee = self.committee
        R, A, H, C = (
            ProblemState.RECEIVED,
            ProblemState.ASSIGNED,
            ProblemState.HANDLING,
            ProblemState.CLOSED,
        )
        self.event(problem, ProblemEventKind.REPORT, received, to_state=R, note="已受理",
                   public=True, hour=9)  # fmt: skip
        if story == "merged":
            earlier = [m for m in masters if m.received_on <= received]
            if not earlier:
                return  # nothing to merge into: it waits on the desk
            master = self.rng.choice(earlier)
            problem.master = master
            problem.state = ProblemState.MERGED
            self.event(problem, ProblemEventKind.MERGE, received, from_state=R,
                       to_state=ProblemState.MERGED, actor=committee,
                       note=f"并入 {master.public_id}", public=True, hour=11)  # fmt: skip
            self.event(master, ProblemEventKind.MERGE, received, from_state=master.state,
                       to_state=master.state, actor=committee,
                       note=f"{problem.public_id} 并入本件", hour=11)  # fmt: skip
            return
        if problem.state == R:
            return
        self.event(problem, ProblemEventKind.DISPATCH, received, from_state=R, to_state=A,
                   unit=unit, actor=committee, note=f"派至{unit.name}", public=True, hour=11)  # fmt: skip
        actor = self.actor_of(unit)
        if story == "returned":
            self.event(problem, ProblemEventKind.RETURN, received, from_state=A,
                       to_state=ProblemState.RETURNED, unit=unit, actor=actor,
                       note=self.rng.choice(RETURN_REASONS), hour=15)  # fmt: skip
            self.escalation_events(problem, unit)
            return
        if problem.state == A:
            self.escalation_events(problem, unit)
            return
        self.event(problem, ProblemEventKind.ACCEPT, received, from_state=A, to_state=H,
                   unit=unit, actor=actor, note=f"{unit.name}已签收，正在办理", public=True,
                   hour=14)  # fmt: skip
        if story == "reopened":
            first = problem._first_close
            self.event(problem, ProblemEventKind.ANSWER, first, from_state=H, to_state=C,
                       unit=unit, actor=actor, note=ANSWERS[0], public=True, hour=16)  # fmt: skip
            self.event(problem, ProblemEventKind.RATE, problem.reopened_on, from_state=C,
                       to_state=C, note="不满意：问题没有真正解决", public=True, hour=9)  # fmt: skip
            self.event(problem, ProblemEventKind.REOPEN, problem.reopened_on, from_state=C,
                       to_state=H, unit=unit, note=f"反映人不满意，重新办理，办结时限 "
                       f"{problem.deadline}", public=True, hour=9)  # fmt: skip
            self.escalation_events(problem, unit)
            return
        self.escalation_events(problem, unit)
        if problem.state == C:
            self.event(problem, ProblemEventKind.ANSWER, problem.closed_on, from_state=H,
                       to_state=C, unit=unit, actor=actor, note=problem.answer, public=True,
                       hour=16)  # fmt: skip
            if problem.satisfaction:
                label = Satisfaction(problem.satisfaction).label
                self.event(problem, ProblemEventKind.RATE, problem.rated_on, from_state=C,
                           to_state=C, note=str(label), public=True, hour=9)  # fmt: skip

    def escalation_events(self, problem: Problem, unit) -> None:
        state = problem.state if problem.state != ProblemState.CLOSED else ProblemState.HANDLING
        if problem.urged_on:
            self.event(problem, ProblemEventKind.URGE, problem.urged_on, from_state=state,
                       to_state=state, unit=unit, note="已超过办结时限，请抓紧办理", hour=7)  # fmt: skip
        if problem.noticed_on:
            overdue = rules.overdue_workdays(problem.deadline, problem.noticed_on)
            self.event(problem, ProblemEventKind.NOTICE, problem.noticed_on, from_state=state,
                       to_state=state, unit=unit, note=f"超期 {overdue} 个工作日，列入通报",
                       hour=7)  # fmt: skip
