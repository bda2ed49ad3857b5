"""Writes of the 金点子, the service brands (党建服务品牌) and the pocket books (口袋书).

- `brand_save` keeps a unit's brand (a unit administrator its own unit's, the committee any);
  `brand_recognise` puts a brand on the committee's list of recognised brands (or takes it off).
- `practice_save` writes a 金点子 (a good practice, or a solved problem written up) as a draft;
  `practice_submit` sends it to the committee, `practice_review` approves or sends it back with a
  note (`PRACTICE`, the table of moves; a move it refuses is a `Conflict`).
- `book_save` keeps a book's definition (the practices chosen, in order, or a filter);
  `book_build` writes its A6 PDF from the current entries — cover, contents by category with page
  numbers, one practice a page — and can be run again whenever an entry changes; `book_excel` is
  the list of its entries as a workbook.

Each runs in one transaction and is audited; refusals are `ValidationError`s under field names.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from guanqing.core import audit, text, uploads
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.excel import ColumnSpec, data_workbook
from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.pdf import html_to_pdf_pages
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.frontline.access import access
from guanqing.frontline.choices import ProblemState
from guanqing.frontline.models import (
    GoodPractice,
    PocketBook,
    PocketBookEntry,
    PracticeState,
    ProblemCategory,
    ServiceBrand,
)
from guanqing.frontline.models import Problem as EnterpriseProblem

DRAFT, SUBMITTED, APPROVED, REJECTED = (
    PracticeState.DRAFT,
    PracticeState.SUBMITTED,
    PracticeState.APPROVED,
    PracticeState.REJECTED,
)
WRITERS = {Role.COMMITTEE, Role.UNIT_ADMIN}

# 金点子: written and submitted by a unit (or the committee), reviewed by the committee; the
# committee may still correct an approved one (the books built from it are then rebuilt).
PRACTICE = Lifecycle(
    "practice",
    [
        Step(
            "edit", {DRAFT, REJECTED}, None, roles=WRITERS, label=pgettext_lazy("practice", "修改")
        ),
        Step(
            "correct",
            {DRAFT, SUBMITTED, REJECTED, APPROVED},
            None,
            roles={Role.COMMITTEE},
            label=pgettext_lazy("practice", "修改"),
        ),
        Step("submit", {DRAFT, REJECTED}, SUBMITTED, roles=WRITERS, label=gettext_lazy("提交审核")),
        Step("approve", {SUBMITTED}, APPROVED, roles={Role.COMMITTEE}, label=gettext_lazy("采用")),
        Step("reject", {SUBMITTED}, REJECTED, roles={Role.COMMITTEE}, label=gettext_lazy("退回")),
    ],
    states=PracticeState.choices,
)

BRAND_FIELDS = [
    "unit",
    "name",
    "slogan",
    "aims",
    "core_ideas",
    "measures",
    "results",
    "is_active",
]
PRACTICE_FIELDS = [
    "unit",
    "brand",
    "title",
    "problem",
    "action",
    "result",
    "category",
    "category_label",
    "tags",
    "source_problem",
    "state",
    "review_note",
    "submitted_on",
    "reviewed_on",
    "reviewed_by",
]
BOOK_FIELDS = ["title", "subtitle", "brand", "filter_brand", "filter_category", "filter_tags"]
LOGO_MAX_BYTES = 2 * 1024 * 1024
OTHER_CATEGORY = gettext_lazy("其他")


def _check_move(state: str, action: str) -> None:
    try:
        PRACTICE.check(state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _text(errors: dict, name: str, value, *, required=None, max_length=None) -> str:
    value = text.strip_edges(value if isinstance(value, str) else "")
    if required is not None and not text.has_visible(value):
        errors.setdefault(name, []).append(required)
    elif max_length is not None and len(value) > max_length:
        errors.setdefault(name, []).append(
            _("最多 %(max)d 个字（当前 %(n)d 个）") % {"max": max_length, "n": len(value)}
        )
    return value


def _unit_for(errors: dict, actor, unit):
    """The unit the actor writes for: a unit administrator only its own."""
    if unit is None:
        errors["unit"] = [_("请选择单位")]
    elif actor.role == Role.UNIT_ADMIN and unit.pk != actor.unit_id:
        errors["unit"] = [_("只能为本单位填写")]
    return unit


def normalize_tags(value) -> str:
    """Tags as stored: separated by commas (full-width and 、 too), trimmed, each once."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    raw = (value or "").replace("，", ",").replace("、", ",").replace(";", ",").replace("；", ",")
    tags: list[str] = []
    for tag in (text.strip_edges(t) for t in raw.split(",")):
        if tag and tag not in tags:
            tags.append(tag)
    return ",".join(tags)


