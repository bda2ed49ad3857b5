"""The service-window part of the demo, read from the shared small demo (scale 0.05): 吴鹏's
window with its 31 items and 67 matters, four years of cases accepted on working days and
completed before their deadlines, today's open cases in his queue, and the other units' windows;
every case's timeline replayed through the lifecycle table; the 零投诉 checks agree with the
cases. Demos built afresh: test_demo_builds.py."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone
from stdnum.cn import uscc

from guanqing.accounts.models import User
from guanqing.core import sensitive
from guanqing.core.calendar.workdays import is_workday
from guanqing.core.daterange import DateRange
from guanqing.core.roles import Role
from guanqing.window import demo_zero, figures, rules, zero_selectors
from guanqing.window.choices import (
    BAD_LEVELS,
    DONE_STATES,
    GOOD_LEVELS,
    AppealDecision,
    CaseEventKind,
    CaseState,
    FollowUpState,
    MatterKind,
    RatingLevel,
    RatingRound,
)
from guanqing.window.demo import COLLEAGUE_CASES, OPEN_TODAY, WUPENG_CASES, WUPENG_UNIT, period
from guanqing.window.models import (
    ApprovalItem,
    Case,
    CaseEvent,
    CaseMissingMaterial,
    CasePause,
    FollowUp,
    Matter,
    Rating,
    RatingInvite,
    Window,
    WindowSettings,
    ZeroCheck,
)

# The demo is built around today: it is checked on one fixed day (a working Wednesday).
pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]

SCALE = 0.05


@pytest.fixture
def demo(shared_demo):
    return shared_demo.parts["window"]


def _pauses(case_pauses, case):
    return [(p.started_on, p.ended_on) for p in case_pauses.get(case.pk, [])]


def test_wupengs_window_has_the_articles_catalogue_and_cases(demo):
    wupeng = User.objects.get(username="clerk_wupeng")
    window = Window.objects.get(clerks=wupeng)
    assert window.unit.short_name == WUPENG_UNIT
    assert window.clerks.count() == 1 + len(COLLEAGUE_CASES)
    assert set(window.clerks.values_list("role", flat=True)) == {Role.WINDOW_CLERK}

    # 31 approval items, 67 matters, each with its current version and materials; the promised
    # limits, cut two years ago, average within 7 working days and never exceed the statutory
    items = ApprovalItem.objects.filter(unit=window.unit)
    matters = Matter.objects.filter(item__unit=window.unit).select_related("current")
    assert items.count() == 31 and matters.count() == 67
    assert demo.wupeng_items == 31 and demo.wupeng_matters == 67
    current = [m.current for m in matters]
    assert all(v is not None and v.materials.exists() for v in current)
    promised = [v.promised_workdays for v in current]
    assert sum(promised) / len(promised) <= 7
    assert all(v.promised_workdays <= v.statutory_workdays for v in current)
    assert all((v.kind == MatterKind.IMMEDIATE) == (v.promised_workdays == 0) for v in current)
    assert any(v.number == 2 for v in current)  # limits cut: a second version
    assert {"食品经营许可（新办）", "食品经营许可（变更）", "食品经营许可（延续）"} <= {
        m.name for m in matters
    }
    assert {m.name for m in matters if "药品" in m.name} and {
        m.name for m in matters if "医疗器械" in m.name
    }

    # four years of cases: 吴鹏's own are the article's 15,700 at scale 1
    cases = Case.objects.filter(window=window)
    assert cases.filter(handled_by=wupeng).count() == round(WUPENG_CASES * SCALE)
    assert demo.wupeng_cases == round(WUPENG_CASES * SCALE)
    colleagues = cases.exclude(handled_by=wupeng)
    assert colleagues.count() == sum(round(n * SCALE) for n in COLLEAGUE_CASES)
    first, last = period(timezone.localdate())
    assert (
        first <= min(cases.values_list("accepted_on", flat=True)) < first + datetime.timedelta(30)
    )

    # every case before today completed before its deadline (a 即办件 the same day)
    today = timezone.localdate()
    past = cases.exclude(accepted_on=today).select_related("version")
    assert past.exists() and not past.exclude(state__in=DONE_STATES).exists()
    for case in past:
        if case.version.promised_workdays:
            assert case.completed_on < case.deadline, case.receipt_no
        else:
            assert case.completed_on == case.accepted_on == case.deadline, case.receipt_no
    assert not cases.filter(accepted_on__gt=today).exists()

    # today's open cases wait in 吴鹏's queue: one paused for a site survey, one 容缺
    queue = Case.objects.visible_to(wupeng).open()
    assert (
        queue.count()
        == max(3, round(OPEN_TODAY * SCALE))
        == demo.open_cases - (Case.objects.open().exclude(window=window).count())
    )
    assert set(queue.values_list("accepted_on", flat=True)) == {today}
    assert set(queue.values_list("handled_by", flat=True)) == {wupeng.pk}
    paused = queue.get(state=CaseState.PAUSED)
    assert CasePause.objects.get(case=paused, ended_on__isnull=True).started_on == today
    deferred = CaseMissingMaterial.objects.get(case__in=queue, supplied_on__isnull=True)
    assert deferred.material.deferrable and deferred.case.supply_by > today


def test_every_case_keeps_the_clock_and_the_lifecycle():
    today = timezone.localdate()
    cases = list(Case.objects.select_related("version", "window"))
    assert len(cases) > round(WUPENG_CASES * SCALE)
    pauses = defaultdict(list)
    for pause in CasePause.objects.order_by("started_on"):
        pauses[pause.case_id].append(pause)
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("case_id", "at", "id"):
        events[event.case_id].append(event)

    accepted_days = {case.accepted_on for case in cases}
    assert all(is_workday(day) for day in accepted_days)
    # make-up Saturdays are working days at the centre too
    assert any(day.weekday() == 5 for day in accepted_days)

    for case in cases:
        where = case.receipt_no
        assert case.received_on <= case.accepted_on <= today, where
        own = _pauses(pauses, case)
        version = case.version
        assert case.deadline == rules.deadline(
            case.accepted_on, version.promised_workdays, own, today=today
        ), where
        assert case.statutory_deadline == rules.deadline(
            case.accepted_on, version.statutory_workdays, own, today=today
        ), where
        assert version.valid_from <= case.accepted_on, where
        if case.state in DONE_STATES:
            assert case.accepted_on <= case.completed_on <= case.deadline, where
            assert case.completed_on <= today, where
        else:  # still open: never overdue
            assert case.state in (CaseState.ACCEPTED, CaseState.PAUSED), where
            assert case.deadline >= today, where
        assert case.phone_tail == case.applicant_phone[-4:], where
        # the timeline walks the lifecycle table and ends in the case's state
        state = ""
        for event in events[case.pk]:
            assert event.from_state == state, where
            assert event.actor_id == case.handled_by_id, where
            if event.kind == CaseEventKind.CORRECTION:
                assert state == "" and event.on == case.received_on, where
                state = CaseState.CORRECTION
            elif event.kind == CaseEventKind.ACCEPT and state == "":
                state = CaseState.ACCEPTED  # accepted at once
            else:
                state = rules.CASE.target(state, event.kind)
            assert event.to_state == state, where
        assert state == case.state, where
        kinds = [event.kind for event in events[case.pk]]
        assert CaseEventKind.ACCEPT in kinds, where
        accept = next(e for e in events[case.pk] if e.kind == CaseEventKind.ACCEPT)
        assert accept.on == case.accepted_on, where
        if case.completed_on:
            complete = next(e for e in events[case.pk] if e.kind == CaseEventKind.COMPLETE)
            assert complete.on == case.completed_on, where

    # a few pauses, some of them over a public holiday (a weekday off between start and end)
    ended = [p for ps in pauses.values() for p in ps if p.ended_on is not None]
    assert ended

    def over_holiday(pause):
        day = pause.started_on
        while day < pause.ended_on:
            day += datetime.timedelta(days=1)
            if day.weekday() < 5 and not is_workday(day):
                return True
        return False

    assert any(over_holiday(p) for p in ended)
    # 容缺 materials supplied in time (today's still to come), all deferrable ones of the version
    missing = list(CaseMissingMaterial.objects.select_related("case", "material"))
    assert len(missing) > 1
    for row in missing:
        assert row.material.deferrable and row.material.version_id == row.case.version_id
        if row.supplied_on is None:
            assert row.case.state not in DONE_STATES and row.case.supply_by >= today
        else:
            assert row.case.accepted_on <= row.supplied_on <= row.case.supply_by
            assert row.case.completed_on is None or row.supplied_on <= row.case.completed_on
    # applicants: valid ID numbers (kept encrypted) and 统一社会信用代码
    people = [case for case in cases if case.id_number_encrypted]
    enterprises = [case for case in cases if case.credit_code]
    assert people and enterprises
    assert len(people) + len(enterprises) == len(cases)
    for case in people[:50]:
        assert sensitive.validate_id_number(case.id_number)
    for case in enterprises:
        assert uscc.validate(case.credit_code)


def test_other_units_windows_give_the_city_board_something_to_compare():
    windows = Window.objects.exclude(unit__short_name=WUPENG_UNIT).select_related("unit")
    assert {w.unit.short_name for w in windows} == {"市人力社保局", "市住建局", "市交通委"}
    for window in windows:
        assert window.clerks.exists()
        own = Matter.objects.filter(item__unit=window.unit)
        assert own.exists()
        cases = Case.objects.filter(window=window)
        assert cases.exists()
        assert not cases.exclude(version__matter__in=own).exists()
    # not every window completes everything early: some on the deadline day
    on_time = Case.objects.filter(
        window__in=windows, completed_on__isnull=False, completed_on=F("deadline")
    ).exclude(version__promised_workdays=0)
    assert on_time.exists()


def test_most_completed_cases_are_rated_and_a_handful_of_bad_ones_followed_up(demo):
    today = timezone.localdate()
    window_days = WindowSettings.current().rating_window_days
    done = Case.objects.filter(state__in=DONE_STATES)
    ratings = list(Rating.objects.filter(round=RatingRound.CASE).select_related("case"))
    # 参评率 around 90 %: most completed cases rated, once, on or after completion, within the window
    assert 0.85 <= len(ratings) / done.count() <= 0.95
    assert len({r.case_id for r in ratings}) == len(ratings)
    for rating in ratings:
        case = rating.case
        until = min(rules.rating_open_until(case.completed_on, window_days), today)
        assert case.state in DONE_STATES, case.receipt_no
        assert case.completed_on <= rating.rated_on <= until, case.receipt_no
        assert all(o.level == rating.level for o in rating.options.all())
    levels = [r.level for r in ratings]
    assert sum(1 for level in levels if level in GOOD_LEVELS) / len(levels) >= 0.9
    assert levels.count(RatingLevel.BASIC) >= 1
    bad = [r for r in ratings if r.level in BAD_LEVELS]
    assert 8 <= len(bad) <= 12
    assert demo.bad_ratings == len(bad)

    # every 差评 has its follow-up, in the states of the story
    follow_ups = list(FollowUp.objects.select_related("rating__case"))
    assert {f.rating_id for f in follow_ups} == {r.pk for r in bad}
    by_state = defaultdict(list)
    for follow_up in follow_ups:
        by_state[follow_up.state].append(follow_up)
        assert follow_up.rectify_due == rules.rectify_due(follow_up.opened_on, 5)
        assert follow_up.opened_on == follow_up.rating.rated_on
    assert len(by_state[FollowUpState.CLOSED]) >= 4
    assert all(len(by_state[state]) == 1 for state in ("awaiting", "rectify", "excluded"))
    assert len(by_state[FollowUpState.APPEALED]) == 1
    fixes = {r.case_id: r for r in Rating.objects.filter(round=RatingRound.FIX)}
    for follow_up in by_state[FollowUpState.CLOSED]:
        steps = (follow_up.opened_on, follow_up.verified_on, follow_up.rectified_on)
        assert steps == tuple(sorted(steps)) and follow_up.rectified_on <= follow_up.rectify_due
        fix = fixes[follow_up.rating.case_id]  # the applicant rated the fix
        assert follow_up.fed_back_on <= fix.rated_on == follow_up.closed_on <= today
    awaiting = by_state[FollowUpState.AWAITING][0]
    assert awaiting.rating.case_id not in fixes
    code = RatingInvite.objects.get(case=awaiting.rating.case, round=RatingRound.FIX)
    assert code.used_at is None and code.issued_on == awaiting.fed_back_on
    assert code.expires_on >= today
    rectify = by_state[FollowUpState.RECTIFY][0]
    assert rectify.verified_on <= today <= rectify.rectify_due and rectify.rectified_on is None
    upheld = by_state[FollowUpState.EXCLUDED][0]
    assert upheld.appeal.decision == AppealDecision.UPHELD and upheld.closed_on
    pending = by_state[FollowUpState.APPEALED][0]
    assert pending.appeal.decision == "" and pending.appeal.filed_on <= today

    # the figures: 好评率 high; 回访率 100 % over the months whose 差评 are all closed
    committee = User.objects.get(username="committee")
    first, _last = period(today)
    totals = figures.rating_figures(committee, DateRange(first, today))["totals"]
    assert Decimal(totals["good_rate"]) >= 90
    assert 85 <= Decimal(totals["participation"]) <= 95
    assert totals["bad"] == len(bad) - 1  # the upheld appeal is not counted
    assert totals["rated"] == len(ratings) - 1 == demo.ratings
    settled = DateRange(first, today - datetime.timedelta(days=60))
    old = figures.rating_figures(committee, settled)["totals"]
    assert old["bad"] >= 4
    assert old["feedback_rate"] == old["rectify_rate"] == "100.0"
    assert old["feedback_short"] is False
    assert totals["feedback_short"] is True  # the one still in rectification


def test_the_demo_windows_checks_agree_with_their_cases(pinned_today):
    today = pinned_today
    demo_zero.build(today)  # nothing more when the window demo has already made them
    checks = list(ZeroCheck.objects.select_related("item"))
    windows = set(Window.objects.filter(is_active=True).values_list("pk", flat=True))
    assert {check.window_id for check in checks} == windows
    assert not any(check.month == pinned_today.replace(day=1) for check in checks)
    evidence = {}
    for check in checks:
        if not check.met:
            assert check.note
        if check.item.measure:
            key = (check.window_id, check.month)
            if key not in evidence:
                evidence[key] = zero_selectors.evidence_for(*key, today=today)
            assert check.met == (evidence[key][check.item.measure].count == 0)
    assert demo_zero.build(today) == 0
