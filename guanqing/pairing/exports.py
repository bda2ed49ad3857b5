"""The visits of a filter as an Excel workbook (走访记录导出): every row of the filtered set, in a
fixed number of queries, money as numbers in 元, text cells kept as text (never a formula)."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from guanqing.core import excel
from guanqing.core.excel import ColumnSpec
from guanqing.pairing.choices import SupportKind
from guanqing.pairing.models import VISIT_KIND_FIELDS, Visit

TITLE = "走访记录"
COLUMNS = [
    ColumnSpec("日期", width=12),
    ColumnSpec("困难家庭", width=12),
    ColumnSpec("社区", width=16),
    ColumnSpec("责任单位", width=18),
    ColumnSpec("类型", width=12),
    ColumnSpec("参加党员", width=18),
    ColumnSpec("慰问金(元)", width=12),
    ColumnSpec("慰问物品", width=20),
    ColumnSpec("物品折价(元)", width=12),
    ColumnSpec("扶持方式", width=10),
    ColumnSpec("扶持说明", width=24),
    ColumnSpec("走访记录", width=40),
    ColumnSpec("记录人", width=10),
    ColumnSpec("记录时间", width=18),
]
HEADERS = [column.header for column in COLUMNS]


FIELDS = [
    "pk",
    "date",
    "pairing__household__head_name",
    "pairing__household__community__name",
    "pairing__unit__name",
    *VISIT_KIND_FIELDS,
    "cash_amount",
    "in_kind_items",
    "in_kind_value",
    "support_kind",
    "support_note",
    "notes",
    "recorded_by__display_name",
    "recorded_by__username",
    "recorded_at",
]


def _participants(visits) -> dict[int, list[str]]:
    """{visit id: participant names}: one query for the whole set."""
    names: dict[int, list[str]] = defaultdict(list)
    through = (
        Visit.participants.through.objects.filter(visit_id__in=visits.order_by().values("pk"))
        .order_by("visit_id", "member__name", "member_id")
        .values_list("visit_id", "member__name")
    )
    for visit_id, name in through.iterator(chunk_size=5000):
        names[visit_id].append(name)
    return names


def visit_rows(visits) -> list[list[object]]:
    """The rows of `visits` (scoped and filtered), in its order: two queries, plain values (no
    model instances: an export of the whole city is ten thousand visits and more)."""
    kind_labels = {
        name: str(Visit._meta.get_field(name).verbose_name) for name in VISIT_KIND_FIELDS
    }
    support_labels = {value: str(label) for value, label in SupportKind.choices}
    participants = _participants(visits)
    rows = []
    for v in visits.values(*FIELDS).iterator(chunk_size=5000):
        recorded_at = timezone.localtime(v["recorded_at"]).replace(tzinfo=None, microsecond=0)
        support = v["support_kind"]
        rows.append(
            [
                v["date"],
                f"{v['pairing__household__head_name']}户",
                v["pairing__household__community__name"],
                v["pairing__unit__name"],
                "、".join(kind_labels[name] for name in VISIT_KIND_FIELDS if v[name]),
                "、".join(participants.get(v["pk"], ())),
                v["cash_amount"],
                v["in_kind_items"],
                v["in_kind_value"],
                "" if support == SupportKind.NONE else support_labels.get(support, support),
                v["support_note"],
                v["notes"],
                v["recorded_by__display_name"] or v["recorded_by__username"],
                recorded_at,
            ]
        )
    return rows


def visits_workbook(visits) -> tuple[bytes, int]:
    """(the .xlsx bytes, the number of visits) for `visits`, a scoped and filtered queryset.
    Call it with the file language active: the kind and support labels are translated."""
    rows = visit_rows(visits)
    return excel.data_workbook(title=TITLE, columns=COLUMNS, rows=rows), len(rows)