# ---------------------------------------------------------------------------------------------
# Service brands
# ---------------------------------------------------------------------------------------------


def _check_logo(errors: dict, logo):
    if not logo:
        return None
    if logo.size > LOGO_MAX_BYTES:
        errors["logo"] = [_("标识图片不能超过 2 MB")]
        return None
    logo.seek(0)
    kind = uploads.sniff_image(logo.read(16))
    logo.seek(0)
    if kind is None:
        errors["logo"] = [_("标识应为 JPEG、PNG 或 WebP 图片")]
        return None
    return kind


def brand_save(
    *,
    actor,
    brand: ServiceBrand | None = None,
    unit,
    name: str,
    slogan: str = "",
    aims: str = "",
    core_ideas: str = "",
    measures: str = "",
    results: str = "",
    logo=None,
    is_active: bool = True,
) -> ServiceBrand:
    """A new brand of `unit`, or `brand` changed; `logo` (an uploaded image) replaces the old."""
    access.check(actor, "brands_edit")
    with uploads.stored_files() as saved, transaction.atomic():
        if brand is not None:
            brand = lock_in_scope(ServiceBrand.objects.editable_by(actor), brand.pk)
        errors: dict[str, list[str]] = {}
        unit = _unit_for(errors, actor, unit)
        name = _text(errors, "name", name, required=_("请填写品牌名称"), max_length=60)
        slogan = _text(errors, "slogan", slogan, max_length=120)
        kind = _check_logo(errors, logo)
        if name and unit is not None and "name" not in errors:
            same = ServiceBrand.objects.filter(unit=unit, name=name)
            if brand is not None:
                same = same.exclude(pk=brand.pk)
            if same.exists():
                errors["name"] = [_("本单位已有同名服务品牌")]
        merge_errors(errors)
        row = brand or ServiceBrand()
        before = audit.snapshot(row, BRAND_FIELDS) if brand else None
        row.unit = unit
        row.name = name
        row.slogan = slogan
        row.aims = text.strip_edges(aims or "")
        row.core_ideas = text.strip_edges(core_ideas or "")
        row.measures = text.strip_edges(measures or "")
        row.results = text.strip_edges(results or "")
        row.is_active = bool(is_active)
        old_logo = row.logo.name if row.logo else ""
        if kind is not None:
            content_type, ext = kind
            row.logo.save(f"{uuid.uuid4().hex}.{ext}", logo, save=False)
            saved.append(row.logo.name)
            row.logo_content_type = content_type
        save_with_audit(
            actor=actor,
            instance=row,
            fields=BRAND_FIELDS,
            before=before,
            also_save=["logo", "logo_content_type"],
            extra_changes={"logo": [old_logo, row.logo.name]} if kind is not None else None,
        )
        if kind is not None and old_logo:
            transaction.on_commit(lambda: default_storage.delete(old_logo))
        return row


def brand_recognise(*, actor, brand: ServiceBrand, recognised: bool = True, on=None):
    """Put `brand` on the committee's list of recognised brands (on `on`, today by default), or
    take it off."""
    access.check(actor, "brand_recognise")
    with transaction.atomic():
        row = lock_in_scope(ServiceBrand.objects.editable_by(actor), brand.pk)
        on = on or business_date()
        if on > business_date():
            merge_errors({"recognised_on": [_("命名日期不能晚于今天")]})
        before = audit.snapshot(row, ["recognised_on", "recognised_by"])
        row.recognised_on = on if recognised else None
        row.recognised_by = actor if recognised else None
        save_with_audit(
            actor=actor, instance=row, fields=["recognised_on", "recognised_by"], before=before
        )
        return row


