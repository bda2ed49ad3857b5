"""`core/lifecycle.py`: a lifecycle table made for these tests (no database)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role

STATES = [
    ("pending", "待审核"),
    ("published", "已发布"),
    ("done", "已完成"),
    ("closed", "已关闭"),
]

FLOW = Lifecycle(
    "coretest",
    [
        Step("approve", {"pending"}, "published", roles={Role.COMMITTEE}, label="审核通过"),
        Step("claim", {"published"}, None, roles={Role.MEMBER}, label="认领"),
        Step("finish", {"published"}, "done", roles={Role.MEMBER, Role.COMMITTEE}),
        Step(
            "close",
            {"pending", "published"},
            "closed",
            roles={"committee", "community_worker"},
            label="关闭",
        ),
    ],
    states=STATES,
)


def as_role(role: Role):
    return SimpleNamespace(role=role)


def test_target_follows_the_table_and_a_none_target_keeps_the_state():
    assert FLOW.target("pending", "approve") == "published"
    assert FLOW.target("published", "claim") == "published"
    assert FLOW.target("published", "close") == "closed"
    assert FLOW.target("pending", "close") == "closed"


def test_target_refuses_a_move_the_table_does_not_have():
    with pytest.raises(ValueError, match="'approve' is not allowed from 'done'"):
        FLOW.target("done", "approve")


def test_an_unknown_action_is_a_lookup_error():
    with pytest.raises(LookupError, match="no action 'publish'"):
        FLOW.step("publish")
    with pytest.raises(LookupError):
        FLOW.can("pending", "publish")


def test_can_reads_state_and_role():
    assert FLOW.can("pending", "approve")
    assert not FLOW.can("published", "approve")
    assert FLOW.can("pending", "approve", as_role(Role.COMMITTEE))
    assert not FLOW.can("pending", "approve", as_role(Role.MEMBER))
    assert not FLOW.can("pending", "approve", SimpleNamespace())  # no role at all


def test_check_passes_when_the_state_allows_the_action():
    FLOW.check("pending", "approve")
    FLOW.check("published", "claim", field="wish")


def test_check_names_the_state_label_and_the_action_label_under_the_field():
    with pytest.raises(ValidationError) as error:
        FLOW.check("done", "approve")
    assert error.value.message_dict == {"status": ["当前状态为“已完成”，不能审核通过"]}

    with pytest.raises(ValidationError) as error:
        FLOW.check("closed", "claim", field="wish")
    assert list(error.value.message_dict) == ["wish"]
    assert error.value.message_dict["wish"] == ["当前状态为“已关闭”，不能认领"]


def test_check_falls_back_to_the_action_name_and_takes_a_given_message():
    with pytest.raises(ValidationError) as error:
        FLOW.check("pending", "finish")
    assert error.value.message_dict == {"status": ["当前状态为“待审核”，不能finish"]}

    with pytest.raises(ValidationError) as error:
        FLOW.check("pending", "finish", message="尚未发布")
    assert error.value.message_dict == {"status": ["尚未发布"]}


def test_actions_are_the_buttons_of_a_role_in_the_table_order():
    assert [s.action for s in FLOW.actions("published", as_role(Role.MEMBER))] == [
        "claim",
        "finish",
    ]
    assert [s.action for s in FLOW.actions("published", as_role(Role.COMMITTEE))] == [
        "finish",
        "close",
    ]
    assert [s.action for s in FLOW.actions("pending", as_role(Role.COMMITTEE))] == [
        "approve",
        "close",
    ]
    assert [s.action for s in FLOW.actions("pending", as_role(Role.COMMUNITY_WORKER))] == ["close"]
    assert FLOW.actions("done", as_role(Role.COMMITTEE)) == []
    assert FLOW.actions("published", as_role(Role.AUDIT_ADMIN)) == []


def test_step_roles_are_roles_and_sources_a_frozenset():
    step = FLOW.step("close")
    assert step.roles == frozenset({Role.COMMITTEE, Role.COMMUNITY_WORKER})
    assert step.sources == frozenset({"pending", "published"})
    with pytest.raises(ValueError):
        Step("x", {"pending"}, None, roles={"chairman"})


def test_table_lists_every_cell():
    assert FLOW.table() == [
        ("pending", "approve", "published", frozenset({Role.COMMITTEE})),
        ("published", "claim", "published", frozenset({Role.MEMBER})),
        ("published", "finish", "done", frozenset({Role.MEMBER, Role.COMMITTEE})),
        ("pending", "close", "closed", frozenset({Role.COMMITTEE, Role.COMMUNITY_WORKER})),
        ("published", "close", "closed", frozenset({Role.COMMITTEE, Role.COMMUNITY_WORKER})),
    ]


def test_an_action_that_appears_twice_is_refused():
    with pytest.raises(ValueError, match="action 'approve' appears twice"):
        Lifecycle(
            "twice",
            [
                Step("approve", {"pending"}, "published", roles={Role.COMMITTEE}),
                Step("approve", {"published"}, "done", roles={Role.COMMITTEE}),
            ],
            states=STATES,
        )


@pytest.mark.parametrize(
    "step",
    [
        Step("approve", {"pendng"}, "published", roles={Role.COMMITTEE}),  # unknown source
        Step("approve", {"pending"}, "publishd", roles={Role.COMMITTEE}),  # unknown target
    ],
)
def test_an_unknown_state_is_refused(step):
    with pytest.raises(ValueError, match="unknown states"):
        Lifecycle("typo", [step], states=STATES)
