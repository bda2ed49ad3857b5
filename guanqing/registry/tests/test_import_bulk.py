"""New households of an Excel import are written in bulk: the same rows and audit records as one
by one, nothing written when any row is refused, a bounded number of queries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from guanqing.core.audit import chain
from guanqing.core.excel import read_sheet
from guanqing.core.models import AuditEvent
from guanqing.registry import services
from guanqing.registry.imports import IMPORTERS, Importer, import_sheet
from guanqing.registry.models import Household, Person
from guanqing.registry.tests.excel_helpers import (
    HOUSEHOLD_HEADERS,
    bad_checksum,
    household_row,
    xlsx_bytes,
)
from guanqing.testing import factories as f
from guanqing.testing.idnumbers import make_id_number

ID_COLUMN = "身份证号码"


def number(n: int) -> str:
    """Distinct, checksum-valid ID numbers for files of thousands of rows."""
    return make_id_number("330203", datetime.date(1984, 1, 1) + datetime.timedelta(n // 1000), n)


def rows(count: int, code: str, **changes_at) -> list[list[object]]:
    """`count` households; changes_at maps an Excel row number ("r3") to its changed cells."""
    data = []
    for n in range(count):
        changes = {ID_COLUMN: number(n), "联系电话": f"139{n:08d}"}
        changes.update(changes_at.get(f"r{n + 2}", {}))
        data.append(household_row(n, code, **changes))
    return data


def sheet_of(data):
    return read_sheet(io.BytesIO(xlsx_bytes(HOUSEHOLD_HEADERS, data)))


def run_import(actor, data):
    return import_sheet(actor=actor, kind="households", sheet=sheet_of(data), file_name="f.xlsx")


def written_state() -> dict:
    """What an import wrote, with database ids replaced by the ID number of the household."""
    households = Household.objects.filter(head_name__startswith="导入户主").order_by("pk")
    by_pk = {h.pk: h.id_number for h in households}
    people = Person.objects.filter(household__in=households).order_by("pk")
    person_key = {p.pk: p.id_number for p in people}
    fields = services.HOUSEHOLD_FIELDS + ["id_number_hash"]
    events = AuditEvent.objects.filter(
        root_type="registry.household", root_id__in=[str(pk) for pk in by_pk]
    ).order_by("pk")
    return {
        "households": [
            (h.id_number, {name: getattr(h, name) for name in fields}) for h in households
        ],
        "people": [
            (by_pk[p.household_id], p.name, p.relation, p.gender, p.birth_date, p.id_number)
            for p in people
        ],
        "events": [
            (
                e.action,
                e.object_type,
                by_pk.get(int(e.object_id)) if e.object_type == "registry.household" else None,
                person_key.get(int(e.object_id)) if e.object_type == "registry.person" else None,
                e.object_repr,
                e.root_type,
                by_pk[int(e.root_id)],
                e.changes,
                e.actor_username,
                e.message,
            )
            for e in events
        ],
    }


def test_bulk_writes_the_same_households_people_and_audit_records_as_one_by_one(world):
    data = rows(6, world.community.code, r4={"性别": "女"}, r5={"联系电话": "0574-87654321"})
    importer = IMPORTERS["households"](world.users.committee)
    plans = importer.check(sheet_of(data))
    assert importer.errors == []

    with transaction.atomic():
        assert Importer.write(importer, plans) == (6, 0, 0)  # one service call per row
        one_by_one = written_state()
        transaction.set_rollback(True)
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()

    importer = IMPORTERS["households"](world.users.committee)
    plans = importer.check(sheet_of(data))
    with transaction.atomic():
        assert importer.write(plans) == (6, 0, 0)
    in_bulk = written_state()

    assert len(in_bulk["households"]) == 6 and len(in_bulk["people"]) == 6
    assert len(in_bulk["events"]) == 12  # the household, then its head, for each row
    assert in_bulk == one_by_one
    assert in_bulk["events"][0][7]["id_number"] == [None, "330203********" + number(0)[-4:]]


def test_a_file_of_new_and_known_households_creates_and_updates(world):
    known = world.household
    data = rows(3, world.community.code) + [
        household_row(99, world.community.code, **{ID_COLUMN: known.id_number, "住址": "新地址"})
    ]
    result = run_import(world.users.committee, data)
    assert result.errors == []
    assert (result.created, result.updated) == (3, 1)
    known.refresh_from_db()
    assert known.address == "新地址"
    created = Household.objects.filter(head_name__startswith="导入户主").exclude(pk=known.pk)
    assert Person.objects.filter(household__in=created, relation="head").count() == 3


@pytest.mark.parametrize(
    ("changes", "bad_row", "column", "reason"),
    [
        # found by the check of the file (first pass)
        ({"r3": {ID_COLUMN: bad_checksum(number(1))}}, 3, ID_COLUMN, "身份证号码校验位错误"),
        ({"r2400": {ID_COLUMN: number(5)}}, 2400, ID_COLUMN, "与第 7 行的身份证号码重复"),
        # refused by the household service while writing (second pass): the landline rule is
        # stricter than the cell's, and the rows before it were already inserted in bulk
        ({"r2400": {"联系电话": "0574-0123456"}}, 2400, "联系电话", "联系电话应为"),
    ],
)
def test_one_bad_row_of_2500_writes_nothing_and_is_named(world, changes, bad_row, column, reason):
    households, people, events = (
        Household.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.count(),
    )
    result = run_import(world.users.committee, rows(2500, world.community.code, **changes))

    assert [(e.row, e.column) for e in result.errors] == [(bad_row, column)]
    assert result.errors[0].reason.startswith(reason)
    assert result.created == 0
    assert Household.objects.count() == households
    assert Person.objects.count() == people
    assert AuditEvent.objects.count() == events


def test_an_id_number_the_database_holds_writes_nothing_and_is_named(world):
    # A household of another community: the community worker may not take it over (first pass).
    worker = world.users.community_worker
    data = rows(5, world.community.code, r4={ID_COLUMN: world.other_household.id_number})
    result = run_import(worker, data)
    assert [(e.row, e.column) for e in result.errors] == [(4, ID_COLUMN)]
    assert "权限范围以外" in result.errors[0].reason

    # A person of a household already holds the number: only the write finds it (second pass).
    person = f.PersonFactory(household=world.household, name="张小英")
    person.set_id_number(number(7000))
    person.save()
    data = rows(1500, world.community.code, r1200={ID_COLUMN: number(7000)})
    result = run_import(world.users.committee, data)
    assert [(e.row, e.column) for e in result.errors] == [(1200, ID_COLUMN)]
    assert result.errors[0].reason.startswith("该身份证号码已登记")
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_the_service_lists_every_refused_row_and_writes_none(world):
    good = {"community": world.community, "head_name": "甲", "category": "other"}
    arguments = [
        (2, {**good, "id_number": number(1)}),
        (3, {**good, "id_number": bad_checksum(number(2))}),
        (4, {**good, "id_number": number(1)}),  # the same number twice
        (5, {**good, "id_number": number(3), "head_name": "\u200b"}),
        (6, {**good, "id_number": number(4), "community": world.street}),
    ]
    with pytest.raises(services.RowsInvalid) as caught:
        services.households_bulk_create(actor=world.users.committee, rows=arguments)
    refused = {key: error.message_dict for key, error in caught.value.rows}
    assert set(refused) == {3, 4, 5, 6}
    assert refused[3] == {"id_number": ["身份证号码校验位错误"]}
    assert refused[4] == {"id_number": ["该身份证号码已登记"]}
    assert set(refused[5]) == {"head_name"}
    assert refused[6] == {"community": ["应选择社区/村一级"]}
    assert not Household.objects.filter(head_name="甲").exists()


def test_the_audit_chain_verifies_after_a_bulk_import(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(world.users.committee, rows(1200, world.community.code))
    assert result.created == 1200
    assert not AuditEvent._base_manager.filter(seal__isnull=True).exists()  # sealed on commit
    report = chain.verify()
    assert report.ok, [chain.describe_problem(p) for p in report.problems]
    assert report.count == AuditEvent.objects.count()


def test_the_counts_stay_right_after_a_bulk_import(world):
    # Counts are kept by database triggers (core/counters.py), which a bulk insert fires as any
    # insert does: the households of each community among them.
    from guanqing.core import counters
    from guanqing.registry import counts

    before = counters.by_group(counts.HOUSEHOLDS_BY_COMMUNITY).get(world.community.pk, 0)
    result = run_import(world.users.committee, rows(300, world.community.code))
    assert result.created == 300
    for counter in counters.counters():
        assert counters.differences(counter) == []
    after = counters.by_group(counts.HOUSEHOLDS_BY_COMMUNITY)[world.community.pk]
    assert after == before + 300


def _write_queries(world, count: int) -> int:
    Household.objects.filter(head_name__startswith="导入户主").delete()
    importer = IMPORTERS["households"](world.users.committee)
    plans = importer.check(sheet_of(rows(count, world.community.code)))
    assert importer.errors == []
    with CaptureQueriesContext(connection) as writing, transaction.atomic():
        assert importer.write(plans)[0] == count
    return len(writing)


def test_importing_new_households_takes_the_same_queries_for_200_as_for_1000_rows(world):
    small = _write_queries(world, 200)
    # PostgreSQL reads back the audit records' row versions, for the seal after the commit, and
    # sets the planner to look ID numbers up by index (and back)
    assert small <= (15 if connection.vendor == "postgresql" else 12)
    assert _write_queries(world, 1000) == small
    # beyond one batch, a constant number more for each further batch of 1,000
    assert _write_queries(world, 2500) <= 3 * small
