"""Excel import: every row checked first, every bad row reported, nothing half-written."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from guanqing.core.models import AuditEvent
from guanqing.registry.models import Household, Member, Unit
from guanqing.registry.tests.excel_helpers import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    UNIT_HEADERS,
    bad_checksum,
    household_row,
    household_sample,
    id_number,
    member_row,
    xlsx_upload,
)
from guanqing.testing import factories as f

URL = "/registry/excel/"


def post_import(client, user, kind, upload):
    client.force_login(user)
    return client.post(URL, {"kind": kind, "file": upload})


def errors_of(response):
    result = response.context["result"]
    assert result is not None, response.content.decode()[:2000]
    return [(e.row, e.column, e.reason) for e in result.errors]


def test_url_is_mounted_in_the_excel_namespace():
    assert reverse("excel:index") == URL


def test_committee_imports_every_row_with_one_audit_row_each_and_a_summary(world, client):
    code = world.community.code
    rows = [household_row(n, code) for n in range(1, 4)]
    before = Household.objects.count()

    response = post_import(
        client, world.users.committee, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    assert response.status_code == 200
    assert errors_of(response) == []
    result = response.context["result"]
    assert (result.created, result.updated, result.total) == (3, 0, 3)
    assert Household.objects.count() == before + 3
    imported = Household.objects.filter(head_name__startswith="导入户主")
    assert {h.category for h in imported} == {"minimum_living"}
    assert {h.id_number for h in imported} == {id_number(n) for n in range(1, 4)}
    creates = AuditEvent.objects.filter(action="create", object_type="registry.household")
    assert creates.count() == 3
    summary = AuditEvent.objects.get(action="import")
    assert summary.actor == world.users.committee
    assert summary.changes["created"] == [None, 3]
    assert summary.changes["file"] == [None, "import.xlsx"]
    content = response.content.decode()
    assert 'id="import-success"' in content
    assert 'id="import-errors"' not in content


def test_one_bad_checksum_writes_nothing_and_names_the_row_and_column(world, client):
    code = world.community.code
    rows = [household_row(n, code) for n in range(1, 5)]
    rows[2][1] = bad_checksum(rows[2][1])  # the fourth line of the sheet
    before = Household.objects.count()
    audit_before = AuditEvent.objects.exclude(action="login").count()

    response = post_import(
        client, world.users.committee, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    errors = errors_of(response)
    assert len(errors) == 1
    row, column, reason = errors[0]
    assert (row, column) == (4, "身份证号码")
    assert "校验位" in reason
    assert Household.objects.count() == before
    assert AuditEvent.objects.exclude(action="login").count() == audit_before
    content = response.content.decode()
    assert '<table id="import-errors"' in content
    assert '<th scope="col" class="num">行</th>' in content
    assert 'data-row="4" data-column="身份证号码"' in content


def test_every_bad_row_is_reported_not_only_the_first(world, client):
    code = world.community.code
    rows = [household_row(n, code) for n in range(1, 5)]
    rows[0][3] = "12345"  # 联系电话
    rows[2][7] = "很困难"  # 困难类别
    rows[3][0] = ""  # 户主姓名

    response = post_import(
        client, world.users.committee, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    errors = {(row, column) for row, column, _ in errors_of(response)}
    assert errors == {(2, "联系电话"), (4, "困难类别"), (5, "户主姓名")}
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()


def test_a_missing_required_column_is_reported_by_its_name(world, client):
    headers = [h for h in HOUSEHOLD_HEADERS if h != "社区/村代码"]
    rows = [
        [
            v
            for h, v in zip(HOUSEHOLD_HEADERS, household_row(1, world.community.code), strict=True)
            if h != "社区/村代码"
        ]
    ]

    response = post_import(client, world.users.committee, "households", xlsx_upload(headers, rows))

    assert errors_of(response) == [(1, "社区/村代码", "缺少必填列")]
    assert not Household.objects.filter(head_name="导入户主1").exists()


def test_community_worker_cannot_import_into_another_community(world, client):
    rows = [
        household_row(1, world.community.code),
        household_row(2, world.other_community.code),
    ]

    response = post_import(
        client, world.users.community_worker, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    errors = errors_of(response)
    assert [(r, c) for r, c, _ in errors] == [(3, "社区/村代码")]
    assert "不是您所在的社区" in errors[0][2]
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()


def test_community_worker_imports_its_own_community(world, client):
    rows = [household_row(1, world.community.code, **{"社区/村": "徐家漕社区"})]

    response = post_import(
        client, world.users.community_worker, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    assert errors_of(response) == []
    assert Household.objects.get(head_name="导入户主1").community == world.community


def test_unknown_community_code_and_a_name_that_does_not_match(world, client):
    rows = [
        household_row(1, "330203001999"),
        household_row(2, world.community.code, **{"社区/村": "别的社区"}),
        household_row(3, "3302030010"),
    ]

    response = post_import(
        client, world.users.committee, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    errors = [(r, c) for r, c, _ in errors_of(response)]
    assert errors == [(2, "社区/村代码"), (3, "社区/村"), (4, "社区/村代码")]


def test_duplicates_within_the_file_name_the_earlier_row(world, client):
    code = world.community.code
    rows = [household_row(1, code), household_row(2, code), household_row(1, code)]

    response = post_import(
        client, world.users.committee, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    errors = errors_of(response)
    assert [(r, c) for r, c, _ in errors] == [(4, "身份证号码")]
    assert "第 2 行" in errors[0][2]
    assert Household.objects.filter(head_name__startswith="导入户主").count() == 0


def test_an_id_number_registered_outside_the_actors_scope_is_a_duplicate(world, client):
    taken = world.other_household.id_number
    rows = [household_row(1, world.community.code, **{"身份证号码": taken})]

    response = post_import(
        client, world.users.community_worker, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    errors = errors_of(response)
    assert [(r, c) for r, c, _ in errors] == [(2, "身份证号码")]
    assert "已登记" in errors[0][2]
    assert world.other_household.head_name not in errors[0][2]  # outside scope: not named
    world.other_household.refresh_from_db()
    assert world.other_household.community == world.other_community


def test_an_id_number_of_a_record_in_scope_updates_that_record(world, client):
    rows = [
        household_row(
            1,
            world.community.code,
            **{"身份证号码": world.household.id_number, "户主姓名": "张国宝", "帮扶需求": "助餐"},
        ),
        household_row(2, world.community.code),
    ]

    response = post_import(
        client, world.users.community_worker, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    result = response.context["result"]
    assert errors_of(response) == []
    assert (result.created, result.updated) == (1, 1)
    world.household.refresh_from_db()
    assert world.household.needs == "助餐"
    update = AuditEvent.objects.get(action="update", object_id=str(world.household.pk))
    assert update.changes["needs"] == ["日常照料", "助餐"]


def test_a_bad_date_names_the_row_and_the_column(world, client):
    rows = [
        member_row(1, "市纪委"),
        member_row(2, "市纪委", **{"入党日期": "2005-13-45"}),
        member_row(3, "市纪委", **{"入党日期": datetime.date(2099, 1, 1)}),
    ]

    response = post_import(
        client, world.users.committee, "members", xlsx_upload(MEMBER_HEADERS, rows)
    )

    errors = errors_of(response)
    assert [(r, c) for r, c, _ in errors] == [(3, "入党日期"), (4, "入党日期")]
    assert "不是有效日期" in errors[0][2]
    assert "不能晚于今天" in errors[1][2]
    assert not Member.objects.filter(name__startswith="导入党员").exists()


def test_committee_imports_members_with_branch_and_home_community(world, client):
    rows = [
        member_row(
            1,
            "市纪委",
            **{"所在支部": "市纪委机关党委", "居住社区代码": world.community.code, "职级": "处级"},
        ),
        member_row(2, "市发改委", **{"入党日期": datetime.datetime(1999, 7, 1), "性别": ""}),
    ]

    response = post_import(
        client, world.users.committee, "members", xlsx_upload(MEMBER_HEADERS, rows)
    )

    assert errors_of(response) == []
    first = Member.objects.get(name="导入党员1")
    assert (first.unit, first.branch, first.home_community, first.rank) == (
        world.unit,
        world.org,
        world.community,
        "division",
    )
    second = Member.objects.get(name="导入党员2")
    assert second.unit == world.other_unit
    assert second.joined_party == datetime.date(1999, 7, 1)


def test_unit_admin_imports_into_its_own_unit_only(world, client):
    headers = [h for h in MEMBER_HEADERS if h != "单位"]
    own = [v for h, v in zip(MEMBER_HEADERS, member_row(1, ""), strict=True) if h != "单位"]
    ok = post_import(client, world.users.unit_admin, "members", xlsx_upload(headers, [own]))
    assert errors_of(ok) == []
    assert Member.objects.get(name="导入党员1").unit == world.unit

    other = post_import(
        client,
        world.users.unit_admin,
        "members",
        xlsx_upload(MEMBER_HEADERS, [member_row(2, "市发改委")]),
    )
    errors = errors_of(other)
    assert [(r, c) for r, c, _ in errors] == [(2, "单位")]
    assert not Member.objects.filter(name="导入党员2").exists()


def test_unit_admin_cannot_take_over_a_member_of_another_unit(world, client):
    row = member_row(1, "市纪委", **{"身份证号码": world.other_member.id_number})

    response = post_import(
        client, world.users.unit_admin, "members", xlsx_upload(MEMBER_HEADERS, [row])
    )

    assert [(r, c) for r, c, _ in errors_of(response)] == [(2, "身份证号码")]
    world.other_member.refresh_from_db()
    assert world.other_member.unit == world.other_unit


def test_committee_imports_units_matching_existing_names_for_update(world, client):
    rows = [
        ["市纪委", "纪委", "11330200002930436X", "宁穿路 2001 号", 3],
        ["市新设局", "", "", "", ""],
    ]

    response = post_import(client, world.users.committee, "units", xlsx_upload(UNIT_HEADERS, rows))

    result = response.context["result"]
    assert errors_of(response) == []
    assert (result.created, result.updated) == (1, 1)
    world.unit.refresh_from_db()
    assert (world.unit.short_name, world.unit.sort_order) == ("纪委", 3)
    assert Unit.objects.filter(name="市新设局").exists()


def test_unit_rows_with_bad_credit_code_sort_order_and_duplicate_name(world, client):
    rows = [
        ["市甲局", "", "11330200002930436Y", "", ""],
        ["市乙局", "", "", "", "第一"],
        ["市甲局", "", "", "", ""],
    ]

    response = post_import(client, world.users.committee, "units", xlsx_upload(UNIT_HEADERS, rows))

    assert [(r, c) for r, c, _ in errors_of(response)] == [
        (2, "统一社会信用代码"),
        (3, "排序"),
        (4, "单位名称"),
    ]
    assert not Unit.objects.filter(name__in=["市甲局", "市乙局"]).exists()


def test_an_id_number_typed_as_a_number_is_refused_with_a_hint(world, client):
    rows = [household_row(1, world.community.code, **{"身份证号码": 3.30203198503090e17})]

    response = post_import(
        client, world.users.committee, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    errors = errors_of(response)
    assert [(r, c) for r, c, _ in errors] == [(2, "身份证号码")]
    assert "文本" in errors[0][2]


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("households.xlsx", b"not a workbook at all")
    response = post_import(client, world.users.committee, "households", upload)

    assert response.status_code == 200
    assert response.context["result"] is None
    assert "无法读取文件" in str(response.context["form"].errors["file"])


def test_empty_rows_are_skipped_and_row_numbers_stay_as_excel_shows_them(world, client):
    code = world.community.code
    bad = household_row(2, code, **{"联系电话": "abc"})
    rows = [household_row(1, code), [None] * len(HOUSEHOLD_HEADERS), bad]

    response = post_import(
        client, world.users.committee, "households", xlsx_upload(HOUSEHOLD_HEADERS, rows)
    )

    assert [(r, c) for r, c, _ in errors_of(response)] == [(4, "联系电话")]
    assert response.context["result"].total == 2


def test_sample_helper_produces_the_documented_bad_row(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = household_sample(world.community.code, rows=3, bad_row=3)
    response = post_import(
        client,
        world.users.community_worker,
        "households",
        SimpleUploadedFile("sample.xlsx", content),
    )

    assert [(r, c) for r, c, _ in errors_of(response)] == [(3, "身份证号码")]


@pytest.mark.parametrize("role", ["member", "window_clerk", "fund_officer", "audit_admin"])
def test_roles_without_import_rights_get_403(world, client, role):
    client.force_login(getattr(world.users, role))
    assert client.get(URL).status_code == 403
    upload = xlsx_upload(HOUSEHOLD_HEADERS, [household_row(1, world.community.code)])
    assert client.post(URL, {"kind": "households", "file": upload}).status_code == 403
    assert not Household.objects.filter(head_name="导入户主1").exists()


def test_a_kind_the_role_may_not_import_is_not_offered(world, client):
    upload = xlsx_upload(HOUSEHOLD_HEADERS, [household_row(1, world.community.code)])
    response = post_import(client, world.users.unit_admin, "households", upload)

    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not Household.objects.filter(head_name="导入户主1").exists()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_factories_id_numbers_do_not_collide_with_helper_numbers(db):
    # The helper's numbers use 1985/1979 birth dates; the factories start at 1950.
    member = f.MemberFactory()
    assert member.id_number not in {id_number(n) for n in range(1, 1000)}


def _import_queries(world, rows: int, phase: str) -> int:
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanqing.core.excel import read_sheet
    from guanqing.registry.imports import IMPORTERS
    from guanqing.registry.models import Division
    from guanqing.registry.tests.excel_helpers import xlsx_bytes

    # one community per row, named in full ("海曙区测试街道…社区"): the check reads its parents
    start = 100 + Division.objects.count()
    communities = [
        f.CommunityFactory(parent=world.street, code=f"330203001{start + n:03d}")
        for n in range(rows)
    ]
    data = [
        household_row(n, c.code, **{"社区/村": f"海曙区测试街道{c.name}"})
        for n, c in enumerate(communities)
    ]
    sheet = read_sheet(io.BytesIO(xlsx_bytes(HOUSEHOLD_HEADERS, data)))
    importer = IMPORTERS["households"](world.users.committee)
    with CaptureQueriesContext(connection) as checking:
        plans = importer.check(sheet)
    assert importer.errors == [] and len(plans) == rows
    with CaptureQueriesContext(connection) as writing:
        importer.write(plans)
    assert importer.errors == []
    return len(checking) if phase == "check" else len(writing)


def test_checking_a_file_looks_divisions_up_with_a_constant_number_of_queries(world):
    small = _import_queries(world, 2, "check")
    # new households again (matched ones are asked about once more: which may be changed)
    Household.objects.filter(head_name__startswith="导入户主").delete()
    assert _import_queries(world, 12, "check") == small


def test_writing_a_row_does_not_walk_the_division_parents_again(world):
    # new households are written in bulk: the same number of queries however many rows the
    # file has (and so none per row to walk the division parents)
    small = _import_queries(world, 2, "write")
    Household.objects.filter(head_name__startswith="导入户主").delete()
    assert _import_queries(world, 6, "write") == small
