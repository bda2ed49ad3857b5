"""The read/write interface other work methods use to reach the problem loop (listed by name in
.importlinter's work-methods-independent contract). Nothing else of frontline is theirs to import.

- `raise_problem(*, actor, village, title, description, category_code=None) -> (id, public_id)`:
  a problem enters the loop through `services.problem_report`, source 农村工作指导员
  (`ProblemSource.INSTRUCTOR`), located in `village` (a registry Division). The category is the
  active one with `category_code`, or without a code the first active category of the catalogue.
  The service's rules apply unchanged: its role check (`frontline.problem_report`), its
  validation (errors under `title`, `description`, `category`), its deadline and audit record.
- `problem_counts(ids) -> {id: (state, solved)}`: the current state of each problem (missing ids
  left out) and whether it is solved — closed, or merged into a master that is closed. One query.
- `categories() -> [(code, name)]`: the active categories, for a form's choices.
- `state_labels() -> {state: label}`: how the loop names its states, in the active language.
- `may_raise(user) -> bool`: whether frontline's access table lets `user` report a problem
  (`frontline.problem_report`), so a page offers the action only to those it will accept.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanqing.frontline import services
from guanqing.frontline.access import access
from guanqing.frontline.choices import ProblemSource, ProblemState
from guanqing.frontline.models import Problem, ProblemCategory


def _category(code: str | None) -> ProblemCategory:
    active = ProblemCategory.objects.filter(is_active=True)
    row = (
        active.filter(code=code).first() if code else active.order_by("sort_order", "code").first()
    )
    if row is None:
        raise ValidationError({"category": [_("请选择在用的难题类别")]})
    return row


def raise_problem(
    *, actor, village, title, description, category_code: str | None = None
) -> tuple[int, str]:
    """受理 a problem an instructor raises in its village; returns its (id, public_id)."""
    problem = services.problem_report(
        actor=actor,
        source=ProblemSource.INSTRUCTOR,
        category=_category(category_code),
        title=title,
        description=description,
        division=village,
    )
    return problem.pk, problem.public_id


def problem_counts(ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """{id: (state, solved)} of the problems `ids`."""
    ids = list(ids)
    if not ids:
        return {}
    rows = Problem.objects.filter(pk__in=ids).values_list("pk", "state", "master__state")
    return {
        pk: (
            state,
            state == ProblemState.CLOSED
            or (state == ProblemState.MERGED and master_state == ProblemState.CLOSED),
        )
        for pk, state, master_state in rows
    }


def categories() -> list[tuple[str, str]]:
    """(code, name) of the active categories, in the catalogue's order."""
    return list(
        ProblemCategory.objects.filter(is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", "name")
    )


def state_labels() -> dict[str, str]:
    """{state: label} of the problem states, in the active language."""
    return {value: str(label) for value, label in ProblemState.choices}


def may_raise(user) -> bool:
    """Whether `user`'s role may report a problem into the loop."""
    return access.allows(user, "instructor_report")
