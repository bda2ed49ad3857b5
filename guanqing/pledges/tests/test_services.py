"""The services: the committee's editor, a lead unit's report and self-assessment, the milestones,
the rating; every refusal names its field and writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope
from guanqing.pledges import services
from guanqing.pledges.choices import PledgeState, TargetKind
from guanqing.pledges.models import Milestone, Pledge, ProgressReport, ReportAttachment
from guanqing.pledges.tests.helpers import PDF, PNG, D, pledge, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_the_committee_adds_a_pledge_with_its_lead_units(world):
    row = pledge(world, publish=False, units=[world.unit, world.other_unit])
    assert row.state == PledgeState.DRAFT
    assert set(row.lead_units.all()) == {world.unit, world.other_unit}
    assert AuditEvent.objects.filter(object_type="pledges.pledge").exists()


def test_every_refusal_names_its_field_and_nothing_is_written(world):
    pledge(world, number=1)
    errors = errors_of(
        lambda: services.pledge_save(
            actor=world.users.committee,
            year=2026,
            number=1,
            title=" ",
            promise="",
            lead_units=[],
            target_value=0,
            target_unit="",
        )
    )
    assert set(errors) == {
        "number",
        "title",
        "promise",
        "lead_units",
        "target_value",
        "target_unit",
    }
    assert Pledge.objects.count() == 1


def test_a_live_target_needs_a_registered_metric_and_takes_its_unit(world):
    errors = errors_of(
        lambda: pledge(world, target_kind=TargetKind.LIVE, metric="nope", target_unit="")
    )
    assert set(errors) == {"metric"}
    row = pledge(world, target_kind=TargetKind.LIVE, metric="wishes_fulfilled", target_unit="")
    assert (row.metric, row.target_unit) == ("wishes_fulfilled", "个")


def test_only_the_committee_edits(world):
    with pytest.raises(PermissionDenied):
        pledge(world, actor=world.users.unit_admin)
    assert not Pledge.objects.exists()


def test_publish_then_close_and_a_refused_move_is_a_conflict(world):
    row = pledge(world, publish=False)
    committee = world.users.committee
    services.pledge_move(actor=committee, pledge=row, action="publish")
    with pytest.raises(Conflict):
        services.pledge_move(actor=committee, pledge=row, action="publish")
    with pytest.raises(Conflict):
        services.pledge_rate(actor=committee, pledge=row, rating="good")
    services.pledge_move(actor=committee, pledge=row, action="close")
    row.refresh_from_db()
    assert (row.state, row.published_on, row.closed_on) == (
        PledgeState.CLOSED,
        D(2026, 5, 13),
        D(2026, 5, 13),
    )
    with pytest.raises(Conflict):
        pledge(world, number=1, publish=False, pledge=row, title="改")


def test_one_report_per_unit_and_month_changed_until_the_month_ends(world):
    row = pledge(world)
    first = report(world, row, value=3)
    again = report(world, row, value=5, text="更正")
    assert first.pk == again.pk
    assert ProgressReport.objects.get().value == 5
    assert ProgressReport.objects.get().month == D(2026, 5, 1)
    errors = errors_of(lambda: report(world, row, month=D(2026, 4, 1)))
    assert set(errors) == {"month"}
    errors = errors_of(lambda: report(world, row, value=None, text=""))
    assert set(errors) == {"value", "text"}


def test_evidence_files_are_typed_from_their_bytes_and_a_bad_one_writes_nothing(world):
    row = pledge(world)
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    errors = errors_of(lambda: report(world, row, files=[fake]))
    assert set(errors) == {"files[0]"}
    assert not ProgressReport.objects.exists()
    assert not ReportAttachment.objects.exists()
    files = [
        SimpleUploadedFile("a.bin", PNG, content_type="application/octet-stream"),
        SimpleUploadedFile("b.txt", PDF, content_type="text/plain"),
    ]
    saved = report(world, row, files=files)
    assert sorted(a.content_type for a in saved.attachments.all()) == [
        "application/pdf",
        "image/png",
    ]


def test_a_unit_reports_only_for_a_pledge_it_leads(world, django_user_model):
    row = pledge(world, units=[world.other_unit])
    with pytest.raises(OutOfScope):
        report(world, row)
    draft = pledge(world, number=2, publish=False)
    with pytest.raises(OutOfScope):
        report(world, draft)  # a draft is not the unit's yet
    with pytest.raises(PermissionDenied):
        report(world, row, actor=world.users.committee)


def test_a_live_pledge_takes_no_value(world):
    row = pledge(world, target_kind=TargetKind.LIVE, metric="wishes_fulfilled")
    saved = report(world, row, value=99)
    assert saved.value is None


def test_milestones_within_the_year_and_done_by_the_lead_unit(world):
    row = pledge(world)
    errors = errors_of(
        lambda: services.milestone_add(
            actor=world.users.committee, pledge=row, title="", due_on=D(2027, 1, 5)
        )
    )
    assert set(errors) == {"title", "due_on"}
    step = services.milestone_add(
        actor=world.users.committee, pledge=row, title="方案", due_on=D(2026, 6, 1)
    )
    with pytest.raises(PermissionDenied):
        services.milestone_add(
            actor=world.users.unit_admin, pledge=row, title="x", due_on=D(2026, 6, 1)
        )
    errors = errors_of(
        lambda: services.milestone_done(
            actor=world.users.unit_admin, milestone=step, evidence_note="", done_on=D(2026, 5, 14)
        )
    )
    assert set(errors) == {"evidence_note", "done_on"}
    services.milestone_done(actor=world.users.unit_admin, milestone=step, evidence_note="已印发")
    step.refresh_from_db()
    assert step.done_on == D(2026, 5, 13)
    with pytest.raises(Conflict):
        services.milestone_done(actor=world.users.committee, milestone=step, evidence_note="再")
    with pytest.raises(PermissionDenied):
        services.milestone_done(actor=world.users.member, milestone=step, evidence_note="x")


def test_self_assessment_then_rating_and_publishing_it(world):
    row = pledge(world)
    unit, committee = world.users.unit_admin, world.users.committee
    services.pledge_assess(actor=unit, pledge=row, self_assessment="全面完成")
    services.pledge_move(actor=committee, pledge=row, action="close")
    errors = errors_of(lambda: services.pledge_rate(actor=committee, pledge=row, rating="best"))
    assert set(errors) == {"rating"}
    services.pledge_rate(actor=committee, pledge=row, rating="excellent", note="好", publish=True)
    row.refresh_from_db()
    assert (row.self_assessment, row.rating, row.rating_published) == (
        "全面完成",
        "excellent",
        True,
    )
    with pytest.raises(Conflict):
        services.pledge_assess(actor=unit, pledge=row, self_assessment="改")
    with pytest.raises(PermissionDenied):
        services.pledge_rate(actor=unit, pledge=row, rating="good")
    assert Milestone.objects.count() == 0
