"""The pages: the list with progress and status, a pledge's page, the committee's editor, a lead
unit's report form, the public page (nothing private), scope per role, the year report, and the
list's query budget."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.core.tests.test_i18n import english_client
from guanqing.pledges import services
from guanqing.pledges.choices import PledgeState
from guanqing.pledges.models import Pledge, ProgressReport
from guanqing.pledges.tests.helpers import PNG, D, pledge, report
from guanqing.registry.models import Unit

CJK = re.compile(r"[\u4e00-\u9fff]+")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]


@pytest.fixture
def pledges(world):
    own = pledge(world, 1, title="阅读平台")
    services.milestone_add(
        actor=world.users.committee, pledge=own, title="上线试运行", due_on=D(2026, 5, 15)
    )
    report(
        world,
        own,
        value=6,
        text="采购图书六批",
        files=[SimpleUploadedFile("p.png", PNG, content_type="image/png")],
    )
    other = pledge(world, 2, title="母婴室", units=[world.other_unit])
    services.milestone_add(
        actor=world.users.committee, pledge=other, title="完成装修", due_on=D(2026, 5, 1)
    )
    draft = pledge(world, 3, title="尚未公布的实事", publish=False)
    return {"own": own, "other": other, "draft": draft}


def test_the_list_shows_progress_and_derived_status(world, pledges):
    page = client_for(world.users.committee).get("/pledges/").content.decode()
    assert 'value="50"' in page  # 6 of 12
    assert 'data-status="at_risk"' in page and 'data-status="late"' in page
    assert "尚未公布的实事" in page  # the committee sees its drafts


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("committee", {"own", "other", "draft"}),
        ("unit_admin", {"own"}),
        ("member", {"own", "other"}),
    ],
)
def test_scope_per_role(world, pledges, role, seen):
    client = client_for(getattr(world.users, role))
    for name, row in pledges.items():
        expected = 200 if name in seen else 404
        assert client.get(f"/pledges/{row.pk}/").status_code == expected, name
    listed = client.get("/pledges/").content.decode()
    for name, row in pledges.items():
        assert (f'data-pledge="{row.pk}"' in listed) is (name in seen)


def test_an_evidence_file_only_for_those_who_see_the_report(world, pledges):
    attachment = ProgressReport.objects.get().attachments.get()
    url = f"/pledges/files/{attachment.pk}/"
    response = client_for(world.users.unit_admin).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert client_for(world.users.community_worker).get(url).status_code == 403
    assert client_for(world.users.member).get(url).status_code == 200  # a member reads the pledge
    assert client_for(world.users.committee).get("/pledges/files/999999/").status_code == 404


def test_the_public_page_shows_nothing_private(client, world, pledges):
    pledges["own"].refresh_from_db()
    response = client.get("/pledges/public/?year=2026")
    page = response.content.decode()
    assert response.status_code == 200
    assert "阅读平台" in page and "母婴室" in page
    assert 'value="50"' in page
    for private in (
        "尚未公布的实事",  # a draft
        "采购图书六批",  # a report's text
        "/pledges/files/",  # evidence
        world.unit.name,
        world.other_unit.name,  # the lead units
        "上线试运行",  # milestones
    ):
        assert private not in page
    api = client.get("/api/v1/pledges/public/?year=2026").json()
    assert {p["title"] for p in api["pledges"]} == {"阅读平台", "母婴室"}
    assert all(set(p) >= {"progress", "percent", "status"} for p in api["pledges"])
    assert not any("unit" in key for p in api["pledges"] for key in p if key != "target_unit")


def test_the_rating_shows_publicly_only_once_published(client, world, pledges):
    committee = world.users.committee
    services.pledge_move(actor=committee, pledge=pledges["own"], action="close")
    services.pledge_rate(actor=committee, pledge=pledges["own"], rating="excellent")
    assert "优秀" not in client.get("/pledges/public/").content.decode()
    services.pledge_rate(actor=committee, pledge=pledges["own"], rating="excellent", publish=True)
    assert "优秀" in client.get("/pledges/public/").content.decode()


def test_the_committee_creates_a_pledge_and_sees_errors_beside_fields(world):
    client = client_for(world.users.committee)
    bad = client.post("/pledges/new/", {"year": 2026, "number": 1, "title": "", "promise": "x"})
    assert bad.status_code == 400
    assert not Pledge.objects.exists()
    ok = client.post(
        "/pledges/new/",
        {
            "year": 2026,
            "number": 4,
            "title": "疗休养",
            "promise": "分批疗休养",
            "lead_units": [world.other_unit.pk, world.unit.pk],
            "target_kind": "manual",
            "target_value": 200,
            "target_unit": "人次",
        },
    )
    row = Pledge.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/pledges/{row.pk}/"
    assert set(row.lead_units.all()) == {world.unit, world.other_unit}
    # the lead units are searched (a province has thousands), the chosen ones ticked
    edit = client.get(f"/pledges/{row.pk}/edit/").content.decode()
    assert "/registry/pick/units/" in edit and '<select name="lead_units"' not in edit
    assert f'name="lead_units" value="{world.other_unit.pk}" checked' in edit
    assert client.post(f"/pledges/{row.pk}/publish/").status_code == 302
    row.refresh_from_db()
    assert row.state == PledgeState.PUBLISHED
    step = client.post(f"/pledges/{row.pk}/milestones/", {"title": "", "due_on": "2026-06-01"})
    assert step.status_code == 400
    assert client.get("/pledges/manage/").status_code == 200


def test_a_lead_unit_reports_with_evidence(world, pledges):
    client = client_for(world.users.unit_admin)
    row = pledges["own"]
    page = client.get("/pledges/unit/").content.decode()
    assert f'data-pledge="{row.pk}"' in page and "已报送" in page
    assert client.get(f"/pledges/{row.pk}/report/").status_code == 200
    bad = client.post(
        f"/pledges/{row.pk}/report/",
        {
            "month": "2026-05",
            "value": 2,
            "text": "更正",
            "files": [SimpleUploadedFile("x.png", b"plain text", content_type="image/png")],
        },
    )
    assert bad.status_code == 400
    assert ProgressReport.objects.get().value == 6
    ok = client.post(
        f"/pledges/{row.pk}/report/",
        {
            "month": "2026-05",
            "value": 8,
            "text": "更正",
            "files": [SimpleUploadedFile("y.png", PNG, content_type="image/png")],
        },
    )
    assert ok.status_code == 302
    saved = ProgressReport.objects.get()
    assert (saved.value, saved.attachments.count()) == (8, 2)
    other = pledges["other"]
    assert client.get(f"/pledges/{other.pk}/report/").status_code == 404


def test_the_year_report_as_excel_and_pdf(world, pledges):
    client = client_for(world.users.committee)
    excel = client.get("/pledges/export/?year=2026")
    assert excel.status_code == 200
    assert "spreadsheetml" in excel["Content-Type"]
    pdf = client.get("/pledges/export/pdf/?year=2026")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("committee", "/pledges/"),
        ("committee", "/pledges/manage/"),
        ("committee", "/pledges/new/"),
        ("committee", "/pledges/{own}/"),
        ("unit_admin", "/pledges/unit/"),
        ("unit_admin", "/pledges/{own}/"),
        ("unit_admin", "/pledges/{own}/report/"),
        ("member", "/pledges/{other}/"),
        (None, "/pledges/public/"),
    ],
)
def test_pages_read_english_for_an_english_user(world, pledges, role, url):
    user = getattr(world.users, role) if role else None
    url = url.format(own=pledges["own"].pk, other=pledges["other"].pk)
    html = english_client(user).get(url).content.decode()
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    # data (titles, promises, units, reports) may be Chinese; the page's own words are not
    data = ["阅读平台", "母婴室", "尚未公布的实事", "全年开展十二场培训", "上线试运行", "完成装修"]
    data += ["采购图书六批", "场", "、", "（", "）", "："]
    data += [u.name for u in Unit.objects.all()]
    for text in sorted(data, key=len, reverse=True):
        main = main.replace(text, "")
    assert not CJK.findall(main), CJK.findall(main)[:20]


def test_the_list_queries_do_not_grow_with_the_pledges(world, pledges):
    client = client_for(world.users.committee)
    client.get("/pledges/")  # the session, the menu and the calendar read once
    with CaptureQueriesContext(connection) as few:
        client.get("/pledges/")
    for number in range(4, 10):
        pledge(world, number)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/pledges/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