# ---------------------------------------------------------------------------------------------
# 金点子
# ---------------------------------------------------------------------------------------------


def practice_save(
    *,
    actor,
    practice: GoodPractice | None = None,
    unit,
    title: str,
    problem: str,
    action: str,
    result: str = "",
    brand: ServiceBrand | None = None,
    category: ProblemCategory | None = None,
    category_label: str = "",
    tags="",
    source_problem: EnterpriseProblem | None = None,
) -> GoodPractice:
    """A new 金点子 (a draft), or `practice` changed: a unit its drafts and those sent back, the
    committee any (an approved one stays approved)."""
    access.check(actor, "practice_write")
    with transaction.atomic():
        if practice is not None:
            practice = lock_in_scope(GoodPractice.objects.editable_by(actor), practice.pk)
            _check_move(practice.state, "correct" if actor.role == Role.COMMITTEE else "edit")
        errors: dict[str, list[str]] = {}
        unit = _unit_for(errors, actor, unit)
        title = _text(errors, "title", title, required=_("请填写标题"), max_length=120)
        problem = _text(errors, "problem", problem, required=_("请写明遇到的问题"))
        action = _text(errors, "action", action, required=_("请写明主要做法"))
        result = _text(errors, "result", result)
        category_label = _text(errors, "category_label", category_label, max_length=40)
        tags = normalize_tags(tags)
        if len(tags) > 200:
            errors["tags"] = [_("标签太多（最多 200 个字）")]
        if brand is not None and unit is not None and brand.unit_id != unit.pk:
            errors["brand"] = [_("只能选择本单位的服务品牌")]
        if source_problem is not None:
            visible = EnterpriseProblem.objects.visible_to(actor).filter(pk=source_problem.pk)
            if not visible.exists():
                errors["source_problem"] = [_("来源难题不存在或不在您的权限范围内")]
            elif source_problem.state != ProblemState.CLOSED:
                errors["source_problem"] = [_("只有已办结的难题可以整理成金点子")]
        merge_errors(errors)
        row = practice or GoodPractice(state=DRAFT, created_by=actor)
        before = audit.snapshot(row, PRACTICE_FIELDS) if practice else None
        row.unit = unit
        row.brand = brand
        row.title = title
        row.problem = problem
        row.action = action
        row.result = result
        row.category = category
        row.category_label = category_label
        row.tags = tags
        row.source_problem = source_problem
        save_with_audit(actor=actor, instance=row, fields=PRACTICE_FIELDS, before=before)
        return row


def _lock_practice(actor, practice, rule: str) -> GoodPractice:
    access.check(actor, rule)
    return lock_in_scope(GoodPractice.objects.editable_by(actor), getattr(practice, "pk", practice))


def practice_submit(*, actor, practice: GoodPractice) -> GoodPractice:
    """Send a draft (or one sent back) to the committee."""
    with transaction.atomic():
        row = _lock_practice(actor, practice, "practice_write")
        _check_move(row.state, "submit")
        before = audit.snapshot(row, PRACTICE_FIELDS)
        row.state = PRACTICE.target(row.state, "submit")
        row.submitted_on = business_date()
        save_with_audit(actor=actor, instance=row, fields=PRACTICE_FIELDS, before=before)
        return row


def practice_review(
    *, actor, practice: GoodPractice, approved: bool, note: str = ""
) -> GoodPractice:
    """The committee approves a submitted 金点子 (it may go into books) or sends it back, saying
    why."""
    with transaction.atomic():
        row = _lock_practice(actor, practice, "practice_review")
        action = "approve" if approved else "reject"
        _check_move(row.state, action)
        errors: dict[str, list[str]] = {}
        note = _text(
            errors,
            "review_note",
            note,
            required=None if approved else _("退回时请写明理由"),
        )
        merge_errors(errors)
        before = audit.snapshot(row, PRACTICE_FIELDS)
        row.state = PRACTICE.target(row.state, action)
        row.review_note = note
        row.reviewed_on = business_date()
        row.reviewed_by = actor
        save_with_audit(actor=actor, instance=row, fields=PRACTICE_FIELDS, before=before)
        return row


