"""十件实事 demo data: this year's ten pledges of the committee, published, with their
milestones and the lead units' monthly reports, so that their statuses differ.

The demo builder of order 80 (`build`, registered in `PledgesConfig.ready`): it runs after the
registry and the other work methods (the wishes and the pairing visits it follows live are there
already), reads the units and the committee's account from the database and writes seed data
directly (not through the services), every row as the services and the lifecycle would leave it:
one report per unit and month, up to this month; milestones within the year.

- The article's six first: 菜单式 training for branch party-affairs cadres, the committee's
  one-stop window in the city administrative service centre (done: its target reached), the
  “你点我买，你要我给” reading platform with the city library (at risk: a milestone falls due in two
  days), rest and recuperation for outstanding cadres, model members and model workers, a social
  platform for single young staff, and a mother-and-baby room in the city administrative centre
  (late: a milestone past due).
- Then four more, two of them live (wishes fulfilled this year; paired households visited before
  the Spring Festival), on track.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.utils.translation import gettext

from guanqing.core.demo import DemoContext, DemoDatabaseNotEmpty
from guanqing.pledges import metrics, rules
from guanqing.pledges.choices import PledgeState, TargetKind
from guanqing.pledges.models import Milestone, Pledge, ProgressReport
from guanqing.registry.models import Unit

DAY = datetime.timedelta(days=1)

# (title, promise, lead units by short name, kind, target, unit or metric, plan)
# plan: "done" (target reached), "late", "at_risk", "on_track"
PLEDGES = [
    (
        "支部党务干部“菜单式”培训",
        "围绕支部书记和党务干部履职需要，列出培训“菜单”，由支部点单、机关工委配送，全年开展培训。",
        ["市直机关工委"],
        TargetKind.MANUAL,
        12,
        "场",
        "on_track",
    ),
    (
        "机关工委“一站式”服务窗口进驻市行政服务中心",
        "在市行政服务中心设立机关工委服务窗口，党员组织关系转接、党费收缴等事项一窗办理。",
        ["市直机关工委"],
        TargetKind.MANUAL,
        1,
        "个",
        "done",
    ),
    (
        "“你点我买，你要我给”阅读平台",
        "与市图书馆合作，党员干部在平台上点书，图书馆采购并配送到机关，读完归还。",
        ["市直机关工委", "市文广新闻出版局"],
        TargetKind.MANUAL,
        5000,
        "册",
        "at_risk",
    ),
    (
        "优秀党务干部、劳动模范和先进工作者疗休养",
        "组织优秀党务干部、市直机关劳动模范和先进工作者分批疗休养。",
        ["市直机关工委"],
        TargetKind.MANUAL,
        200,
        "人次",
        "on_track",
    ),
    (
        "单身青年职工交友平台",
        "搭建市直机关单身青年职工交友平台，全年举办联谊活动。",
        ["市直机关工委"],
        TargetKind.MANUAL,
        6,
        "场",
        "on_track",
    ),
    (
        "市行政中心母婴室",
        "在市行政中心建成母婴室，方便哺乳期女职工和办事群众。",
        ["市直机关工委"],
        TargetKind.MANUAL,
        1,
        "间",
        "late",
    ),
    (
        "廉政教育基地开放日",
        "廉政教育基地每月向市直机关党员开放，组织警示教育。",
        ["市纪委"],
        TargetKind.MANUAL,
        10,
        "场",
        "on_track",
    ),
    (
        "微心愿认领实现",
        "发动市直机关党员认领困难群众微心愿，年内实现。",
        ["市直机关工委", "市民政局"],
        TargetKind.LIVE,
        0,
        "wishes_fulfilled",
        "on_track",
    ),
    (
        "结对困难家庭春节前走访",
        "春节前市直机关结对单位走访全部结对困难家庭，送去组织关怀。",
        ["市民政局", "市纪委"],
        TargetKind.LIVE,
        0,
        "households_visited_before_spring_festival",
        "on_track",
    ),
    (
        "党员志愿服务进社区",
        "市直机关党员到居住地社区报到，参加志愿服务。",
        ["市直机关工委"],
        TargetKind.MANUAL,
        3000,
        "人次",
        "on_track",
    ),
]
REPORT_TEXT = [
    "按计划推进，本月完成情况见佐证材料",
    "召开推进会，落实责任分工",
    "组织实施，群众反映良好",
]


@dataclass
class PledgesDemoSummary:
    pledges: int = 0
    milestones: int = 0
    reports: int = 0

    def as_changes(self) -> dict:
        return {
            "pledges": [None, self.pledges],
            "pledge_milestones": [None, self.milestones],
            "pledge_reports": [None, self.reports],
        }

    def describe(self) -> str:
        return gettext(
            "十件实事 %(pledges)s 件，节点 %(milestones)s 个，月度进展 %(reports)s 条"
        ) % {
            "pledges": self.pledges,
            "milestones": self.milestones,
            "reports": self.reports,
        }


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.fork()
        self.today = ctx.today
        self.year = self.today.year
        self.first = datetime.date(self.year, 1, 1)
        self.last = datetime.date(self.year, 12, 31)
        units = list(Unit.objects.order_by("sort_order", "pk"))
        self.units = {u.short_name or u.name: u for u in units}
        self.fallback = units[:1]
        self.summary = PledgesDemoSummary()

    def _in_year(self, day: datetime.date) -> datetime.date:
        return min(max(day, self.first), self.last)

    def _units(self, names) -> list[Unit]:
        found = [self.units[n] for n in names if n in self.units]
        return found or self.fallback

    def _milestones(self, pledge, plan) -> list[Milestone]:
        t = self.today
        past = self._in_year(t - datetime.timedelta(days=40))
        rows = [
            Milestone(
                pledge=pledge,
                title=gettext("制定实施方案"),
                due_on=past,
                done_on=past,
                evidence_note=gettext("方案已印发"),
            )
        ]
        if plan == "late":
            rows.append(
                Milestone(
                    pledge=pledge, title=gettext("完成场地改造"), due_on=self._in_year(t - 12 * DAY)
                )
            )
        elif plan == "at_risk":
            rows.append(
                Milestone(
                    pledge=pledge,
                    title=gettext("平台上线试运行"),
                    due_on=self._in_year(t + 2 * DAY),
                )
            )
        elif plan == "done":
            done = self._in_year(t - 10 * DAY)
            rows.append(
                Milestone(
                    pledge=pledge,
                    title=gettext("窗口挂牌运行"),
                    due_on=self._in_year(t - 5 * DAY),
                    done_on=done,
                    evidence_note=gettext("窗口已挂牌，开始受理"),
                )
            )
        if plan != "done":
            rows.append(
                Milestone(
                    pledge=pledge,
                    title=gettext("年终总结"),
                    due_on=self._in_year(max(t + 40 * DAY, datetime.date(self.year, 12, 20))),
                )
            )
        return rows

    def _reports(self, pledge, units, plan) -> list[ProgressReport]:
        months = []
        month = datetime.date(self.year, 1, 1)
        while month <= rules.month_start(self.today):
            months.append(month)
            month = rules.month_end(month) + DAY
        rows = []
        if pledge.target_kind == TargetKind.LIVE:
            values = [None] * len(months)
        elif plan == "done":
            values = [0] * (len(months) - 1) + [pledge.target_value]
        else:
            # about a third of the target by now, spread over the months
            share = max(1, pledge.target_value // (3 * max(1, len(months))))
            values = [
                min(share, max(0, pledge.target_value - 1 - share * i)) for i in range(len(months))
            ]
        for month, value in zip(months, values, strict=True):
            for unit in units:
                rows.append(
                    ProgressReport(
                        pledge=pledge,
                        unit=unit,
                        month=month,
                        value=value if unit == units[0] else (None if value is None else 0),
                        text=self.rng.choice(REPORT_TEXT),
                        submitted_by_id=self.admins.get(unit.pk),
                    )
                )
        return rows

    def build(self) -> PledgesDemoSummary:
        from guanqing.accounts.models import User
        from guanqing.core.roles import Role

        self.admins = {
            unit_id: pk
            for unit_id, pk in User.objects.filter(role=Role.UNIT_ADMIN, is_active=True)
            .order_by("-pk")
            .values_list("unit_id", "pk")
        }
        published = self._in_year(datetime.date(self.year, 1, 20))
        milestones, reports = [], []
        for number, (title, promise, leads, kind, target, unit, plan) in enumerate(PLEDGES, 1):
            metric = unit if kind == TargetKind.LIVE else ""
            if kind == TargetKind.LIVE:
                now = metrics.value(metric, self.year)
                # a round target a little above this year's count so far (4,326 wishes → 5,000)
                step = 500 if now >= 2000 else 100 if now >= 200 else 10
                target = max(10, math.ceil(now * 1.15 / step) * step)
                unit = str(metrics.get(metric).unit)
            pledge = Pledge.objects.create(
                year=self.year,
                number=number,
                title=title,
                promise=promise,
                target_kind=kind,
                metric=metric,
                target_value=target,
                target_unit=unit,
                state=PledgeState.PUBLISHED,
                published_on=min(published, self.today),
            )
            units = self._units(leads)
            pledge.lead_units.set(units)
            milestones += self._milestones(pledge, plan)
            reports += self._reports(pledge, units, plan)
            self.summary.pledges += 1
        Milestone.objects.bulk_create(milestones)
        ProgressReport.objects.bulk_create(reports)
        self.summary.milestones = len(milestones)
        self.summary.reports = len(reports)
        return self.summary


def build(ctx: DemoContext) -> PledgesDemoSummary:
    """This year's ten pledges; refuses a database that already holds pledges."""
    if Pledge.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    return _Builder(ctx).build()
