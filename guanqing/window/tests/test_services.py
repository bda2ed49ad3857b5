"""The case services: acceptance (back-entry, receipt numbers, the applicant's identity), 容缺,
corrections and refusal, pauses moving the deadline by exactly the paused working days, supply,
completion and delivery; every refusal names its field; every cell of the lifecycle table; the audit
records and the case's timeline of every step.

Today is pinned to Wednesday 2026-05-13. 劳动节 2026: May 1–5 off, Saturday May 9 worked in lieu.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanqing.core.calendar.workdays import add_workdays
from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope
from guanqing.window import rules, selectors, services
from guanqing.window.choices import ApplicantKind, CaseEventKind, CaseState, Outcome, PauseKind
from guanqing.window.models import Case, CaseEvent, CaseMissingMaterial, CasePause
from guanqing.window.tests import factories as wf

D = datetime.date
TODAY = wf.TODAY


@pytest.fixture
def d(world, official_calendar, pinned_today):
    return wf.desk(world)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


def deferrable(matter):
    return [m for m in matter.current.materials.all() if m.deferrable]


def not_deferrable(matter):
    return [m for m in matter.current.materials.all() if not m.deferrable]


def snapshot(case: Case) -> tuple:
    """Everything a refused move must leave as it was."""
    row = Case.objects.get(pk=case.pk)
    return (
        row.state,
        row.deadline,
        row.statutory_deadline,
        row.completed_on,
        row.delivered_on,
        row.refusal_reason,
        CaseEvent.objects.filter(case=case).count(),
        CasePause.objects.filter(case=case).count(),
        CaseMissingMaterial.objects.filter(case=case, supplied_on__isnull=False).count(),
        AuditEvent.objects.count(),
    )


# ---------------------------------------------------------------------------------------------
# Acceptance
# ---------------------------------------------------------------------------------------------


def test_accept_starts_the_clock_the_next_working_day(d):
    case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    assert case.state == CaseState.ACCEPTED
    assert case.received_on == case.accepted_on == TODAY
    # 5 working days after Wed 13 May: 14, 15, 18, 19, 20
    assert case.deadline == D(2026, 5, 20)
    assert case.statutory_deadline == add_workdays(TODAY, 20)
    assert case.version == d.matter.current
    assert case.handled_by == d.clerk
    assert case.phone_tail == "1234"
    assert case.receipt_no == f"SL20260513-{d.window.pk:04d}-0001"


def test_accept_keeps_a_person_s_id_number_encrypted_and_audits_it_masked(d):
    number = wf.id_number()
    case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter, applicant_id=number)
    assert case.id_number == number
    assert number not in case.id_number_encrypted
    record = AuditEvent.objects.get(object_type="window.case", object_id=str(case.pk))
    assert record.action == "create"
    assert record.actor == d.clerk
    assert number not in str(record.changes)
    assert record.changes["applicant_id"][1].endswith(number[-4:])
    assert record.changes["receipt_no"] == [None, case.receipt_no]


def test_accept_an_enterprise_by_its_credit_code(d):
    code = wf.credit_code()
    case = wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        applicant_kind=ApplicantKind.ENTERPRISE,
        applicant_name="宁波甬味餐饮有限公司",
        applicant_id=code.lower(),
    )
    assert case.credit_code == code
    assert case.id_number_hash is None


def test_back_entry_of_a_past_acceptance_date(d):
    case = wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 4, 28)
    )
    # 29, 30 April, then 6, 7, 8 May (1–5 May off)
    assert case.deadline == D(2026, 5, 8)
    assert case.received_on == D(2026, 4, 28)
    assert case.receipt_no.startswith("SL20260428-")
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.on, event.from_state, event.to_state) == (
        CaseEventKind.ACCEPT,
        D(2026, 4, 28),
        "",
        CaseState.ACCEPTED,
    )


def test_a_future_acceptance_date_is_refused(d):
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(
            actor=d.clerk,
            window=d.window,
            matter=d.matter,
            accepted_on=TODAY + datetime.timedelta(1),
        )
    assert set(field_errors(excinfo)) == {"accepted_on"}
    assert not Case.objects.exists()


def test_receipt_numbers_run_per_window_and_day(d):
    first = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    second = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    other = wf.accepted_case(actor=d.second_clerk, window=d.second_window, matter=d.matter)
    earlier = wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 5, 12)
    )
    assert first.receipt_no.endswith("-0001")
    assert second.receipt_no.endswith("-0002")
    assert other.receipt_no == f"SL20260513-{d.second_window.pk:04d}-0001"
    assert earlier.receipt_no == f"SL20260512-{d.window.pk:04d}-0001"
    numbers = list(Case.objects.values_list("receipt_no", flat=True))
    assert len(set(numbers)) == len(numbers) == 4


def test_a_case_asked_for_corrections_takes_the_next_receipt_number(d):
    asked = wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter)
    accepted = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    assert asked.receipt_no.endswith("-0001")
    assert accepted.receipt_no.endswith("-0002")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"applicant_kind": "robot"}, "applicant_kind"),
        ({"applicant_name": "  "}, "applicant_name"),
        ({"applicant_id": ""}, "applicant_id"),
        ({"applicant_id": "330203197001010000"}, "applicant_id"),  # wrong check digit
        ({"applicant_id": "33020319700101"}, "applicant_id"),
        ({"applicant_phone": "12345"}, "applicant_phone"),
        ({"applicant_phone": ""}, "applicant_phone"),
        ({"accepted_on": None}, "accepted_on"),
    ],
)
def test_accept_refusals_name_the_field(d, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter, **overrides)
    assert field in field_errors(excinfo)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "code", ["", "91330200MA2CFA8X3", "91330200MA2CFA8X3Q", "91330200MA2CFA8XIQ"]
)
def test_a_wrong_credit_code_is_refused(d, code):
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(
            actor=d.clerk,
            window=d.window,
            matter=d.matter,
            applicant_kind=ApplicantKind.ENTERPRISE,
            applicant_id=code,
        )
    assert set(field_errors(excinfo)) == {"applicant_id"}


def test_a_matter_of_another_unit_is_refused(d):
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(actor=d.clerk, window=d.window, matter=d.other_matter)
    assert set(field_errors(excinfo)) == {"matter"}


def test_a_matter_never_published_or_stopped_is_refused(d):
    draft = wf.matter(unit=d.window.unit)
    draft.current = None
    draft.save(update_fields=["current"])
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(actor=d.clerk, window=d.window, matter=draft)
    assert set(field_errors(excinfo)) == {"matter"}
    d.matter.is_active = False
    d.matter.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    assert set(field_errors(excinfo)) == {"matter"}


def test_a_stopped_window_accepts_nothing(d):
    d.window.is_active = False
    d.window.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    assert set(field_errors(excinfo)) == {"window"}


def test_only_a_clerk_of_the_window_accepts(d, world):
    with pytest.raises(PermissionDenied):
        wf.accepted_case(actor=world.users.committee, window=d.window, matter=d.matter)
    with pytest.raises(PermissionDenied):
        wf.accepted_case(actor=world.users.unit_admin, window=d.window, matter=d.matter)
    with pytest.raises(OutOfScope):
        wf.accepted_case(actor=d.second_clerk, window=d.window, matter=d.matter)
    assert not Case.objects.exists()


def test_a_year_without_calendar_data_is_refused_naming_it(d):
    from guanqing.core.calendar.workdays import forget_cached_years
    from guanqing.core.models import CalendarDay

    CalendarDay.objects.filter(date__year=2026).delete()
    forget_cached_years()
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    assert "2026" in field_errors(excinfo)["accepted_on"][0]
    assert not Case.objects.exists()


# ---------------------------------------------------------------------------------------------
# 容缺受理
# ---------------------------------------------------------------------------------------------


def test_deferred_materials_are_recorded_with_the_promise_and_date(d):
    missing = deferrable(d.matter)
    case = wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        deferred_materials=[m.pk for m in missing],
        supply_by=D(2026, 5, 20),  # the deadline itself
        deferral_promise="本人承诺于 5 月 20 日前补齐",
    )
    assert case.supply_by == D(2026, 5, 20)
    assert case.deferral_promise == "本人承诺于 5 月 20 日前补齐"
    rows = CaseMissingMaterial.objects.filter(case=case)
    assert {r.material_id for r in rows} == {m.pk for m in missing}
    assert all(r.supplied_on is None for r in rows)
    # the materials' audit records hang on the case
    assert AuditEvent.objects.filter(
        object_type="window.casemissingmaterial", root_id=str(case.pk)
    ).count() == len(missing)
    event = CaseEvent.objects.get(case=case)
    assert all(m.name in event.note for m in missing)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deferred_materials": "required"}, "deferred_materials"),
        ({"deferred_materials": "foreign"}, "deferred_materials"),
        ({"supply_by": None}, "supply_by"),
        ({"supply_by": D(2026, 5, 21)}, "supply_by"),  # after the deadline (20 May)
        ({"supply_by": D(2026, 5, 12)}, "supply_by"),  # before the acceptance
        ({"deferral_promise": " "}, "deferral_promise"),
    ],
)
def test_deferral_refusals_name_the_field(d, change, field):
    data = {
        "deferred_materials": [m.pk for m in deferrable(d.matter)],
        "supply_by": D(2026, 5, 19),
        "deferral_promise": "按期补齐",
    }
    data.update(change)
    if data["deferred_materials"] == "required":
        data["deferred_materials"] = [m.pk for m in not_deferrable(d.matter)]
    elif data["deferred_materials"] == "foreign":
        data["deferred_materials"] = [deferrable(d.other_matter)[0].pk]
    with pytest.raises(ValidationError) as excinfo:
        wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter, **data)
    assert set(field_errors(excinfo)) == {field}
    assert not Case.objects.exists()


def test_supply_date_and_promise_are_ignored_without_deferred_materials(d):
    case = wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, supply_by=TODAY, deferral_promise="x"
    )
    assert case.supply_by is None
    assert case.deferral_promise == ""


# ---------------------------------------------------------------------------------------------
# Corrections and refusal
# ---------------------------------------------------------------------------------------------


def test_ask_for_corrections_lists_everything_missing_and_starts_no_clock(d):
    case = wf.correction_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        missing=["申请书未签字", " ", "缺少场所平面图"],
    )
    assert case.state == CaseState.CORRECTION
    assert case.correction_note == "申请书未签字\n缺少场所平面图"
    assert case.accepted_on is None and case.deadline is None
    assert selectors.case_clock(case) == selectors.NO_CLOCK
    event = CaseEvent.objects.get(case=case)
    assert event.kind == CaseEventKind.CORRECTION
    assert "缺少场所平面图" in event.note


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"missing": []}, "missing"),
        ({"missing": ["  "]}, "missing"),
        ({"received_on": TODAY + datetime.timedelta(1)}, "received_on"),
        ({"applicant_phone": "x"}, "applicant_phone"),
    ],
)
def test_correction_refusals_name_the_field(d, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter, **overrides)
    assert field in field_errors(excinfo)


def test_accept_after_corrections_under_the_version_current_then(d):
    case = wf.correction_case(
        actor=d.clerk, window=d.window, matter=d.matter, received_on=D(2026, 5, 6)
    )
    case = services.case_accept_corrected(
        actor=d.clerk,
        case=case,
        accepted_on=D(2026, 5, 8),
        deferred_materials=[deferrable(d.matter)[0]],
        supply_by=D(2026, 5, 12),
        deferral_promise="按期补齐",
    )
    assert case.state == CaseState.ACCEPTED
    # 9 (Saturday worked in lieu), 11, 12, 13, 14 May
    assert case.deadline == D(2026, 5, 14)
    assert case.received_on == D(2026, 5, 6)
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", "from_state", "to_state"))
    assert kinds == [
        (CaseEventKind.CORRECTION, "", CaseState.CORRECTION),
        (CaseEventKind.ACCEPT, CaseState.CORRECTION, CaseState.ACCEPTED),
    ]
    assert CaseMissingMaterial.objects.filter(case=case).count() == 1


def test_accept_after_corrections_not_before_they_were_asked(d):
    case = wf.correction_case(
        actor=d.clerk, window=d.window, matter=d.matter, received_on=D(2026, 5, 8)
    )
    for day in (D(2026, 5, 7), TODAY + datetime.timedelta(1)):
        with pytest.raises(ValidationError) as excinfo:
            services.case_accept_corrected(actor=d.clerk, case=case, accepted_on=day)
        assert set(field_errors(excinfo)) == {"accepted_on"}
    assert Case.objects.get(pk=case.pk).state == CaseState.CORRECTION


def test_refuse_with_a_reason(d):
    case = wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter)
    with pytest.raises(ValidationError) as excinfo:
        services.case_refuse(actor=d.clerk, case=case, on=TODAY, reason=" ")
    assert set(field_errors(excinfo)) == {"reason"}
    with pytest.raises(ValidationError) as excinfo:
        services.case_refuse(
            actor=d.clerk, case=case, on=TODAY - datetime.timedelta(1), reason="不属于受理范围"
        )
    assert set(field_errors(excinfo)) == {"on"}
    case = services.case_refuse(actor=d.clerk, case=case, on=TODAY, reason="不属于受理范围")
    assert case.state == CaseState.REFUSED
    assert Case.objects.get(pk=case.pk).refusal_reason == "不属于受理范围"
    assert selectors.case_clock(case) == selectors.NO_CLOCK


# ---------------------------------------------------------------------------------------------
# Pauses
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def april(d):
    """Accepted Tuesday 28 April, due Friday 8 May (5 working days)."""
    return wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 4, 28)
    )


def test_a_pause_over_the_holiday_moves_the_deadline_by_its_working_days(d, april):
    pause = services.case_pause(
        actor=d.clerk,
        case=april,
        on=D(2026, 4, 30),
        kind=PauseKind.INSPECTION,
        reason="送检",
    )
    case = Case.objects.get(pk=april.pk)
    assert case.state == CaseState.PAUSED
    assert pause.ended_on is None
    # while it runs, the pause counts to today: 6, 7, 8, 9, 11, 12, 13 May = 7 working days
    assert case.deadline == add_workdays(D(2026, 4, 28), 5 + 7)
    case = services.case_resume(actor=d.clerk, case=case, on=D(2026, 5, 6))
    # after 30 April up to and including 6 May: only 6 May is a working day
    assert case.state == CaseState.ACCEPTED
    assert case.deadline == D(2026, 5, 9)  # the Saturday worked in lieu
    assert case.statutory_deadline == add_workdays(D(2026, 4, 28), 20 + 1)
    clock = selectors.case_clock(case)
    assert clock.deadline == case.deadline
    assert clock.paused_workdays == 1
    # used: 29, 30 April, 7, 8, 9, 11, 12, 13 May (6 May paused)
    assert clock.workdays_used == 8
    assert clock.timing == rules.Timing.OVERDUE


def test_several_pauses_add_up(d, april):
    services.case_pause(actor=d.clerk, case=april, on=D(2026, 4, 30), kind="hearing", reason="听证")
    services.case_resume(actor=d.clerk, case=april, on=D(2026, 5, 6))
    services.case_pause(
        actor=d.clerk, case=april, on=D(2026, 5, 7), kind="expert_review", reason="专家评审"
    )
    case = services.case_resume(actor=d.clerk, case=april, on=D(2026, 5, 11))
    # 1 + (8, 9, 11 May) = 4 paused working days: 5 + 4 after 28 April is 13 May
    assert case.deadline == D(2026, 5, 13)
    without = rules.deadline(D(2026, 4, 28), 5)
    assert (
        rules.paused_workdays([(D(2026, 4, 30), D(2026, 5, 6)), (D(2026, 5, 7), D(2026, 5, 11))])
        == 4
    )
    assert case.deadline == add_workdays(without, 4)
    clock = selectors.case_clock(case)
    assert clock.timing == rules.Timing.DUE_SOON and clock.remaining_workdays == 0


@pytest.mark.parametrize(
    ("on", "kind", "reason", "field"),
    [
        (D(2026, 4, 27), "hearing", "听证", "on"),  # before the acceptance
        (TODAY + datetime.timedelta(1), "hearing", "听证", "on"),
        (None, "hearing", "听证", "on"),
        (TODAY, "holiday", "听证", "kind"),
        (TODAY, "hearing", "  ", "reason"),
    ],
)
def test_pause_refusals_name_the_field(d, april, on, kind, reason, field):
    before = snapshot(april)
    with pytest.raises(ValidationError) as excinfo:
        services.case_pause(actor=d.clerk, case=april, on=on, kind=kind, reason=reason)
    assert set(field_errors(excinfo)) == {field}
    assert snapshot(april) == before


def test_a_pause_may_not_begin_before_the_last_one_ended(d, april):
    services.case_pause(actor=d.clerk, case=april, on=D(2026, 5, 6), kind="other", reason="x")
    services.case_resume(actor=d.clerk, case=april, on=D(2026, 5, 8))
    with pytest.raises(ValidationError) as excinfo:
        services.case_pause(actor=d.clerk, case=april, on=D(2026, 5, 7), kind="other", reason="y")
    assert set(field_errors(excinfo)) == {"on"}
    # beginning on the day the last one ended does not overlap it
    services.case_pause(actor=d.clerk, case=april, on=D(2026, 5, 8), kind="other", reason="y")


def test_resume_refusals_name_the_field(d, april):
    services.case_pause(actor=d.clerk, case=april, on=D(2026, 5, 6), kind="other", reason="x")
    for day in (D(2026, 5, 5), TODAY + datetime.timedelta(1)):
        before = snapshot(april)
        with pytest.raises(ValidationError) as excinfo:
            services.case_resume(actor=d.clerk, case=april, on=day)
        assert set(field_errors(excinfo)) == {"on"}
        assert snapshot(april) == before
    # resuming the day it began stops the clock for no working day
    case = services.case_resume(actor=d.clerk, case=april, on=D(2026, 5, 6))
    assert case.deadline == D(2026, 5, 8)


# ---------------------------------------------------------------------------------------------
# Supply, completion, delivery
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def deferred(d):
    """Accepted 6 May (due 12 May) without both deferrable materials, to be supplied by 11 May."""
    return wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 5, 6),
        deferred_materials=deferrable(d.matter),
        supply_by=D(2026, 5, 11),
        deferral_promise="按期补齐",
    )


def test_supply_clears_the_deferred_materials(d, deferred):
    first, second = deferrable(d.matter)
    services.case_supply(actor=d.clerk, case=deferred, materials=[first.pk], on=D(2026, 5, 8))
    with pytest.raises(ValidationError) as excinfo:
        services.case_complete(actor=d.clerk, case=deferred, on=TODAY, outcome=Outcome.APPROVED)
    assert set(field_errors(excinfo)) == {"outcome"}
    services.case_supply(actor=d.clerk, case=deferred, materials=[second], on=D(2026, 5, 11))
    rows = dict(
        CaseMissingMaterial.objects.filter(case=deferred).values_list("material", "supplied_on")
    )
    assert rows == {first.pk: D(2026, 5, 8), second.pk: D(2026, 5, 11)}
    events = CaseEvent.objects.filter(case=deferred, kind=CaseEventKind.SUPPLY).order_by("id")
    assert [e.on for e in events] == [D(2026, 5, 8), D(2026, 5, 11)]
    assert all(e.from_state == e.to_state == CaseState.ACCEPTED for e in events)
    case = services.case_complete(actor=d.clerk, case=deferred, on=TODAY, outcome=Outcome.APPROVED)
    assert case.state == CaseState.COMPLETED


@pytest.mark.parametrize(
    ("materials", "on", "field"),
    [
        ([], D(2026, 5, 8), "materials"),
        ("required", D(2026, 5, 8), "materials"),
        ("twice", D(2026, 5, 8), "materials"),
        ("first", D(2026, 5, 12), "on"),  # after the promised date
        ("first", D(2026, 5, 5), "on"),  # before the acceptance
        ("first", TODAY + datetime.timedelta(1), "on"),
    ],
)
def test_supply_refusals_name_the_field(d, deferred, materials, on, field):
    first = deferrable(d.matter)[0]
    if materials == "required":
        materials = [not_deferrable(d.matter)[0].pk]
    elif materials == "first":
        materials = [first.pk]
    elif materials == "twice":
        services.case_supply(actor=d.clerk, case=deferred, materials=[first], on=D(2026, 5, 7))
        materials = [first.pk]
    before = snapshot(deferred)
    with pytest.raises(ValidationError) as excinfo:
        services.case_supply(actor=d.clerk, case=deferred, materials=materials, on=on)
    assert set(field_errors(excinfo)) == {field}
    assert snapshot(deferred) == before


@pytest.mark.parametrize(
    ("on", "outcome", "note", "field"),
    [
        (TODAY, "maybe", "", "outcome"),
        (TODAY, Outcome.DENIED, " ", "note"),
        (D(2026, 4, 27), Outcome.APPROVED, "", "on"),
        (TODAY + datetime.timedelta(1), Outcome.APPROVED, "", "on"),
    ],
)
def test_complete_refusals_name_the_field(d, april, on, outcome, note, field):
    before = snapshot(april)
    with pytest.raises(ValidationError) as excinfo:
        services.case_complete(actor=d.clerk, case=april, on=on, outcome=outcome, note=note)
    assert set(field_errors(excinfo)) == {field}
    assert snapshot(april) == before


def test_complete_not_before_the_last_pause_ended(d, april):
    services.case_pause(actor=d.clerk, case=april, on=D(2026, 5, 6), kind="other", reason="x")
    services.case_resume(actor=d.clerk, case=april, on=D(2026, 5, 11))
    with pytest.raises(ValidationError) as excinfo:
        services.case_complete(
            actor=d.clerk, case=april, on=D(2026, 5, 8), outcome=Outcome.APPROVED
        )
    assert set(field_errors(excinfo)) == {"on"}


def test_complete_early_and_deliver(d, april):
    case = services.case_complete(
        actor=d.clerk, case=april, on=D(2026, 5, 7), outcome=Outcome.APPROVED
    )
    clock = selectors.case_clock(case)
    assert clock.timing == rules.Timing.EARLY and clock.early
    assert clock.workdays_used == 4  # 29, 30 April, 6, 7 May
    assert clock.remaining_workdays is None
    with pytest.raises(ValidationError) as excinfo:
        services.case_deliver(actor=d.clerk, case=case, on=D(2026, 5, 6))
    assert set(field_errors(excinfo)) == {"on"}
    case = services.case_deliver(actor=d.clerk, case=case, on=D(2026, 5, 8))
    row = Case.objects.get(pk=case.pk)
    assert (row.state, row.delivered_on) == (CaseState.DELIVERED, D(2026, 5, 8))
    assert selectors.case_clock(row).early


def test_complete_denied_keeps_the_reason(d, april):
    case = services.case_complete(
        actor=d.clerk, case=april, on=D(2026, 5, 8), outcome=Outcome.DENIED, note="场所不符合要求"
    )
    row = Case.objects.get(pk=case.pk)
    assert (row.outcome, row.outcome_note) == (Outcome.DENIED, "场所不符合要求")
    assert selectors.case_clock(row).timing == rules.Timing.ON_TIME


def test_completed_late(d, april):
    case = services.case_complete(actor=d.clerk, case=april, on=TODAY, outcome=Outcome.APPROVED)
    assert selectors.case_clock(case).timing == rules.Timing.LATE


# ---------------------------------------------------------------------------------------------
# The lifecycle table, cell by cell
# ---------------------------------------------------------------------------------------------


def case_in(d, state: str) -> Case:
    """A case of `d.window` in `state`, accepted (when it is) on 6 May, due 12 May, without one
    deferrable material to be supplied by 12 May."""
    if state in (CaseState.CORRECTION, CaseState.REFUSED):
        case = wf.correction_case(
            actor=d.clerk, window=d.window, matter=d.matter, received_on=D(2026, 5, 6)
        )
        if state == CaseState.REFUSED:
            services.case_refuse(actor=d.clerk, case=case, on=D(2026, 5, 7), reason="不予受理")
        return Case.objects.get(pk=case.pk)
    case = wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 5, 6),
        deferred_materials=deferrable(d.matter)[:1],
        supply_by=D(2026, 5, 12),
        deferral_promise="按期补齐",
    )
    if state == CaseState.PAUSED:
        services.case_pause(actor=d.clerk, case=case, on=D(2026, 5, 7), kind="other", reason="x")
    elif state in (CaseState.COMPLETED, CaseState.DELIVERED):
        services.case_complete(
            actor=d.clerk, case=case, on=D(2026, 5, 7), outcome=Outcome.DENIED, note="不符合条件"
        )
        if state == CaseState.DELIVERED:
            services.case_deliver(actor=d.clerk, case=case, on=D(2026, 5, 8))
    elif state == CaseState.TERMINATED:
        services.cases_daily(TODAY)
    return Case.objects.get(pk=case.pk)


def take(d, case: Case, action: str):
    """The service behind `action`, with arguments it accepts when the state allows it."""
    clerk = d.clerk
    if action == "accept":
        return services.case_accept_corrected(actor=clerk, case=case, accepted_on=TODAY)
    if action == "refuse":
        return services.case_refuse(actor=clerk, case=case, on=TODAY, reason="材料不全")
    if action == "pause":
        return services.case_pause(actor=clerk, case=case, on=TODAY, kind="hearing", reason="听证")
    if action == "resume":
        return services.case_resume(actor=clerk, case=case, on=TODAY)
    if action == "supply":
        return services.case_supply(
            actor=clerk, case=case, materials=deferrable(d.matter)[:1], on=D(2026, 5, 12)
        )
    if action == "complete":
        return services.case_complete(
            actor=clerk, case=case, on=TODAY, outcome=Outcome.DENIED, note="不符合条件"
        )
    if action == "deliver":
        return services.case_deliver(actor=clerk, case=case, on=TODAY)
    raise AssertionError(action)


CLERK_ACTIONS = [a for a in rules.CASE.steps if a != "terminate"]
CELLS = [(state, action) for state in CaseState.values for action in CLERK_ACTIONS]


@pytest.mark.parametrize(("state", "action"), CELLS)
def test_every_cell_of_the_lifecycle(d, state, action):
    case = case_in(d, state)
    assert case.state == state
    if rules.CASE.can(state, action, d.clerk):
        take(d, case, action)
        assert Case.objects.get(pk=case.pk).state == rules.CASE.target(state, action)
        return
    before = snapshot(case)
    with pytest.raises(Conflict) as excinfo:
        take(d, case, action)
    assert str(CaseState(state).label) in str(excinfo.value)
    assert snapshot(case) == before


def test_no_clerk_may_terminate():
    assert not any(
        rules.CASE.can(state, "terminate", type("U", (), {"role": role})())
        for state in CaseState.values
        for role in ("window_clerk", "unit_admin", "committee")
    )


def test_only_the_window_s_clerks_move_its_cases(d, world, april):
    before = snapshot(april)
    with pytest.raises(OutOfScope):
        services.case_pause(actor=d.second_clerk, case=april, on=TODAY, kind="other", reason="x")
    for user in (world.users.committee, world.users.unit_admin, world.users.member):
        with pytest.raises(PermissionDenied):
            services.case_complete(actor=user, case=april, on=TODAY, outcome=Outcome.APPROVED)
    assert snapshot(april) == before


# ---------------------------------------------------------------------------------------------
# Timeline and audit of every step
# ---------------------------------------------------------------------------------------------


def test_every_step_is_in_the_timeline_and_the_audit_log(d):
    first, second = deferrable(d.matter)
    case = wf.correction_case(
        actor=d.clerk, window=d.window, matter=d.matter, received_on=D(2026, 4, 27)
    )
    services.case_accept_corrected(
        actor=d.clerk,
        case=case,
        accepted_on=D(2026, 4, 28),
        deferred_materials=[first, second],
        supply_by=D(2026, 5, 7),
        deferral_promise="按期补齐",
    )
    services.case_pause(
        actor=d.clerk, case=case, on=D(2026, 4, 29), kind="site_survey", reason="现场勘查"
    )
    services.case_supply(actor=d.clerk, case=case, materials=[first, second], on=D(2026, 5, 6))
    services.case_resume(actor=d.clerk, case=case, on=D(2026, 5, 7))
    services.case_complete(actor=d.clerk, case=case, on=D(2026, 5, 8), outcome=Outcome.APPROVED)
    services.case_deliver(actor=d.clerk, case=case, on=D(2026, 5, 11))

    timeline = list(
        selectors.case_timeline(case).values_list("kind", "on", "from_state", "to_state")
    )
    A, P, C = CaseState.ACCEPTED, CaseState.PAUSED, CaseState.COMPLETED
    assert timeline == [
        (CaseEventKind.CORRECTION, D(2026, 4, 27), "", CaseState.CORRECTION),
        (CaseEventKind.ACCEPT, D(2026, 4, 28), CaseState.CORRECTION, A),
        (CaseEventKind.PAUSE, D(2026, 4, 29), A, P),
        (CaseEventKind.SUPPLY, D(2026, 5, 6), P, P),
        (CaseEventKind.RESUME, D(2026, 5, 7), P, A),
        (CaseEventKind.COMPLETE, D(2026, 5, 8), A, C),
        (CaseEventKind.DELIVER, D(2026, 5, 11), C, CaseState.DELIVERED),
    ]
    assert all(e.actor == d.clerk for e in selectors.case_timeline(case))
    case_log = list(
        AuditEvent.objects.filter(object_type="window.case", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", "changes")
    )
    # created, accepted, paused, resumed, completed, delivered
    assert [action for action, _changes in case_log] == ["create"] + ["update"] * 5
    states = [changes["state"][1] for _action, changes in case_log]
    assert states == ["待补正", "办理中", "已中止", "办理中", "已办结", "已送达"]
    children = AuditEvent.objects.filter(root_type="window.case", root_id=str(case.pk))
    assert children.filter(object_type="window.casepause").count() == 2  # begun, ended
    assert children.filter(object_type="window.casemissingmaterial").count() == 4
    assert all(
        record.actor == d.clerk for record in AuditEvent.objects.filter(object_id=str(case.pk))
    )
    # 4 days paused (after 29 April to 7 May: 30 April, 6, 7 May = 3 working days)
    row = Case.objects.get(pk=case.pk)
    assert row.deadline == add_workdays(D(2026, 4, 28), 5 + 3)
