"""Test records of the service window: windows, catalogue matters with their current version and
materials, and cases moved through the services (so their clock, events and audit are real).

Rows of the catalogue are written directly (fast fixtures); cases go through `services`.
"""

from __future__ import annotations

import datetime
import itertools
from types import SimpleNamespace

from stdnum.cn import uscc

from guanqing.testing import factories as f
from guanqing.testing.idnumbers import make_id_number
from guanqing.window import services
from guanqing.window.choices import ApplicantKind, MaterialForm, MatterKind
from guanqing.window.models import ApprovalItem, Material, Matter, MatterVersion, Window

_seq = itertools.count(1)

# A Wednesday inside the official calendar (the `pinned_today` day); around it: 劳动节 2026 is
# May 1–5 off with Saturday May 9 worked in lieu.
TODAY = datetime.date(2026, 5, 13)
PHONE = "13805741234"


def id_number(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return make_id_number("330203", datetime.date(1970, 1, 1) + datetime.timedelta(days=n), n)


def credit_code(n: int | None = None) -> str:
    """A checksum-valid 统一社会信用代码 (Ningbo region 330200)."""
    n = next(_seq) if n is None else n
    body = f"91330200MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def window(*, unit=None, clerks=(), name=None, **kwargs) -> Window:
    unit = unit or f.UnitFactory()
    row = Window.objects.create(unit=unit, name=name or f"窗口{next(_seq)}", **kwargs)
    if clerks:
        row.clerks.set(clerks)
    return row


def clerk(*windows, username=None, **kwargs):
    user = f.UserFactory(username=username or f"clerk{next(_seq)}", role="window_clerk", **kwargs)
    for w in windows:
        w.clerks.add(user)
    return user


def matter(
    *,
    unit,
    promised: int = 5,
    statutory: int = 20,
    kind: str = MatterKind.PROMISED,
    materials=(("申请书", False), ("营业执照复印件", True), ("场所平面图", True)),
    name: str | None = None,
    valid_from: datetime.date = datetime.date(2020, 1, 1),
) -> Matter:
    """A published matter: its item, its current version (`matter.current`) and the materials
    (name, deferrable) of that version."""
    n = next(_seq)
    item = ApprovalItem.objects.create(unit=unit, code=f"ITEM{n:05d}", name=f"审批事项{n}")
    row = Matter.objects.create(item=item, code=f"M{n:05d}", name=name or f"食品经营许可{n}")
    version = MatterVersion.objects.create(
        matter=row,
        number=1,
        kind=kind,
        statutory_workdays=statutory,
        promised_workdays=promised,
        valid_from=valid_from,
    )
    for order, (material_name, deferrable) in enumerate(materials):
        Material.objects.create(
            version=version,
            name=material_name,
            form=MaterialForm.COPY if deferrable else MaterialForm.ORIGINAL,
            deferrable=deferrable,
            sort_order=order,
        )
    row.current = version
    row.save(update_fields=["current"])
    return row


def applicant(kind: str = ApplicantKind.PERSON, **overrides) -> dict:
    """The applicant's fields as the services take them."""
    data = {
        "applicant_kind": kind,
        "applicant_name": "王小明" if kind == ApplicantKind.PERSON else "宁波甬味餐饮有限公司",
        "applicant_id": id_number() if kind == ApplicantKind.PERSON else credit_code(),
        "applicant_phone": PHONE,
    }
    data.update(overrides)
    return data


def accepted_case(*, actor, window, matter, accepted_on=TODAY, **kwargs):
    data = applicant()
    data.update(kwargs)
    return services.case_accept(
        actor=actor, window=window, matter=matter, accepted_on=accepted_on, **data
    )


def correction_case(*, actor, window, matter, received_on=TODAY, missing=("申请书未签字",), **kw):
    data = applicant()
    data.update(kw)
    return services.case_ask_correction(
        actor=actor,
        window=window,
        matter=matter,
        received_on=received_on,
        missing=list(missing),
        **data,
    )


def desk(world) -> SimpleNamespace:
    """Two windows of the world's unit and one of the other unit, each with its clerk; the world's
    window clerk works the first window. A matter of each unit."""
    own = window(unit=world.unit, name="食品药品窗口", clerks=[world.users.window_clerk])
    second = window(unit=world.unit, name="医疗器械窗口")
    other = window(unit=world.other_unit, name="发改窗口")
    return SimpleNamespace(
        window=own,
        second_window=second,
        other_window=other,
        clerk=world.users.window_clerk,
        second_clerk=clerk(second),
        other_clerk=clerk(other),
        matter=matter(unit=world.unit),
        other_matter=matter(unit=world.other_unit),
    )


# --- 好差评 -----------------------------------------------------------------------------------------


def completed_case(*, actor, window, matter, accepted_on=TODAY, completed_on=TODAY, **kwargs):
    """A case accepted and completed (准予许可) by the clerk `actor`: it may be rated from
    `completed_on` until the rating window closes."""
    case = accepted_case(
        actor=actor, window=window, matter=matter, accepted_on=accepted_on, **kwargs
    )
    return services.case_complete(actor=actor, case=case, on=completed_on, outcome="approved")


def option_ids(level: int, question_set=None) -> list[int]:
    """The ids of the (current, when not given) question set's options for `level`."""
    from guanqing.window.models import QuestionSet, RatingOption

    question_set = question_set or QuestionSet.current()
    return list(
        RatingOption.objects.filter(question_set=question_set, level=level)
        .order_by("sort_order", "id")
        .values_list("pk", flat=True)
    )


def kiosk_rating(*, actor, case, level: int, options=(), comment: str = ""):
    """The applicant rates `case` at the rating screen of the clerk `actor`."""
    from guanqing.window import rating_services

    return rating_services.rating_submit_kiosk(
        actor=actor, case=case, level=level, options=options, comment=comment
    )


def bad_rating(*, actor, window, matter, level: int = 1, completed_on=TODAY, **kwargs):
    """A completed case rated 差评 at the window of the clerk `actor` (rated today): its
    follow-up, in state verify."""
    case = completed_case(
        actor=actor,
        window=window,
        matter=matter,
        accepted_on=kwargs.pop("accepted_on", completed_on),
        completed_on=completed_on,
        **kwargs,
    )
    return kiosk_rating(actor=actor, case=case, level=level).follow_up
