"""金点子, service brands and pocket books: the writes and their review lifecycle, who sees and
changes what, the A6 PDF (size, contents with the page each entry is on, read back from the
file), a rebuild after an entry changed, and the Excel list."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from guanqing.conftest import client_for
from guanqing.core.errors import Conflict
from guanqing.core.services import OutOfScope
from guanqing.frontline import book_services as bs
from guanqing.frontline.models import GoodPractice, PocketBook, PracticeState, ServiceBrand
from guanqing.frontline.tests import factories as ff
from guanqing.testing import factories as f
from guanqing.window.tests.pdfs import _streams, pdf_streams

D = datetime.date
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
A6_POINTS = (round(105 / 25.4 * 72, 2), round(148 / 25.4 * 72, 2))

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world, official_calendar, pinned_today):
    world.committee = world.users.committee
    world.admin = world.users.unit_admin
    world.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    world.brand = bs.brand_save(
        actor=world.admin, unit=world.unit, name="千方百计", slogan="千方百计为企业"
    )
    return world


def practice(w, *, actor=None, unit=None, title="出口信用保险怎么投", approved=False, **kwargs):
    actor = actor or w.admin
    data = {
        "unit": unit or actor.unit or w.unit,
        "title": title,
        "problem": "企业担心海外买家拖欠货款",
        "action": "联合中国信保上门讲解短期险，统保平台覆盖小微企业",
        "result": "一年新增投保企业三百余家",
        "category_label": "出口信用保险",
        "tags": "出口，信保",
    }
    data.update(kwargs)
    row = bs.practice_save(actor=actor, **data)
    if approved:
        row = bs.practice_submit(actor=actor, practice=row)
        row = bs.practice_review(actor=w.committee, practice=row, approved=True)
    return row


# --- reading a PDF back, page by page ------------------------------------------------------------


def page_texts(pdf: bytes) -> list[str]:
    """The text drawn on each page, in page order (WeasyPrint writes one content stream a page,
    in order), each run read through the ToUnicode map of its own font — the way
    `guanqing.window.tests.pdfs.pdf_text` reads the whole file."""
    streams = _streams(pdf)
    maps: dict[bytes, dict[str, str]] = {}
    for data in [pdf, *streams.values()]:
        for body in re.findall(rb"<<([^<>]*)>>", data):
            tag = re.search(rb"/BaseFont\s*/(\w+)\+", body)
            ref = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
            if not (tag and ref):
                continue
            glyphs = maps.setdefault(tag.group(1), {})
            cmap = streams.get(ref.group(1), b"")
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
                for gid, code in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                    glyphs[gid.decode().lower()] = bytes.fromhex(code.decode()).decode("utf-16-be")
    pages = []
    for data in streams.values():
        if not (re.search(rb"\bBT\b", data) and b" Tf" in data):
            continue
        text: list[str] = []
        glyphs: dict[str, str] = {}
        for match in re.finditer(rb"/(\w+) [\d.]+ Tf|\[(.*?)\]\s*TJ", data, re.S):
            if match.group(1) is not None:
                glyphs = maps.get(match.group(1), {})
                continue
            for run in re.findall(rb"<([0-9a-fA-F]*)>", match.group(2)):
                run = run.decode().lower()
                text.extend(glyphs.get(run[i : i + 4], "") for i in range(0, len(run), 4))
        pages.append("".join(text))
    return pages


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(wd), 2), round(float(ht), 2))
        for data in pdf_streams(pdf)
        for wd, ht in re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", data)
    ]


def contents_lines(text: str, titles: list[str]) -> dict[str, int]:
    """title -> the page number the contents list shows after it (dot leaders between)."""
    found = {}
    for title in titles:
        match = re.search(re.escape(title) + r"\.+(\d+)", text)
        if match:
            found[title] = int(match.group(1))
    return found


# --- brands -----------------------------------------------------------------------------------


def test_a_unit_keeps_its_own_brand_with_a_logo_and_not_another_units(w):
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    brand = bs.brand_save(
        actor=w.admin, brand=w.brand, unit=w.unit, name="千方百计", aims="服务企业", logo=logo
    )
    brand = ServiceBrand.objects.get(pk=brand.pk)
    assert brand.logo.name.endswith(".png") and brand.logo_content_type == "image/png"
    logo_response = client_for(w.users.member).get(f"/frontline/brands/{brand.pk}/logo/")
    assert b"".join(logo_response.streaming_content) == PNG
    with pytest.raises(ValidationError) as exc:
        bs.brand_save(actor=w.admin, unit=w.other_unit, name="别人的品牌")
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        bs.brand_save(actor=w.admin, unit=w.unit, name="千方百计")
    assert "name" in exc.value.message_dict
    other = bs.brand_save(actor=w.committee, unit=w.other_unit, name="发改服务")
    with pytest.raises(OutOfScope):
        bs.brand_save(actor=w.admin, brand=other, unit=w.other_unit, name="改名")
    not_image = SimpleUploadedFile("logo.png", b"GIF89a....", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        bs.brand_save(actor=w.admin, brand=w.brand, unit=w.unit, name="千方百计", logo=not_image)
    assert "logo" in exc.value.message_dict


def test_only_the_committee_recognises_brands_and_the_list_shows_them(w):
    food = f.UnitFactory(name="市食品药品监管局")
    wupeng = bs.brand_save(actor=w.committee, unit=food, name="吴鹏服务法")
    with pytest.raises(PermissionDenied):
        bs.brand_recognise(actor=w.admin, brand=w.brand)
    bs.brand_recognise(actor=w.committee, brand=wupeng)
    wupeng.refresh_from_db()
    assert wupeng.recognised_on == D(2026, 5, 13) and wupeng.recognised_by == w.committee
    page = client_for(w.users.member).get("/frontline/brands/")
    assert page.status_code == 200
    recognised = page.content.decode().split('id="recognised"')[1].split("</ul>")[0]
    assert "吴鹏服务法" in recognised and "千方百计" not in recognised
    bs.brand_recognise(actor=w.committee, brand=wupeng, recognised=False)
    wupeng.refresh_from_db()
    assert wupeng.recognised_on is None


# --- 金点子 and their review ---------------------------------------------------------------------


def test_the_review_lifecycle_draft_submitted_approved_or_sent_back(w):
    row = practice(w, brand=w.brand)
    assert row.state == PracticeState.DRAFT and row.tags == "出口,信保"
    with pytest.raises(Conflict):
        bs.practice_review(actor=w.committee, practice=row, approved=True)
    row = bs.practice_submit(actor=w.admin, practice=row)
    assert row.state == PracticeState.SUBMITTED and row.submitted_on == D(2026, 5, 13)
    with pytest.raises(Conflict):  # a unit no longer changes what it submitted
        bs.practice_save(
            actor=w.admin, practice=row, unit=w.unit, title="改", problem="问", action="做"
        )
    with pytest.raises(PermissionDenied):
        bs.practice_review(actor=w.admin, practice=row, approved=True)
    with pytest.raises(ValidationError) as exc:  # sending back needs a reason
        bs.practice_review(actor=w.committee, practice=row, approved=False)
    assert "review_note" in exc.value.message_dict
    assert GoodPractice.objects.get(pk=row.pk).state == PracticeState.SUBMITTED
    row = bs.practice_review(actor=w.committee, practice=row, approved=False, note="请补充成效数据")
    assert row.state == PracticeState.REJECTED and row.review_note == "请补充成效数据"
    row = bs.practice_save(
        actor=w.admin,
        practice=row,
        unit=w.unit,
        title="出口信用保险怎么投",
        problem="问",
        action="做",
        result="新增投保企业 312 家",
    )
    row = bs.practice_submit(actor=w.admin, practice=row)
    row = bs.practice_review(actor=w.committee, practice=row, approved=True)
    assert row.state == PracticeState.APPROVED and row.reviewed_by == w.committee
    with pytest.raises(Conflict):
        bs.practice_submit(actor=w.admin, practice=row)


def test_a_practice_checks_its_fields_brand_and_source_problem(w):
    with pytest.raises(ValidationError) as exc:
        bs.practice_save(actor=w.admin, unit=w.unit, title=" ", problem="", action="")
    assert {"title", "problem", "action"} <= exc.value.message_dict.keys()
    other_brand = bs.brand_save(actor=w.committee, unit=w.other_unit, name="发改服务")
    with pytest.raises(ValidationError) as exc:
        practice(w, brand=other_brand)
    assert "brand" in exc.value.message_dict
    cat = ff.category(unit=w.unit)
    open_problem = ff.handling(unit_admin=w.admin, committee=w.committee, category=cat)
    with pytest.raises(ValidationError) as exc:
        practice(w, source_problem=open_problem)
    assert "source_problem" in exc.value.message_dict
    solved = ff.closed(unit_admin=w.admin, committee=w.committee, category=cat)
    row = practice(w, source_problem=solved, category=cat, category_label="")
    assert row.source_problem == solved and row.category_name == cat.name
    # another unit does not write up this unit's problem
    with pytest.raises(ValidationError) as exc:
        practice(w, actor=w.other_admin, source_problem=solved)
    assert "source_problem" in exc.value.message_dict


def test_who_sees_which_practices(w):
    draft = practice(w, title="本单位草稿")
    approved = practice(w, title="已采用的", approved=True)
    theirs = practice(w, actor=w.other_admin, title="别单位草稿")
    theirs_ok = practice(w, actor=w.other_admin, title="别单位已采用", approved=True)

    def seen(user):
        return set(GoodPractice.objects.visible_to(user).values_list("title", flat=True))

    assert seen(w.committee) == {"本单位草稿", "已采用的", "别单位草稿", "别单位已采用"}
    assert seen(w.admin) == {"本单位草稿", "已采用的", "别单位已采用"}
    assert seen(w.users.member) == {"已采用的", "别单位已采用"}
    for role in ("window_clerk", "community_worker", "system_admin", "fund_officer"):
        assert seen(getattr(w.users, role)) == set()
    assert set(GoodPractice.objects.editable_by(w.admin)) == {draft, approved}
    with pytest.raises(OutOfScope):
        bs.practice_submit(actor=w.admin, practice=theirs)
    admin = client_for(w.admin)
    assert admin.get(f"/frontline/practices/{theirs.pk}/").status_code == 404
    assert admin.get(f"/frontline/practices/{theirs_ok.pk}/").status_code == 200
    assert admin.get(f"/frontline/practices/{theirs_ok.pk}/edit/").status_code == 404
    member = client_for(w.users.member)
    assert member.get(f"/frontline/practices/{draft.pk}/").status_code == 404
    assert member.get("/frontline/practices/new/").status_code == 403
    assert client_for(w.users.window_clerk).get("/frontline/practices/").status_code == 403


def test_the_pages_write_submit_and_review_a_practice(w):
    admin = client_for(w.admin)
    response = admin.post(
        "/frontline/practices/new/",
        {
            "unit": w.unit.pk,
            "brand": w.brand.pk,
            "title": "境外参展补助一次办",
            "problem": "展会补助材料多",
            "action": "材料清单化，线上申报",
            "category_label": "境外参展",
            "tags": "参展",
        },
    )
    assert response.status_code == 302
    row = GoodPractice.objects.get(title="境外参展补助一次办")
    assert admin.post(f"/frontline/practices/{row.pk}/submit/").status_code == 302
    assert (
        admin.post(f"/frontline/practices/{row.pk}/review/", {"decision": "approve"}).status_code
        == 403
    )
    committee = client_for(w.committee)
    committee.post(f"/frontline/practices/{row.pk}/review/", {"decision": "approve"})
    row.refresh_from_db()
    assert row.state == PracticeState.APPROVED
    bad = admin.post(
        "/frontline/practices/new/", {"unit": w.unit.pk, "title": "", "problem": "", "action": ""}
    )
    assert bad.status_code == 400


def test_the_page_takes_the_source_problem_by_its_number_and_shows_it_when_editing(w):
    cat = ff.category(unit=w.unit)
    solved = ff.closed(unit_admin=w.admin, committee=w.committee, category=cat)
    still_open = ff.handling(unit_admin=w.admin, committee=w.committee, category=cat)
    admin = client_for(w.admin)
    base = {
        "unit": w.unit.pk,
        "title": "企业融资难题的解法",
        "problem": "融资难",
        "action": "银企对接",
    }
    # a unit has thousands of closed problems: the page offers no list of them, only the number
    page = admin.get("/frontline/practices/new/").content.decode()
    assert solved.public_id not in page
    refused = admin.post(
        "/frontline/practices/new/", {**base, "source_problem": still_open.public_id}
    )
    assert refused.status_code == 400
    assert "没有这个编号的已办结难题" in refused.content.decode()
    assert not GoodPractice.objects.exists()
    typed = solved.public_id.lower() + " "
    assert (
        admin.post("/frontline/practices/new/", {**base, "source_problem": typed}).status_code
        == 302
    )
    row = GoodPractice.objects.get()
    assert row.source_problem == solved
    edit = admin.get(f"/frontline/practices/{row.pk}/edit/").content.decode()
    assert f'value="{solved.public_id}"' in edit


# --- pocket books ----------------------------------------------------------------------------


@pytest.fixture
def shelf(w):
    titles = {
        "出口信用保险": ["短期险统保平台", "买家资信调查", "出运前风险保障"],
        "境外参展": ["展位补助申报", "参展样品通关"],
        "汇率避险": ["远期结汇锁汇率"],
    }
    rows = []
    for label, names in titles.items():
        for name in names:
            rows.append(practice(w, title=name, category_label=label, brand=w.brand, approved=True))
    practice(w, title="还在草稿", category_label="汇率避险", brand=w.brand)
    return rows


def test_a_book_is_an_a6_pdf_with_a_cover_and_contents_pointing_at_the_right_pages(w, shelf):
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    bs.brand_save(actor=w.admin, brand=w.brand, unit=w.unit, name="千方百计", logo=logo)
    book = bs.book_save(actor=w.admin, title="宁波企业开拓国际市场100招", brand=w.brand)
    book = bs.book_build(actor=w.admin, book=book)
    content = book.pdf.read()
    assert content.startswith(b"%PDF-")
    assert any(b"Noto-Sans-CJK-SC" in s for s in pdf_streams(content))
    boxes = media_boxes(content)
    assert boxes and set(boxes) == {A6_POINTS}
    pages = page_texts(content)
    assert len(pages) == book.page_count == len(boxes)
    assert book.entry_count == 6
    cover = pages[0]
    assert "宁波企业开拓国际市场100招" in cover and "千方百计" in cover and w.unit.name in cover
    assert "2026-05-13" in cover
    # every other page carries its running number, drawn last (the footer)
    for number, text in enumerate(pages[1:], start=2):
        assert text.endswith(str(number)), (number, text[-20:])
    contents = pages[1][: -len("2")]
    titles = [p.title for p in shelf]
    toc = contents_lines(contents, titles)
    assert set(toc) == set(titles)  # every approved entry listed, never the draft
    assert "还在草稿" not in "".join(pages)
    for title, number in toc.items():
        assert title in pages[number - 1], (title, number)
        assert number >= 3  # after the cover and the contents
    # the contents are grouped by category, and the pages follow that order
    assert contents.index("出口信用保险") < contents.index("境外参展") < contents.index("汇率避险")
    in_contents_order = sorted(toc, key=contents.index)
    numbers = [toc[title] for title in in_contents_order]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_a_book_is_rebuilt_from_its_current_entries(w, shelf):
    first, second = shelf[0], shelf[3]
    book = bs.book_save(
        actor=w.committee, title="精选两招", brand=w.brand, practices=[second, first]
    )
    book = bs.book_build(actor=w.committee, book=book)
    before = page_texts(book.pdf.read())
    assert "短期险统保平台" in "".join(before)
    bs.practice_save(
        actor=w.committee,
        practice=first,
        unit=w.unit,
        title="小微企业统保平台",
        problem=first.problem,
        action=first.action,
        category_label="出口信用保险",
        brand=w.brand,
    )
    book = bs.book_build(actor=w.committee, book=PocketBook.objects.get(pk=book.pk))
    after = "".join(page_texts(book.pdf.read()))
    assert "小微企业统保平台" in after and "短期险统保平台" not in after
    assert book.entry_count == 2


def test_a_book_takes_only_approved_practices_and_a_unit_builds_only_for_its_brand(w, shelf):
    draft = GoodPractice.objects.get(title="还在草稿")
    with pytest.raises(ValidationError) as exc:
        bs.book_save(actor=w.committee, title="书", practices=[shelf[0], draft])
    assert "practices" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        bs.book_save(actor=w.other_admin, title="书", brand=w.brand)
    assert "brand" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        bs.book_save(actor=w.users.member, title="书", brand=w.brand)
    book = bs.book_save(actor=w.committee, title="按标签", filter_tags="信保")
    assert {p.title for p in bs.book_entries(book)} == {p.title for p in shelf}
    with pytest.raises(OutOfScope):
        bs.book_build(actor=w.other_admin, book=book)


def test_book_pages_pdf_and_excel_list(w, shelf):
    from openpyxl import load_workbook

    committee = client_for(w.committee)
    response = committee.post(
        "/frontline/books/new/",
        {"title": "开拓国际市场", "brand": w.brand.pk, "practices": [shelf[5].pk, shelf[0].pk]},
    )
    assert response.status_code == 302
    book = PocketBook.objects.get(title="开拓国际市场")
    assert [e.practice_id for e in book.book_entries.all()] == [shelf[5].pk, shelf[0].pk]
    member = client_for(w.users.member)
    pdf = member.get(f"/frontline/books/{book.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert member.post(f"/frontline/books/{book.pk}/build/").status_code == 403
    excel = member.get(f"/frontline/books/{book.pk}/excel/")
    assert excel.status_code == 200
    sheet = load_workbook(io.BytesIO(excel.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "分类", "标题")
    assert [r[2] for r in rows[1:]] == ["远期结汇锁汇率", "短期险统保平台"]
    assert rows[1][3] == w.unit.name and rows[2][5] == "出口、信保"
    assert client_for(w.users.window_clerk).get(f"/frontline/books/{book.pk}/").status_code == 403
    assert member.get(f"/frontline/books/{book.pk}/").status_code == 200


def test_the_book_form_searches_its_practices_and_keeps_the_order_chosen(w, shelf):
    committee = client_for(w.committee)
    form = committee.get("/frontline/books/new/").content.decode()
    # a search and an (empty) list of entries, not an option per approved 金点子
    assert "data-picker-many" in form and "/registry/pick/book-practices/" in form
    assert "短期险统保平台" not in form
    found = committee.get("/registry/pick/book-practices/", {"q": "汇率"}).content.decode()
    assert "远期结汇锁汇率" in found and "还在草稿" not in found  # approved ones only
    assert (
        "参展样品通关"
        in committee.get("/registry/pick/book-practices/", {"q": "参展 样品"}).content.decode()
    )
    assert (
        client_for(w.users.member).get("/registry/pick/book-practices/", {"q": "汇率"}).status_code
        == 403
    )

    # two chosen in this order, one chosen twice, and a whole title typed without choosing
    response = committee.post(
        "/frontline/books/new/",
        {
            "title": "三招",
            "brand": w.brand.pk,
            "practices": [shelf[4].pk, shelf[1].pk, shelf[4].pk],
            "practices_q": "远期结汇锁汇率",
        },
    )
    assert response.status_code == 302
    book = PocketBook.objects.get(title="三招")
    assert [e.practice_id for e in book.book_entries.all()] == [
        shelf[4].pk,
        shelf[1].pk,
        shelf[5].pk,
    ]
    # the edit form lists them ticked, in the book's order, with buttons to move them
    edit = committee.get(f"/frontline/books/{book.pk}/edit/").content.decode()
    ticked = [edit.index(f'value="{p.pk}" checked') for p in (shelf[4], shelf[1], shelf[5])]
    assert ticked == sorted(ticked) and "data-picker-up" in edit

    # a draft, or a title that is no approved 金点子, is refused beside the field; nothing is written
    draft = GoodPractice.objects.get(title="还在草稿")
    for data in ({"practices": [shelf[0].pk, draft.pk]}, {"practices_q": "还在草稿"}):
        response = committee.post("/frontline/books/new/", {"title": "不成", **data})
        assert response.status_code == 400
        assert response.context["form"].errors["practices"], data
        assert not PocketBook.objects.filter(title="不成").exists()


def test_the_demo_makes_the_brand_its_40_practices_and_the_book(
    world, official_calendar, pinned_today
):
    from guanqing.frontline import demo_books

    trade = f.UnitFactory(name="宁波市对外贸易经济合作局", short_name="市外经贸局")
    f.UnitFactory(name="宁波市食品药品监督管理局", short_name="市食品药品监管局")
    f.UserFactory(username="trade_admin", role="unit_admin", unit=trade)
    summary = demo_books.build(committee=world.users.committee)
    brand = ServiceBrand.objects.get(name="千方百计")
    assert brand.unit == trade and brand.recognised_on is not None
    assert ServiceBrand.objects.get(name="吴鹏服务法").recognised_on is not None
    approved = GoodPractice.objects.approved().filter(brand=brand)
    assert 35 <= approved.count() <= 45
    assert approved.values("category_label").distinct().count() >= 4
    book = summary.book
    assert book.title == "宁波企业开拓国际市场100招" and book.entry_count == approved.count()
    assert book.page_count >= book.entry_count + 2
    assert summary.practices == approved.count()


@pytest.mark.parametrize(
    "url",
    [
        "/frontline/practices/",
        "/frontline/practices/new/",
        "/frontline/brands/new/",
        "/frontline/brands/",
        "/frontline/books/",
        "/frontline/books/new/",
    ],
)
def test_the_pages_answer_in_english(world, url):
    from django.conf import settings

    client = client_for(world.users.committee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url).content.decode()
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    # the form's choices are data (unit names); the rest of the page is English
    main = re.sub(r"<select.*?</select>", "", main, flags=re.S)
    assert not re.findall(r"[\u4e00-\u9fff]+", main)
