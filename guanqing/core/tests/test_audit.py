"""The audit log is append-only for everyone, and only the audit administrator reads it."""

from __future__ import annotations

import pytest

from guanqing.core import audit
from guanqing.core.context import RequestInfo, reset_request_info, set_request_info
from guanqing.core.models import AppendOnlyError, AuditEvent

ROLES = [
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]


@pytest.fixture
def event(world):
    return audit.record(
        actor=world.users.committee,
        action="update",
        obj=world.household,
        changes={"phone": ["13800000000", "13900000000"]},
    )


def test_an_event_cannot_be_saved_again(event):
    event.message = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).message == ""


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(message="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).message == ""


@pytest.mark.parametrize("role", ROLES)
def test_only_the_audit_admin_reads_the_log(world, event, role):
    visible = AuditEvent.objects.visible_to(getattr(world.users, role))
    assert list(visible) == ([event] if role == "audit_admin" else [])


def test_a_disabled_audit_admin_reads_nothing(world, event):
    admin = world.users.audit_admin
    admin.is_active = False
    assert list(AuditEvent.objects.visible_to(admin)) == []


def test_record_keeps_actor_object_changes_and_ip(world):
    token = set_request_info(RequestInfo(ip_address="192.168.5.6"))
    try:
        event = audit.record(
            actor=world.users.community_worker,
            action="update",
            obj=world.person,
            root=world.household,
            changes={"name": ["张小宝", "张宝"]},
        )
    finally:
        reset_request_info(token)
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_username == "community_worker"
    assert (event.object_type, event.object_id) == ("registry.person", str(world.person.pk))
    assert (event.root_type, event.root_id) == ("registry.household", str(world.household.pk))
    assert event.changes == {"name": ["张小宝", "张宝"]}
    assert event.ip_address == "192.168.5.6"


def test_unknown_actions_are_refused(world):
    with pytest.raises(ValueError):
        audit.record(actor=world.users.committee, action="rewrite_history")
