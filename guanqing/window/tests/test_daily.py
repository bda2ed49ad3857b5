"""The window's daily job: the clerks are reminded of cases due within `due_soon_workdays`, the
unit's administrators told of overdue ones, each once; a 容缺 promise not kept by its date
terminates the case and bars the applicant from 容缺 for `deferral_bar_months`.

Today is pinned to Wednesday 2026-05-13 (Saturday 9 May was worked in lieu of 劳动节).
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from guanqing.core import daily
from guanqing.core.models import AuditEvent, Notification
from guanqing.testing import factories as f
from guanqing.window import selectors, services
from guanqing.window.choices import ApplicantKind, CaseEventKind, CaseState
from guanqing.window.models import Case, CaseEvent, WindowSettings
from guanqing.window.tests import factories as wf

D = datetime.date
TODAY = wf.TODAY


@pytest.fixture
def d(world, official_calendar, pinned_today):
    desk = wf.desk(world)
    desk.colleague = wf.clerk(desk.window)  # a second clerk of the same window
    desk.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    return desk


def notes(user) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", "dedupe_key"))


def case(d, accepted_on, **kwargs):
    return wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=accepted_on, **kwargs
    )


SIXTH, TWELFTH = D(2026, 5, 6), D(2026, 5, 12)


def deferred(d, accepted_on=SIXTH, supply_by=TWELFTH, **kwargs):
    return case(
        d,
        accepted_on,
        deferred_materials=[m for m in d.matter.current.materials.all() if m.deferrable][:1],
        supply_by=supply_by,
        deferral_promise="本人承诺按期补齐",
        **kwargs,
    )


def test_the_job_is_registered_for_tick():
    assert "window.cases_daily" in {job.name for job in daily.jobs()}


def test_clerks_are_reminded_of_cases_due_within_a_working_day_once(d, world):
    due_tomorrow = case(d, D(2026, 5, 8))  # 9 (Sat, worked), 11, 12, 13, 14 May
    due_today = case(d, D(2026, 5, 7))
    later = case(d, TODAY)  # due 20 May
    assert (due_tomorrow.deadline, due_today.deadline) == (D(2026, 5, 14), D(2026, 5, 13))
    result = services.cases_daily(TODAY)
    assert result == services.DailyResult(terminated=0, reminded=4, overdue=0)
    expected = sorted(
        ("window_case_due", f"window:case:{c.pk}:due:{c.deadline}")
        for c in (due_tomorrow, due_today)
    )
    assert notes(d.clerk) == notes(d.colleague) == expected
    assert not Notification.objects.filter(dedupe_key__contains=f":{later.pk}:").exists()
    assert notes(d.second_clerk) == notes(world.users.unit_admin) == []
    text = Notification.objects.filter(recipient=d.clerk).order_by("id").first().text
    assert due_today.receipt_no in text or due_tomorrow.receipt_no in text
    # a second run writes nothing
    assert services.cases_daily(TODAY) == services.DailyResult()
    assert Notification.objects.count() == 4


def test_the_unit_admin_is_told_of_overdue_cases_once(d, world):
    late = case(d, D(2026, 5, 6))  # due 12 May
    result = services.cases_daily(TODAY)
    assert result.overdue == 1
    assert notes(world.users.unit_admin) == [
        ("window_case_overdue", f"window:case:{late.pk}:overdue:{late.deadline}")
    ]
    assert notes(d.other_admin) == []
    assert notes(d.clerk) == []
    assert services.cases_daily(TODAY).overdue == 0
    assert services.cases_daily(TODAY + datetime.timedelta(1)).overdue == 0
    assert Notification.objects.filter(recipient=world.users.unit_admin).count() == 1


def test_paused_completed_and_unaccepted_cases_are_not_chased(d, world):
    paused = case(d, D(2026, 5, 6))
    services.case_pause(actor=d.clerk, case=paused, on=D(2026, 5, 7), kind="hearing", reason="听证")
    done = case(d, D(2026, 5, 6))
    services.case_complete(actor=d.clerk, case=done, on=D(2026, 5, 8), outcome="approved")
    wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter, received_on=D(2026, 4, 1))
    assert services.cases_daily(TODAY) == services.DailyResult()
    assert not Notification.objects.exists()


def test_due_soon_follows_the_setting(d):
    WindowSettings.objects.create(due_soon_workdays=3)
    soon = case(d, D(2026, 5, 11))  # due 18 May: 3 working days after today
    assert soon.deadline == D(2026, 5, 18)
    case(d, D(2026, 5, 12))  # due 19 May: 4 working days after today
    assert services.cases_daily(TODAY).reminded == 2


def test_a_broken_promise_terminates_the_case_once(d):
    broken = deferred(d)  # supply by 12 May
    kept = deferred(d, applicant_id=wf.id_number())
    services.case_supply(
        actor=d.clerk,
        case=kept,
        materials=[m.material for m in kept.missing_materials.all()],
        on=D(2026, 5, 12),
    )
    still_time = deferred(
        d, accepted_on=D(2026, 5, 8), supply_by=TODAY, applicant_id=wf.id_number()
    )
    paused = deferred(d, applicant_id=wf.id_number())
    services.case_pause(actor=d.clerk, case=paused, on=D(2026, 5, 7), kind="other", reason="x")

    result = services.cases_daily(TODAY)
    assert result.terminated == 2
    states = dict(Case.objects.values_list("pk", "state"))
    assert states[broken.pk] == states[paused.pk] == CaseState.TERMINATED
    assert states[kept.pk] == states[still_time.pk] == CaseState.ACCEPTED
    row = Case.objects.get(pk=broken.pk)
    assert row.terminated_on == TODAY
    event = CaseEvent.objects.get(case=broken, kind=CaseEventKind.TERMINATE)
    assert (event.actor, event.on, event.from_state, event.to_state) == (
        None,
        TODAY,
        CaseState.ACCEPTED,
        CaseState.TERMINATED,
    )
    assert "2026-05-12" in event.note
    record = (
        AuditEvent.objects.filter(object_type="window.case", object_id=str(broken.pk))
        .order_by("id")
        .last()
    )
    assert record.actor is None
    assert record.actor_username == services.SYSTEM
    assert record.changes["state"] == ["办理中", "已终止"]
    assert ("window_case_terminated", f"window:case:{broken.pk}:terminated") in notes(d.clerk)
    # the terminated cases are not chased as overdue as well
    overdue = Notification.objects.filter(kind="window_case_overdue")
    assert not overdue.filter(dedupe_key__contains=f":{broken.pk}:").exists()

    counts = (AuditEvent.objects.count(), CaseEvent.objects.count(), Notification.objects.count())
    assert services.cases_daily(TODAY).terminated == 0
    assert (
        AuditEvent.objects.count(),
        CaseEvent.objects.count(),
        Notification.objects.count(),
    ) == counts


def test_a_broken_promise_bars_the_applicant_from_deferral(d):
    number = wf.id_number()
    deferred(d, applicant_id=number)
    services.cases_daily(TODAY)
    with pytest.raises(ValidationError) as excinfo:
        deferred(d, accepted_on=TODAY, supply_by=D(2026, 5, 19), applicant_id=number)
    messages = excinfo.value.message_dict
    assert set(messages) == {"deferred_materials"}
    assert "2027-05-13" in messages["deferred_materials"][0]  # 12 months by default
    # accepted with every material, the same applicant is welcome
    assert case(d, TODAY, applicant_id=number).state == CaseState.ACCEPTED
    # another applicant is not barred
    deferred(d, accepted_on=TODAY, supply_by=D(2026, 5, 19), applicant_id=wf.id_number())


def test_the_bar_lasts_the_configured_months(d):
    number = wf.id_number()
    deferred(d, applicant_id=number)
    services.cases_daily(TODAY)
    until = selectors.deferral_barred_until
    assert until(id_number=number, today=TODAY) == D(2027, 5, 13)
    assert until(id_number=number, today=D(2027, 5, 12)) == D(2027, 5, 13)
    assert until(id_number=number, today=D(2027, 5, 13)) is None
    assert until(id_number=number, today=TODAY, bar_months=3) == D(2026, 8, 13)
    assert until(id_number=wf.id_number(), today=TODAY) is None
    WindowSettings.objects.create(deferral_bar_months=0)
    assert until(id_number=number, today=TODAY) is None


def test_an_enterprise_is_barred_by_its_credit_code(d):
    code = wf.credit_code()
    enterprise = {"applicant_kind": ApplicantKind.ENTERPRISE, "applicant_id": code}
    deferred(d, **enterprise)
    services.cases_daily(TODAY)
    assert selectors.deferral_barred_until(credit_code=code, today=TODAY) == D(2027, 5, 13)
    with pytest.raises(ValidationError) as excinfo:
        deferred(d, accepted_on=TODAY, supply_by=D(2026, 5, 19), **enterprise)
    assert set(excinfo.value.message_dict) == {"deferred_materials"}


def test_add_months_keeps_the_day_or_the_month_s_last():
    assert selectors.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert selectors.add_months(D(2026, 5, 13), 12) == D(2027, 5, 13)
    assert selectors.add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_tick_runs_it_and_prints_its_line(d, world):
    case(d, D(2026, 5, 6))
    out = StringIO()
    call_command("tick", today=TODAY.isoformat(), stdout=out)
    assert notes(world.users.unit_admin) != []
    assert services.describe_daily(services.DailyResult(1, 2, 3)) in (
        "终止 1 件，临期提醒 2 条，超期通知 3 条",
        "terminated 1, due-soon reminders 2, overdue notices 3",
    )
