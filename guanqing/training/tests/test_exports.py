"""The outputs of a session: the Excel roster (one sheet per class, a row per person and day with
the day's attendance, the export audited) and the sign-in sheet PDF of a day (the plan, the
session, the venue, the date, each class with its people and blank signature cells)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guanqing.core.models import AuditEvent
from guanqing.training import attendance, exports, printing
from guanqing.training.choices import AttendanceStatus
from guanqing.training.tests.test_attendance import build_rota, on

HEADERS = ["期次", "班次", "姓名", "单位", "职级", "职务", "日期", "签到"]


@pytest.fixture
def r(world, official_calendar):
    rota = build_rota(world)
    day = rota.s1.dates[0]
    with on(day, 17):
        attendance.attendance_record(
            actor=rota.committee,
            session=rota.s1,
            day=day,
            marks={
                rota.mine.participant_id: AttendanceStatus.PRESENT,
                rota.a[0].participant_id: AttendanceStatus.EXCUSED,
            },
        )
    return rota


def pdf_text(content: bytes) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:  # the reader the window's PDF tests use
        from guanqing.window.tests.pdfs import pdf_text as read

        return read(content)
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_roster_has_a_sheet_per_class_and_a_row_per_person_and_day(r):
    content, rows = exports.roster_workbook(r.s1)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["第1班", "第2班"]
    first = [list(row) for row in book["第1班"].iter_rows(values_only=True)]
    assert first[0] == HEADERS
    one, two = (d.isoformat() for d in r.s1.dates)
    # 市纪委: 张三 and 甲1, two days each; blank where nothing is recorded yet
    assert first[1:] == [
        [1, 1, "张三", "市纪委", "处级", "其他", one, "出勤"],
        [1, 1, "张三", "市纪委", "处级", "其他", two, None],
        [1, 1, "甲1", "市纪委", "处级", "其他", one, "请假"],
        [1, 1, "甲1", "市纪委", "处级", "其他", two, None],
    ]
    second = [list(row) for row in book["第2班"].iter_rows(values_only=True)]
    assert [row[2] for row in second[1:]] == ["乙1", "乙1"]
    assert rows == 6


def test_someone_made_up_stays_on_the_roster_of_the_class_it_was_in(r):
    with on(r.s1.dates[0], 18):
        attendance.makeup_assign(actor=r.committee, assignment=r.a[0], session=r.s3)
    first = load_workbook(io.BytesIO(exports.roster_workbook(r.s1)[0]))["第1班"]
    assert [row[2] for row in first.iter_rows(min_row=2, values_only=True)] == ["张三"] * 2 + [
        "甲1"
    ] * 2
    third = load_workbook(io.BytesIO(exports.roster_workbook(r.s3)[0]))["第2班"]
    assert "甲1" in [row[2] for row in third.iter_rows(min_row=2, values_only=True)]


def test_the_roster_download_is_audited_and_the_committees(r, world, client):
    url = reverse("training:roster", args=[r.plan.pk, 1])
    client.force_login(world.users.committee)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book["第1班"]["C2"].value == "张三"
    event = AuditEvent.objects.get(action="export", object_type="training.roster")
    assert event.changes["rows"] == [None, 6]
    client.force_login(world.users.unit_admin)
    assert client.get(url).status_code == 403


def test_the_sign_in_sheet_names_the_session_its_day_and_its_people(r):
    day = r.s1.dates[1]
    content = printing.signin_pdf(r.s1, day)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for words in ("处级干部轮训", "第1期签到表", "市委党校", day.isoformat(), "第1班", "第2班"):
        assert words in text.replace(" ", ""), words
    for words in ("序号", "姓名", "单位", "职级", "签名", "张三", "甲1", "乙1"):
        assert words in text, words


def test_the_sign_in_sheet_repeats_the_class_header_on_every_page(r, world):
    from guanqing.testing import factories as f
    from guanqing.training.models import Participant

    # thirty more people in the first class: the list runs over a page
    for n in range(30):
        member = f.MemberFactory(unit=world.unit, rank="division", name=f"丙{n}")
        participant = Participant.objects.create(plan=r.plan, member=member, unit=world.unit)
        r.s1.assignments.create(participant=participant, class_number=1)
    content = printing.signin_pdf(r.s1, r.s1.dates[0])
    text = pdf_text(content).replace(" ", "")
    assert text.count("第1期签到表") >= 3  # two pages of class 1, one of class 2
    assert text.count("第1班") >= 2


def test_the_sign_in_sheet_download(r, world, client):
    client.force_login(world.users.committee)
    response = client.get(reverse("training:signin_pdf", args=[r.plan.pk, 1, 2]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("training:signin_pdf", args=[r.plan.pk, 1, 3])).status_code == 404