# ---------------------------------------------------------------------------------------------
# Pocket books
# ---------------------------------------------------------------------------------------------


def _brand_for_book(errors: dict, actor, brand, name: str = "brand"):
    if actor.role == Role.UNIT_ADMIN and (brand is None or brand.unit_id != actor.unit_id):
        errors[name] = [_("单位只能为本单位的服务品牌编印口袋书")]


def book_save(
    *,
    actor,
    book: PocketBook | None = None,
    title: str,
    subtitle: str = "",
    brand: ServiceBrand | None = None,
    practices=None,
    filter_brand: ServiceBrand | None = None,
    filter_category: ProblemCategory | None = None,
    filter_tags="",
) -> PocketBook:
    """A book's definition: `practices` (approved 金点子, in the order given) or, when none are
    chosen, a filter (brand, category, tags) the entries are found by at each build."""
    access.check(actor, "book_build")
    with transaction.atomic():
        if book is not None:
            book = lock_in_scope(PocketBook.objects.editable_by(actor), book.pk)
        errors: dict[str, list[str]] = {}
        title = _text(errors, "title", title, required=_("请填写书名"), max_length=120)
        subtitle = _text(errors, "subtitle", subtitle, max_length=120)
        _brand_for_book(errors, actor, brand)
        filter_tags = normalize_tags(filter_tags)
        chosen = list(practices or [])
        if chosen:
            ids = [getattr(p, "pk", p) for p in chosen]
            found = set(
                GoodPractice.objects.visible_to(actor)
                .approved()
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            if len(set(ids)) != len(ids) or set(ids) - found:
                errors["practices"] = [_("只能收录已采用的金点子，且每篇只收一次")]
        elif filter_brand is None and filter_category is None and not filter_tags and not brand:
            errors["practices"] = [_("请选择收录的金点子，或按品牌、类别、标签收录")]
        merge_errors(errors)
        row = book or PocketBook()
        before = audit.snapshot(row, BOOK_FIELDS) if book else None
        row.title = title
        row.subtitle = subtitle
        row.brand = brand
        row.filter_brand = filter_brand
        row.filter_category = filter_category
        row.filter_tags = filter_tags
        old = list(row.book_entries.values_list("practice_id", flat=True)) if book else []
        new = [getattr(p, "pk", p) for p in chosen]
        save_with_audit(
            actor=actor,
            instance=row,
            fields=BOOK_FIELDS,
            before=before,
            extra_changes={"entries": [old, new]} if old != new else None,
        )
        if old != new:
            row.book_entries.all().delete()
            PocketBookEntry.objects.bulk_create(
                PocketBookEntry(book=row, practice_id=pk, position=index)
                for index, pk in enumerate(new, start=1)
            )
        return row


def book_entries(book: PocketBook) -> list[GoodPractice]:
    """The book's current entries: the approved practices chosen, in their order; else the
    approved ones the filter finds (by category, then title)."""
    related = ("unit", "brand", "category")
    if book.pk and book.book_entries.exists():
        entries = book.book_entries.filter(practice__state=APPROVED).select_related(
            *(f"practice__{name}" for name in related)
        )
        return [entry.practice for entry in entries]
    rows = GoodPractice.objects.approved().select_related(*related)
    # no filter at all: the book's brand's practices
    unfiltered = not book.filter_category_id and not book.filter_tags
    brand = book.filter_brand or (book.brand if unfiltered else None)
    if brand is not None:
        rows = rows.filter(brand=brand)
    if book.filter_category_id:
        rows = rows.filter(category_id=book.filter_category_id)
    for tag in (t for t in book.filter_tags.split(",") if t):
        rows = rows.filter(
            Q(tags=tag)
            | Q(tags__startswith=f"{tag},")
            | Q(tags__endswith=f",{tag}")
            | Q(tags__contains=f",{tag},")
        )
    return sorted(rows, key=lambda p: (p.category_name or "\uffff", p.title, p.pk))


@dataclass
class Chapter:
    name: str
    practices: list = field(default_factory=list)


def chapters(practices) -> list[Chapter]:
    """The entries grouped by category, in the order each category first appears."""
    found: dict[str, Chapter] = {}
    for practice in practices:
        name = practice.category_name or str(OTHER_CATEGORY)
        found.setdefault(name, Chapter(name)).practices.append(practice)
    return list(found.values())


def _logo_uri(brand) -> str:
    if brand is None or not brand.logo:
        return ""
    try:
        with brand.logo.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""
    kind = uploads.sniff_image(data[:16])
    if kind is None:
        return ""
    return f"data:{kind[0]};base64,{base64.b64encode(data).decode()}"


def book_pdf(book: PocketBook, practices=None, *, built_on=None) -> tuple[bytes, int]:
    """The book as A6 PDF bytes, and its page count."""
    practices = book_entries(book) if practices is None else practices
    brand = book.brand
    html = render_to_string(
        "frontline/books/book_pdf.html",
        {
            "book": book,
            "brand": brand,
            "unit": brand.unit if brand else None,
            "logo": _logo_uri(brand),
            "chapters": chapters(practices),
            "built_on": built_on or business_date(),
        },
    )
    return html_to_pdf_pages(html)


def book_build(*, actor, book: PocketBook) -> PocketBook:
    """Write the book's PDF from its current entries (again, whenever an entry changed): its file,
    page count and number of entries; the previous file goes once the new one is stored."""
    access.check(actor, "book_build")
    with uploads.stored_files() as saved, transaction.atomic():
        row = lock_in_scope(
            PocketBook.objects.editable_by(actor).select_related("brand__unit"), book.pk
        )
        errors: dict[str, list[str]] = {}
        _brand_for_book(errors, actor, row.brand)
        practices = book_entries(row)
        if not practices:
            errors["practices"] = [_("没有可收录的已采用金点子")]
        merge_errors(errors)
        content, pages = book_pdf(row, practices)
        before = audit.snapshot(row, ["page_count", "entry_count"])
        old = row.pdf.name if row.pdf else ""
        row.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
        saved.append(row.pdf.name)
        row.page_count = pages
        row.entry_count = len(practices)
        row.built_at = timezone.now()
        row.built_by = actor
        save_with_audit(
            actor=actor,
            instance=row,
            fields=["page_count", "entry_count"],
            before=before,
            also_save=["pdf", "built_at", "built_by"],
            extra_changes={
                "pdf": [old or None, row.pdf.name],
                "built_at": [None, row.built_at.isoformat()],
            },
        )
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))
        return row


