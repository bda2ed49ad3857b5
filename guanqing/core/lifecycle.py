"""A record's lifecycle as a table: state × action → new state, and who may take the action.

An app with a lifecycle writes it once in its `rules.py`:

    WISH = Lifecycle("wish", [
        Step("approve", {PENDING}, PUBLISHED, roles={COMMITTEE, COMMUNITY_WORKER}),
        Step("claim", {PUBLISHED}, PUBLISHED, roles={MEMBER}),
        …
    ])

and everything that moves a record reads it: the services (`WISH.check(state, "approve", user)`
raises the step's message when the state does not allow it), the pages (`WISH.actions(state, user)`
decides which buttons appear), the demo (it walks records through `WISH.target`) and the tests
(which check every cell of the table against the services). A step may have the same source and
target state (claiming keeps a wish published until it is full); conditions that are not a matter of
state (capacity, a deadline, "not your own wish") stay in the service next to the check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from guanqing.core.roles import Role

NOT_NOW = gettext_lazy("当前状态为“%(state)s”，不能%(action)s")


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (or depends on more than the table says)
    roles: frozenset[Role]
    label: str = ""  # what the button says, e.g. "审核通过"

    def __init__(self, action, sources, target, *, roles, label=""):
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "roles", frozenset(Role(r) for r in roles))
        object.__setattr__(self, "label", label)


class Lifecycle:
    def __init__(self, name: str, steps: Iterable[Step], *, states: Iterable[tuple[str, str]]):
        """`states` are the model's choices (value, label), so messages can name a state."""
        self.name = name
        self.steps: dict[str, Step] = {}
        for step in steps:
            if step.action in self.steps:
                raise ValueError(f"{name}: action {step.action!r} appears twice")
            self.steps[step.action] = step
        self.labels = dict(states)
        unknown = {
            state
            for step in self.steps.values()
            for state in (*step.sources, step.target)
            if state is not None and state not in self.labels
        }
        if unknown:
            raise ValueError(f"{name}: unknown states {sorted(unknown)}")

    def step(self, action: str) -> Step:
        try:
            return self.steps[action]
        except KeyError:
            raise LookupError(f"{self.name} has no action {action!r}") from None

    def can(self, state: str, action: str, user=None) -> bool:
        """The table allows `action` from `state` (and for `user`'s role, when a user is given)."""
        step = self.step(action)
        if state not in step.sources:
            return False
        return user is None or getattr(user, "role", None) in step.roles

    def target(self, state: str, action: str) -> str:
        """The state `action` leads to from `state` (ValueError if the table has no such move)."""
        step = self.step(action)
        if state not in step.sources:
            raise ValueError(f"{self.name}: {action!r} is not allowed from {state!r}")
        return state if step.target is None else step.target

    def check(self, state: str, action: str, *, field: str = "status", message=None) -> None:
        """Raise ValidationError under `field` when the state does not allow `action`."""
        step = self.step(action)
        if state not in step.sources:
            text = message or NOT_NOW % {
                "state": self.labels.get(state, state),
                "action": step.label or action,
            }
            raise ValidationError({field: [text]})

    def actions(self, state: str, user) -> list[Step]:
        """The steps `user` may take from `state`, in the table's order (for the buttons)."""
        return [step for step in self.steps.values() if self.can(state, step.action, user)]

    def table(self) -> list[tuple[str, str, str | None, frozenset[Role]]]:
        """Every cell (state, action, target, roles): for the documentation and the tests."""
        return [
            (state, step.action, step.target or state, step.roles)
            for step in self.steps.values()
            for state in sorted(step.sources)
        ]
