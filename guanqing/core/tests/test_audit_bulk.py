"""Audit records written in bulk (`audit.build` / `audit.record_many`): signed exactly as one
record at a time, and sealed without hashing them again — yet a record changed between its
insert and its seal is still caught, by the seal and by `audit_verify`."""

from __future__ import annotations

import datetime
import decimal
from unittest import mock

import pytest
from django.db import connection, transaction

from guanqing.core import audit, bulk
from guanqing.core.audit import chain
from guanqing.core.models import AuditEvent
from guanqing.registry.models import Household, Person

CHANGES = [
    {"name": [None, "张三"], "rows": [None, 3], "active": [False, True]},
    {"address": ["旧址", "新址"], "nested": {"a": [1, [2, "三"]]}},
    {"amount": [1.0, 2.5]},  # floats: a whole one is signed as an int
    {"pair": (None, "元组")},  # a tuple is signed as a list
    {1: [None, "数字键"]},  # a key that is not a string is signed as one
    {"price": [None, str(decimal.Decimal("1.50"))], "when": [None, "2026-01-02"]},
    {},
]


def events(actor) -> list[AuditEvent]:
    return [
        audit.build(
            actor=actor,
            action="update",
            object_type="registry.unit",
            object_id=n + 1,
            object_repr=f"单位 {n}",
            changes=changes,
            message="批量",
        )
        for n, changes in enumerate(CHANGES)
    ]


@pytest.mark.django_db
def test_records_written_together_carry_the_hash_one_record_would(world):
    written = audit.record_many(events(world.users.committee))
    for event in written:
        stored = AuditEvent._base_manager.get(pk=event.pk)
        assert stored.content_hmac == chain.content_hmac(chain.content_of(stored))
        alone = AuditEvent(**{f.attname: getattr(stored, f.attname) for f in stored._meta.fields})
        alone.content_hmac = ""
        alone.stamp()  # how AuditEvent.save() signs a record
        assert alone.content_hmac == stored.content_hmac
    assert written[0].actor == world.users.committee


@pytest.mark.django_db(transaction=True)
def test_the_seal_does_not_hash_records_written_in_bulk_again(world):
    with transaction.atomic():
        audit.record_many(events(world.users.committee))
    # sealed on commit; once more to be sure nothing is left over
    with mock.patch.object(chain, "content_of", wraps=chain.content_of) as content_of:
        result = chain.seal()
    assert result.sealed == 0 and content_of.call_count == 0
    assert not AuditEvent._base_manager.filter(seq__isnull=True).exists()
    report = chain.verify()
    assert report.ok, [chain.describe_problem(p) for p in report.problems]
    assert report.count == len(CHANGES)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_record_changed_before_its_seal_is_still_caught(world, caplog):
    # sealed by hand below
    with mock.patch.object(chain, "seal_after_commit"), transaction.atomic():
        written = audit.record_many(events(world.users.committee))
    target = written[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE id = %s",
            ["改过的", target.pk],
        )
    with caplog.at_level("ERROR", logger="guanqing.audit.chain"):
        result = chain.seal()
    assert result.sealed == len(CHANGES)
    assert result.mismatched == [target.pk]
    assert f"id={target.pk}" in caplog.text
    report = chain.verify()
    assert [problem.event_id for problem in report.problems] == [target.pk]


@pytest.mark.django_db(transaction=True)
def test_records_another_writer_added_are_hashed_as_before(world):
    with mock.patch.object(chain, "seal_after_commit"):
        with transaction.atomic():
            audit.record_many(events(world.users.committee))
        with transaction.atomic():
            one = audit.record(actor=world.users.committee, action="login", object_repr="x")
    with mock.patch.object(chain, "content_of", wraps=chain.content_of) as content_of:
        result = chain.seal()
    assert result.sealed == len(CHANGES) + 1 and not result.mismatched
    assert [call.args[0].pk for call in content_of.call_args_list] == [one.pk]
    assert chain.verify().ok


def test_a_new_instance_holds_the_defaults_a_plain_one_does():
    for model in (Household, Person, AuditEvent):
        fresh, plain = bulk.new(model), model()
        for field in model._meta.concrete_fields:
            ours, theirs = getattr(fresh, field.attname), getattr(plain, field.attname)
            if isinstance(theirs, datetime.datetime):  # a default of "now", taken twice
                assert isinstance(ours, datetime.datetime)
            else:
                assert ours == theirs, field.name
        assert fresh._state.adding and fresh.pk is None