BOOK_COLUMNS = [
    ColumnSpec(gettext_lazy("序号"), width=6),
    ColumnSpec(gettext_lazy("分类"), width=14),
    ColumnSpec(gettext_lazy("标题"), width=36),
    ColumnSpec(gettext_lazy("单位"), width=18),
    ColumnSpec(gettext_lazy("服务品牌"), width=14),
    ColumnSpec(gettext_lazy("标签"), width=20),
    ColumnSpec(gettext_lazy("遇到的问题"), width=40),
    ColumnSpec(gettext_lazy("主要做法"), width=40),
    ColumnSpec(gettext_lazy("取得成效"), width=40),
    ColumnSpec(gettext_lazy("审核日期"), width=12),
]


def book_excel(book: PocketBook) -> tuple[bytes, int]:
    """The book's current entries as a workbook (in the book's order), and how many rows."""
    practices = [p for chapter in chapters(book_entries(book)) for p in chapter.practices]
    columns = [ColumnSpec(str(c.header), width=c.width) for c in BOOK_COLUMNS]
    rows = [
        (
            index,
            p.category_name or str(OTHER_CATEGORY),
            p.title,
            p.unit.name,
            p.brand.name if p.brand_id else "",
            "、".join(p.tag_list),
            p.problem,
            p.action,
            p.result,
            p.reviewed_on.isoformat() if p.reviewed_on else "",
        )
        for index, p in enumerate(practices, start=1)
    ]
    return data_workbook(title=str(gettext_lazy("口袋书篇目")), columns=columns, rows=rows), len(
        rows
    )
