"""Audit records written in bulk (`audit.build` / `audit.record_many`): signed exactly as one
record at a time, and sealed without hashing them again — yet a record changed between its
insert and its seal is still caught, by the seal and by `audit_verify`."""

from __future__ import annotations

import datetime
import decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from guanqing.core import audit, bulk
from guanqing.core.audit import chain
from guanqing.core.models import AuditEvent
from guanqing.registry.models import Household, Person
from guanqing.testing import factories as f

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
    assert not AuditEvent._base_manager.filter(seal__isnull=True).exists()
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


_TRICKY = st.sampled_from(['"changes":0', ',"changes":0,', '\\",\\"changes\\":0,', "换行\n", ""])


@given(
    action=st.one_of(_TRICKY, st.text(max_size=20)),
    username=st.one_of(_TRICKY, st.text(max_size=20)),
    actor_id=st.one_of(st.none(), st.integers(min_value=0, max_value=2**63)),
    repr_=st.one_of(_TRICKY, st.text(max_size=40)),
    changes=st.dictionaries(
        st.one_of(_TRICKY, st.text(max_size=10)),
        st.lists(st.one_of(st.none(), _TRICKY, st.text(max_size=10), st.integers()), max_size=2),
        max_size=4,
    ),
)
def test_changes_encoded_once_sign_as_the_whole_record_does(
    action, username, actor_id, repr_, changes
):
    content = {
        "at": "2026-12-05T01:02:03.000000+00:00",
        "actor_id": actor_id,
        "actor_username": username,
        "action": action,
        "object_type": "registry.unit",
        "object_id": "7",
        "object_repr": repr_,
        "root_type": "registry.unit",
        "root_id": "7",
        "changes": changes,
        "message": repr_,
        "ip_address": None,
    }
    assert chain.content_hmac_with(content, chain.signed_json(changes)) == chain.content_hmac(
        content
    )


@pytest.mark.django_db
def test_an_unsaved_related_object_is_refused_as_django_refuses_it(world):
    person = bulk.new(Person)
    person.name, person.relation = "张三", "head"
    person.household = Household(head_name="未保存")
    with pytest.raises(ValueError, match="unsaved related object 'household'"):
        bulk.insert(Person, [person])
    assert not Person.objects.filter(name="张三").exists()


@pytest.mark.django_db
def test_a_related_object_saved_after_it_was_assigned_gives_its_id(world):
    household = f.HouseholdFactory.build(community=world.community)
    person = bulk.new(Person)
    person.name, person.relation = "李四", "spouse"
    person.household = household  # before the household has its id
    household.save()
    bulk.insert(Person, [person])
    assert Person.objects.get(pk=person.pk).household_id == household.pk


@pytest.mark.django_db
def test_encoded_values_must_be_one_per_object(world):
    with pytest.raises(ValueError, match="one per object"):
        bulk.insert(AuditEvent, events(world.users.committee), encoded={"changes": ["{}"]})
    assert not AuditEvent.objects.filter(message="批量").exists()
