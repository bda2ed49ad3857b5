"""Aid (帮扶金): the committee's rule table and settings, applications, their approval chain, the
payment and 公示.

Each write is one transaction: the application is locked within the actor's scope, the access
table decides the role, the lifecycle table (`rules.APPLICATION`) the move — a move it refuses
raises `Conflict` (409) and changes nothing — then the values are checked (errors under the
service's parameter names), the row saved with its audit record and whoever must act next told.

The aid is the tier of the self-paid amount (`rules.tier_amount`), no more than what is left of the
member's yearly cap after what was already approved or paid to it that year (`rules.capped`); the
approval chain is fixed at submission from the amount and the thresholds then in force
(`rules.approval_chain`). A step is decided by the role the chain names, never twice by one person
in a chain and never by the one who prepared the application or the member it helps.

Illness data (`ILLNESS_FIELDS`, the documents) is PIPL sensitive: it is written to the audit log
only as "（已隐藏）", and every read of it (the detail, a document) is recorded (`illness_read`).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.care import interface as care
from guanqing.core import audit, text, uploads
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.notifications.services import notification_send
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import OutOfScope, ScopeError, merge_errors, save_with_audit
from guanqing.fund import ledger, rules
from guanqing.fund.access import access
from guanqing.fund.choices import (
    ApplicationState,
    ApproverRole,
    Decision,
    Diagnosis,
    DocumentKind,
    Relation,
    TransactionKind,
)
from guanqing.fund.models import (
    ILLNESS_FIELDS,
    AidApplication,
    AidDocument,
    AidTier,
    Approval,
    FundSettings,
    Payment,
)
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member

MASK = audit.SENSITIVE_MARK
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_COUNT = 20
REFERENCE_MAX = 60

# what the audit log shows in clear; the illness fields are written as MASK
PLAIN_FIELDS = [
    "number",
    "year",
    "member",
    "unit",
    "relation",
    "patient_name",
    "reason",
    "amount",
    "state",
    "chain",
    "submitted_on",
    "decided_on",
    "care_obligation_id",
]
SETTINGS_FIELDS = ["officer_alone_below", "second_committee_from", "yearly_cap"]
TIER_FIELDS = ["self_paid_from", "self_paid_below", "amount"]
PAYMENT_FIELDS = ["application", "amount", "paid_on", "transfer_reference", "transaction"]
APPROVAL_FIELDS = ["application", "step", "role", "approver", "decision", "note"]

# counted against the yearly cap: approved and not yet paid, or paid
COUNTED_STATES = (ApplicationState.APPROVED, ApplicationState.PAID)


class _Unchanged:
    def __repr__(self):
        return "UNCHANGED"


UNCHANGED = _Unchanged()


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check_move(application: AidApplication, action: str) -> None:
    """The lifecycle table's refusal as a Conflict (409), with the table's message."""
    try:
        rules.APPLICATION.check(application.state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _lock(actor, application, rule: str) -> AidApplication:
    access.check(actor, rule)
    return lock_in_scope(
        AidApplication.objects.editable_by(actor).select_related("member", "unit"),
        getattr(application, "pk", application),
    )


def _site(message, params: dict | None = None) -> str:
    """Text stored or sent in the site language (like the audit log)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params is not None else str(message)


def _link(application: AidApplication) -> str:
    try:
        return reverse("fund:aid_detail", args=[application.pk])
    except NoReverseMatch:
        return ""


def _money(errors: dict, field: str, value, *, positive: bool = False) -> Decimal:
    if value is None or value == "":
        errors[field] = [_("请填写金额（元）")]
        return Decimal(0)
    amount = uploads.money(errors, field, value)
    if field not in errors and positive and amount <= 0:
        errors[field] = [_("金额应大于 0")]
    return amount


def _choice(errors: dict, field: str, value, choices, message) -> str:
    if value not in choices.values:
        errors[field] = [message]
        return ""
    return value


def _clean_text(errors: dict, field: str, value, *, max_length: int | None = None) -> str:
    value = text.strip_edges(value if isinstance(value, str) else "")
    if max_length is not None and len(value) > max_length:
        errors[field] = [
            _("最多 %(max)d 个字（当前 %(n)d 个）") % {"max": max_length, "n": len(value)}
        ]
    return value


def _users_of_role(role: str, *, exclude=()) -> list[int]:
    ids = get_user_model().objects.filter(role=role, is_active=True).values_list("pk", flat=True)
    excluded = {pk for pk in exclude if pk is not None}
    return [pk for pk in ids if pk not in excluded]


def _beneficiary_users(application: AidApplication) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(member_id=application.member_id)
        .values_list("pk", flat=True)
    )


def _illness_changes(before: dict | None, application: AidApplication) -> dict:
    """What the audit log shows for the illness fields: only that they changed, never a value."""
    if before is None:
        return {name: [None, MASK] for name in ILLNESS_FIELDS}
    return {
        name: [MASK, MASK]
        for name in ILLNESS_FIELDS
        if before.get(name) != getattr(application, name)
    }


def _save_application(actor, application: AidApplication, *, before=None, illness_before=None):
    extra = _illness_changes(illness_before, application) if illness_before is not None else None
    if before is None:
        extra = _illness_changes(None, application)
    return save_with_audit(
        actor=actor,
        instance=application,
        fields=PLAIN_FIELDS,
        before=before,
        also_save=list(ILLNESS_FIELDS),
        extra_changes=extra or None,
    )


# ---------------------------------------------------------------------------------------------
# Reads the pages, the API and the services agree on
# ---------------------------------------------------------------------------------------------


def may_read_illness(user) -> bool:
    """The fund officer and the committee read diagnosis, costs and documents."""
    return access.allows(user, "illness")


def illness_read(*, actor, application: AidApplication, document: AidDocument | None = None):
    """Record that `actor` read the illness data of `application` (or one of its documents).
    Refused (403) for a role that may not read it."""
    access.check(actor, "illness")
    if document is not None:
        audit.record(
            actor=actor,
            action="reveal",
            obj=document,
            root=application,
            message="document",
        )
    else:
        audit.record(actor=actor, action="reveal", obj=application, message="illness")


def current_tiers() -> list[AidTier]:
    return list(AidTier.objects.order_by("self_paid_from"))


def already_counted(member_id, year: int, *, exclude_pk=None) -> Decimal:
    """What the member was already granted in `year`: paid that year, or approved and not yet
    paid (applications of that year)."""
    paid = Payment.objects.filter(application__member_id=member_id, paid_on__year=year).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    approved = AidApplication.objects.filter(
        member_id=member_id, year=year, state=ApplicationState.APPROVED
    )
    if exclude_pk is not None:
        approved = approved.exclude(pk=exclude_pk)
    waiting = approved.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return paid + waiting


def paid_in_year(member_id, year: int) -> Decimal:
    return Payment.objects.filter(application__member_id=member_id, paid_on__year=year).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)


def aid_amount(self_paid: Decimal, *, member_id, year: int, exclude_pk=None) -> Decimal:
    """The aid for `self_paid` under today's rule table and what is left of the yearly cap."""
    config = FundSettings.current()
    return rules.capped(
        rules.tier_amount(self_paid, current_tiers()),
        yearly_cap=config.yearly_cap,
        already=already_counted(member_id, year, exclude_pk=exclude_pk),
    )


def next_step(application: AidApplication) -> int | None:
    """The index of the chain's next step, None when nothing waits (not submitted, or done)."""
    if application.state != ApplicationState.SUBMITTED:
        return None
    done = Approval.objects.filter(application=application).count()
    return done if done < len(application.chain) else None


def decide_refusal(user, application: AidApplication, *, done: int | None = None):
    """Why `user` may not decide the application's next step now (a message), or None."""
    if application.state != ApplicationState.SUBMITTED:
        return rules.APPLICATION.labels.get(application.state, application.state)
    if application.created_by_id == user.pk or (
        user.member_id is not None and user.member_id == application.member_id
    ):
        return rules.OWN_APPLICATION
    approvals = list(Approval.objects.filter(application=application).order_by("step"))
    step = len(approvals) if done is None else done
    if step >= len(application.chain):
        return rules.APPLICATION.labels.get(application.state, application.state)
    role = application.chain[step]
    if user.role != role:
        return rules.NOT_YOUR_STEP % {"role": ApproverRole(role).label}
    if any(a.approver_id == user.pk for a in approvals):
        return rules.ALREADY_APPROVED
    return None


@dataclass(frozen=True)
class PublicityRow:
    name: str
    unit: str
    amount: Decimal
    paid_on: datetime.date


def publicity(year: int) -> list[PublicityRow]:
    """公示: the payments of `year` — the member's name masked, its unit, the amount and the day;
    never the diagnosis, an ID number or a phone."""
    rows = (
        Payment.objects.filter(paid_on__year=year, application__state=ApplicationState.PAID)
        .select_related("application__member", "application__unit")
        .order_by("paid_on", "pk")
    )
    return [
        PublicityRow(
            name=rules.mask_name(p.application.member.name),
            unit=p.application.unit.name,
            amount=p.amount,
            paid_on=p.paid_on,
        )
        for p in rows
    ]


# ---------------------------------------------------------------------------------------------
# The rule table and the settings (the committee)
# ---------------------------------------------------------------------------------------------


def _tier_value(tier, name):
    if isinstance(tier, dict):
        return tier.get(name)
    return getattr(tier, name, None)


@transaction.atomic
def tiers_replace(*, actor, tiers) -> list[AidTier]:
    """Replace the rule table with `tiers` (dicts with self_paid_from, self_paid_below — blank:
    and above — and amount), in ascending order, none overlapping the next; only the last may be
    open-ended. Errors under `tiers[i].<field>` (or `tiers`)."""
    access.check(actor, "settings")
    errors: dict[str, list[str]] = {}
    rows = []
    tiers = list(tiers or [])
    if not tiers:
        errors["tiers"] = [_("请至少填写一档帮扶标准")]
    for index, tier in enumerate(tiers):
        prefix = f"tiers[{index}]."
        row_errors: dict[str, list[str]] = {}
        low = _money(row_errors, prefix + "self_paid_from", _tier_value(tier, "self_paid_from"))
        high_value = _tier_value(tier, "self_paid_below")
        high = None
        if high_value not in (None, ""):
            high = _money(row_errors, prefix + "self_paid_below", high_value)
        amount = _money(row_errors, prefix + "amount", _tier_value(tier, "amount"), positive=True)
        if not row_errors and high is not None and high <= low:
            row_errors[prefix + "self_paid_below"] = [
                _("止点（%(high)s 元）应大于起点（%(low)s 元）") % {"high": high, "low": low}
            ]
        if not row_errors and rows:
            prev_low, prev_high, _prev_amount = rows[-1]
            if prev_high is None:
                row_errors[prefix + "self_paid_from"] = [
                    _("上一档没有止点（含以上），不能再有下一档")
                ]
            elif low < prev_high:
                row_errors[prefix + "self_paid_from"] = [
                    _("起点（%(low)s 元）与上一档（%(prev_low)s–%(prev_high)s 元）重叠或顺序不对")
                    % {"low": low, "prev_low": prev_low, "prev_high": prev_high}
                ]
        errors.update(row_errors)
        # a row in error still orders the next (so an overlap after it is reported too)
        rows.append((low, high, amount))
    merge_errors(errors)
    for old in AidTier.objects.order_by("self_paid_from"):
        audit.record(
            actor=actor,
            action="delete",
            obj=old,
            changes={name: [str(getattr(old, name) or ""), None] for name in TIER_FIELDS},
        )
        old.delete()
    saved = []
    for low, high, amount in rows:
        saved.append(
            save_with_audit(
                actor=actor,
                instance=AidTier(self_paid_from=low, self_paid_below=high, amount=amount),
                fields=TIER_FIELDS,
            )
        )
    return saved


@transaction.atomic
def settings_save(*, actor, officer_alone_below, second_committee_from, yearly_cap) -> FundSettings:
    """The approval thresholds and the yearly cap per person (the committee). Applications
    already submitted keep the chain fixed then."""
    access.check(actor, "settings")
    errors: dict[str, list[str]] = {}
    first = _money(errors, "officer_alone_below", officer_alone_below, positive=True)
    second = _money(errors, "second_committee_from", second_committee_from, positive=True)
    cap = _money(errors, "yearly_cap", yearly_cap, positive=True)
    if not errors and second < first:
        errors["second_committee_from"] = [
            _("两名工委审批起点（%(second)s 元）不能低于经办人单独审批限额（%(first)s 元）")
            % {"second": second, "first": first}
        ]
    merge_errors(errors)
    row = FundSettings.objects.select_for_update().order_by("pk").first()
    before = audit.snapshot(row, SETTINGS_FIELDS) if row is not None else None
    row = row or FundSettings()
    row.officer_alone_below, row.second_committee_from, row.yearly_cap = first, second, cap
    return save_with_audit(actor=actor, instance=row, fields=SETTINGS_FIELDS, before=before)


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def _sniff(head: bytes):
    kind = uploads.sniff_pdf(head)
    if kind is None:
        kind = uploads.sniff_image(head)
        if kind is not None and kind[0] not in ("image/jpeg", "image/png"):
            kind = None
    return kind


def _check_documents(errors: dict, documents, *, already: int = 0) -> list:
    """[(kind, file, content type, extension)] for the acceptable documents; each other one gets
    an error under `documents[i]`."""
    checked = []
    documents = list(documents or [])
    if already + len(documents) > DOCUMENT_MAX_COUNT:
        errors["documents"] = [_("每份申请最多 %(n)s 个材料文件") % {"n": DOCUMENT_MAX_COUNT}]
        return checked
    for index, item in enumerate(documents):
        field = f"documents[{index}]"
        kind, upload = item if isinstance(item, tuple | list) else (DocumentKind.OTHER, item)
        if kind not in DocumentKind.values:
            errors[field] = [_("请选择材料类型")]
            continue
        name = uploads.uploaded_name(upload)
        size = getattr(upload, "size", 0) or 0
        if size > DOCUMENT_MAX_BYTES:
            errors[field] = [
                _("文件“%(name)s”超过 10 MB（%(size)s 字节）") % {"name": name, "size": size}
            ]
            continue
        if size == 0:
            errors[field] = [_("文件“%(name)s”是空的") % {"name": name}]
            continue
        upload.seek(0)
        sniffed = _sniff(upload.read(16))
        upload.seek(0)
        if sniffed is None:
            errors[field] = [_("“%(name)s”不是 PDF、JPEG 或 PNG 文件") % {"name": name}]
            continue
        checked.append((kind, upload, *sniffed))
    return checked


def _store_documents(actor, application: AidApplication, checked, saved: list[str]) -> list:
    rows = []
    for kind, upload, content_type, ext in checked:
        row = AidDocument(
            application=application,
            kind=kind,
            content_type=content_type,
            size=upload.size,
            original_name=uploads.uploaded_name(upload),
            uploaded_by=actor,
        )
        row.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
        saved.append(row.file.name)
        text.full_clean(row)
        row.save()
        with translation.override(settings.LANGUAGE_CODE):
            kind_label = str(DocumentKind(kind).label)
        audit.record(
            actor=actor,
            action="create",
            obj=row,
            root=application,
            object_repr=kind_label,
            changes={"kind": [None, kind_label], "file": [None, MASK]},
        )
        rows.append(row)
    return rows


@transaction.atomic
def _documents_add(*, actor, application, documents, saved) -> list[AidDocument]:
    application = _lock(actor, application, "apply")
    _check_move(application, "edit")
    errors: dict[str, list[str]] = {}
    documents = list(documents or [])
    checked = _check_documents(errors, documents, already=application.documents.count())
    if not documents:
        errors["documents"] = [_("请选择要上传的文件")]
    merge_errors(errors)
    return _store_documents(actor, application, checked, saved)


def application_documents_add(*, actor, application, documents) -> list[AidDocument]:
    """Add supporting documents [(kind, file)] to a draft application (PDF, JPEG or PNG, read
    from the bytes; at most 10 MB each)."""
    with uploads.stored_files() as saved:
        return _documents_add(
            actor=actor, application=application, documents=documents, saved=saved
        )


@transaction.atomic
def application_document_remove(*, actor, application, document) -> None:
    """Remove a document of a draft application (its file goes once the removal is kept)."""
    application = _lock(actor, application, "apply")
    _check_move(application, "edit")
    row = AidDocument.objects.filter(
        application=application, pk=getattr(document, "pk", document)
    ).first()
    if row is None:
        raise OutOfScope(_("不存在或不在您的权限范围内"))
    with translation.override(settings.LANGUAGE_CODE):
        kind_label = str(DocumentKind(row.kind).label)
    audit.record(
        actor=actor,
        action="delete",
        obj=row,
        root=application,
        object_repr=kind_label,
        changes={"kind": [kind_label, None], "file": [MASK, None]},
    )
    name = row.file.name
    row.delete()
    transaction.on_commit(lambda: row.file.storage.delete(name))


# ---------------------------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------------------------


def _member(errors: dict, actor, member) -> Member | None:
    """The member the application helps: for a unit administrator one of its unit's staff."""
    pk = getattr(member, "pk", member)
    row = Member.objects.select_related("unit").filter(pk=pk).first() if pk else None
    if row is None:
        errors["member"] = [_("请选择职工")]
        return None
    if actor.role == Role.UNIT_ADMIN and row.unit_id != actor.unit_id:
        errors["member"] = [_("只能为本单位的职工申请")]
        return None
    if row.status == MemberStatus.DECEASED:
        errors["member"] = [_("该职工已去世，不能申请")]
        return None
    return row


def _costs(errors: dict, total_cost, reimbursed) -> tuple[Decimal, Decimal, Decimal]:
    total = _money(errors, "total_cost", total_cost)
    paid_back = _money(errors, "reimbursed", reimbursed)
    if "total_cost" not in errors and "reimbursed" not in errors and paid_back > total:
        message = _("已报销（%(reimbursed)s 元）不能多于医疗总费用（%(total)s 元）") % {
            "reimbursed": paid_back,
            "total": total,
        }
        errors["reimbursed"] = [message]
        errors["total_cost"] = [message]
    return total, paid_back, max(Decimal(0), total - paid_back)


def _patient(errors: dict, relation, patient_name) -> tuple[str, str]:
    relation = _choice(errors, "relation", relation, Relation, _("请选择患病人与职工的关系"))
    name = _clean_text(errors, "patient_name", patient_name, max_length=50)
    if relation and relation != Relation.SELF and not text.has_visible(name):
        errors["patient_name"] = [_("患病人不是职工本人时，请填写患病人姓名")]
    if relation == Relation.SELF:
        name = ""
    return relation, name


def _next_number(year: int) -> str:
    prefix = f"BF{year}-"
    sequence = AidApplication.objects.filter(year=year).count() + 1
    number = f"{prefix}{sequence:04d}"
    while AidApplication.objects.filter(number=number).exists():
        sequence += 1
        number = f"{prefix}{sequence:04d}"
    return number


def _create(
    *,
    actor,
    member,
    relation,
    patient_name,
    diagnosis,
    diagnosis_note,
    total_cost,
    reimbursed,
    reason,
    documents,
    saved: list[str],
    care_obligation=None,
) -> AidApplication:
    access.check(actor, "apply")
    errors: dict[str, list[str]] = {}
    row = _member(errors, actor, member)
    link = None
    if care_obligation not in (None, ""):
        # opened from a 必帮 obligation the actor sees, for that obligation's member
        link = care.help_obligation(actor, care_obligation)
        if link is None:
            errors["care_obligation"] = [_("没有这条必帮事项，或无权据此申请")]
        elif row is not None and link.member_id != row.pk:
            errors["member"] = [_("职工应为该必帮事项的当事人")]
    relation, patient_name = _patient(errors, relation, patient_name)
    diagnosis = _choice(errors, "diagnosis", diagnosis, Diagnosis, _("请选择疾病类别"))
    diagnosis_note = _clean_text(errors, "diagnosis_note", diagnosis_note)
    total, paid_back, self_paid = _costs(errors, total_cost, reimbursed)
    reason = _clean_text(errors, "reason", reason)
    checked = _check_documents(errors, documents)
    merge_errors(errors)
    year = business_date().year
    # serialise the member's cap, then the numbers of the year's applications (the lock order:
    # application, member, the year, the month, the accounts — see ledger.post)
    Member.objects.select_for_update().filter(pk=row.pk).first()
    ledger.lock_year(year)
    application = AidApplication(
        number=_next_number(year),
        year=year,
        member=row,
        unit=row.unit,
        relation=relation,
        patient_name=patient_name,
        diagnosis=diagnosis,
        diagnosis_note=diagnosis_note,
        total_cost=total,
        reimbursed=paid_back,
        self_paid=self_paid,
        amount=aid_amount(self_paid, member_id=row.pk, year=year),
        reason=reason,
        state=ApplicationState.DRAFT,
        care_obligation_id=link.id if link else None,
        created_by=actor,
    )
    _save_application(actor, application)
    _store_documents(actor, application, checked, saved)
    return application


@transaction.atomic
def _create_atomic(**kwargs) -> AidApplication:
    return _create(**kwargs)


def application_create(
    *,
    actor,
    member,
    relation,
    patient_name="",
    diagnosis,
    diagnosis_note="",
    total_cost,
    reimbursed,
    reason="",
    documents=(),
    care_obligation=None,
) -> AidApplication:
    """A draft application for `member` (a unit administrator: one of its unit's staff; the fund
    officer: anyone's). self_paid = total_cost − reimbursed; the amount follows the rule table and
    the yearly cap. `documents` are (kind, file) pairs: PDF, JPEG or PNG read from the bytes.
    `care_obligation`: the id of the 必帮 obligation (关怀帮扶) it is opened from, kept as the link."""
    with uploads.stored_files() as saved:
        return _create_atomic(
            care_obligation=care_obligation,
            actor=actor,
            member=member,
            relation=relation,
            patient_name=patient_name,
            diagnosis=diagnosis,
            diagnosis_note=diagnosis_note,
            total_cost=total_cost,
            reimbursed=reimbursed,
            reason=reason,
            documents=documents,
            saved=saved,
        )


@transaction.atomic
def _update_atomic(*, actor, application, values: dict, documents, saved) -> AidApplication:
    application = _lock(actor, application, "apply")
    _check_move(application, "edit")
    errors: dict[str, list[str]] = {}
    before = audit.snapshot(application, PLAIN_FIELDS)
    illness_before = {name: getattr(application, name) for name in ILLNESS_FIELDS}

    def given(name):
        value = values.get(name, UNCHANGED)
        return getattr(application, name) if value is UNCHANGED else value

    relation, patient_name = _patient(errors, given("relation"), given("patient_name"))
    diagnosis = _choice(errors, "diagnosis", given("diagnosis"), Diagnosis, _("请选择疾病类别"))
    diagnosis_note = _clean_text(errors, "diagnosis_note", given("diagnosis_note"))
    total, paid_back, self_paid = _costs(errors, given("total_cost"), given("reimbursed"))
    reason = _clean_text(errors, "reason", given("reason"))
    checked = _check_documents(errors, documents, already=application.documents.count())
    merge_errors(errors)
    Member.objects.select_for_update().filter(pk=application.member_id).first()
    application.relation, application.patient_name = relation, patient_name
    application.diagnosis, application.diagnosis_note = diagnosis, diagnosis_note
    application.total_cost, application.reimbursed = total, paid_back
    application.self_paid = self_paid
    application.reason = reason
    application.amount = aid_amount(
        self_paid, member_id=application.member_id, year=application.year
    )
    _save_application(actor, application, before=before, illness_before=illness_before)
    _store_documents(actor, application, checked, saved)
    return application


def application_update(
    *,
    actor,
    application,
    relation=UNCHANGED,
    patient_name=UNCHANGED,
    diagnosis=UNCHANGED,
    diagnosis_note=UNCHANGED,
    total_cost=UNCHANGED,
    reimbursed=UNCHANGED,
    reason=UNCHANGED,
    documents=(),
) -> AidApplication:
    """Change a draft (the values not given stay; `documents` are added). The amount is worked
    out again. The member it helps does not change: withdraw it and apply anew."""
    values = {
        "relation": relation,
        "patient_name": patient_name,
        "diagnosis": diagnosis,
        "diagnosis_note": diagnosis_note,
        "total_cost": total_cost,
        "reimbursed": reimbursed,
        "reason": reason,
    }
    with uploads.stored_files() as saved:
        return _update_atomic(
            actor=actor, application=application, values=values, documents=documents, saved=saved
        )


@transaction.atomic
def application_submit(*, actor, application) -> AidApplication:
    """Submit a draft for approval: the amount is worked out again (it may not be 0), a diagnosis
    document is required, and the chain of approvers is fixed from the amount and today's
    thresholds. The first approver's role is told."""
    application = _lock(actor, application, "apply")
    _check_move(application, "submit")
    Member.objects.select_for_update().filter(pk=application.member_id).first()
    errors: dict[str, list[str]] = {}
    config = FundSettings.current()
    tier = rules.tier_amount(application.self_paid, current_tiers())
    amount = rules.capped(
        tier,
        yearly_cap=config.yearly_cap,
        already=already_counted(application.member_id, application.year),
    )
    if tier <= 0:
        errors["self_paid"] = [
            _("个人自付 %(self_paid)s 元不在帮扶标准的任何一档内，帮扶金额为 0")
            % {"self_paid": application.self_paid}
        ]
    elif amount <= 0:
        errors["amount"] = [
            _("该职工本年度帮扶金已达上限 %(cap)s 元，帮扶金额为 0") % {"cap": config.yearly_cap}
        ]
    if not application.documents.filter(kind=DocumentKind.DIAGNOSIS).exists():
        errors["documents"] = [_("请至少上传一份诊断证明")]
    merge_errors(errors)
    before = audit.snapshot(application, PLAIN_FIELDS)
    application.amount = amount
    application.chain = rules.approval_chain(
        amount,
        officer_alone_below=config.officer_alone_below,
        second_committee_from=config.second_committee_from,
    )
    application.state = rules.APPLICATION.target(application.state, "submit")
    application.submitted_on = business_date()
    _save_application(actor, application, before=before)
    _notify_next(application, step=0)
    return application


@transaction.atomic
def application_withdraw(*, actor, application) -> AidApplication:
    """Withdraw a draft or an application waiting for approval (the preparers)."""
    application = _lock(actor, application, "apply")
    _check_move(application, "withdraw")
    before = audit.snapshot(application, PLAIN_FIELDS)
    application.state = rules.APPLICATION.target(application.state, "withdraw")
    _save_application(actor, application, before=before)
    return application


def _notify_next(application: AidApplication, *, step: int) -> None:
    role = application.chain[step]
    approved = Approval.objects.filter(application=application).values_list(
        "approver_id", flat=True
    )
    exclude = {application.created_by_id, *approved, *_beneficiary_users(application)}
    notification_send(
        recipients=_users_of_role(role, exclude=exclude),
        kind="fund_aid_decide",
        text=_site(
            gettext_lazy("帮扶金申请 %(number)s（%(unit)s，%(amount)s 元）待您审批。"),
            {
                "number": application.number,
                "unit": application.unit.name,
                "amount": application.amount,
            },
        ),
        link=_link(application),
        dedupe_key=f"fund:aid:{application.pk}:step:{step}",
    )


def _notify_preparer(application: AidApplication, what: str, message: str) -> None:
    recipients = {application.created_by_id}
    notification_send(
        recipients=recipients,
        kind=f"fund_aid_{what}",
        text=_site(message, {"number": application.number, "amount": application.amount}),
        link=_link(application),
        dedupe_key=f"fund:aid:{application.pk}:{what}",
    )


@transaction.atomic
def application_decide(*, actor, application, decision, note="") -> AidApplication:
    """Decide the next step of the chain: the actor's role must be the step's, it may not have
    decided a step of this chain before, nor decide an application it prepared or that helps
    itself (403). Rejecting ends the application (with a reason); the last approval approves it
    and the fund officers are told to pay; an earlier one passes it on to the next role."""
    application = _lock(actor, application, "approve")
    action = decision if decision in Decision.values else "approve"
    _check_move(application, action)
    if application.created_by_id == actor.pk or (
        actor.member_id is not None and actor.member_id == application.member_id
    ):
        raise ScopeError(rules.OWN_APPLICATION)
    approvals = list(Approval.objects.filter(application=application).order_by("step"))
    step = len(approvals)
    if step >= len(application.chain):
        raise Conflict()
    role = application.chain[step]
    if actor.role != role:
        raise ScopeError(rules.NOT_YOUR_STEP % {"role": ApproverRole(role).label})
    if any(a.approver_id == actor.pk for a in approvals):
        raise ScopeError(rules.ALREADY_APPROVED)
    errors: dict[str, list[str]] = {}
    if decision not in Decision.values:
        errors["decision"] = [_("请选择同意或不同意")]
    note = _clean_text(errors, "note", note)
    if decision == Decision.REJECT and not text.has_visible(note):
        errors["note"] = [_("不同意时请写明理由")]
    merge_errors(errors)
    save_with_audit(
        actor=actor,
        instance=Approval(
            application=application,
            step=step,
            role=role,
            approver=actor,
            decision=decision,
            note=note,
        ),
        fields=APPROVAL_FIELDS,
        root=application,
    )
    before = audit.snapshot(application, PLAIN_FIELDS)
    last = step + 1 == len(application.chain)
    if decision == Decision.REJECT:
        application.state = rules.APPLICATION.target(application.state, "reject")
        application.decided_on = business_date()
    elif last:
        application.state = ApplicationState.APPROVED
        application.decided_on = business_date()
    _save_application(actor, application, before=before)
    if decision == Decision.REJECT:
        _notify_preparer(application, "rejected", gettext_lazy("帮扶金申请 %(number)s 未获批准。"))
    elif last:
        _notify_preparer(
            application,
            "approved",
            gettext_lazy("帮扶金申请 %(number)s 已批准，帮扶金额 %(amount)s 元。"),
        )
        notification_send(
            recipients=_users_of_role(Role.FUND_OFFICER, exclude=_beneficiary_users(application)),
            kind="fund_aid_pay",
            text=_site(
                gettext_lazy("帮扶金申请 %(number)s 已批准，请发放 %(amount)s 元。"),
                {"number": application.number, "amount": application.amount},
            ),
            link=_link(application),
            dedupe_key=f"fund:aid:{application.pk}:pay",
        )
    else:
        _notify_next(application, step=step + 1)
    return application


@transaction.atomic
def application_pay(*, actor, application, paid_on, transfer_reference) -> Payment:
    """Pay an approved application (the fund officer): Dr aid paid / Cr bank through the ledger,
    which refuses when the bank lacks the amount (409 naming the balance). The member's payments
    of that year may not pass the yearly cap (checked under the member's row lock); the transfer
    reference is required and unique."""
    application = _lock(actor, application, "pay")
    _check_move(application, "pay")
    Member.objects.select_for_update().filter(pk=application.member_id).first()
    errors: dict[str, list[str]] = {}
    today = business_date()
    if not isinstance(paid_on, datetime.date) or isinstance(paid_on, datetime.datetime):
        errors["paid_on"] = [_("请填写日期")]
    elif paid_on > today:
        errors["paid_on"] = [
            _("日期（%(day)s）不能晚于今天（%(today)s）") % {"day": paid_on, "today": today}
        ]
    elif application.decided_on and paid_on < application.decided_on:
        errors["paid_on"] = [
            _("发放日期（%(day)s）不能早于批准日期（%(decided)s）")
            % {"day": paid_on, "decided": application.decided_on}
        ]
    reference = text.one_line(transfer_reference if isinstance(transfer_reference, str) else "")
    if not text.has_visible(reference):
        errors["transfer_reference"] = [_("请填写转账流水号")]
    elif len(reference) > REFERENCE_MAX:
        errors["transfer_reference"] = [_("转账流水号最多 %(max)d 个字符") % {"max": REFERENCE_MAX}]
    elif Payment.objects.filter(transfer_reference=reference).exists():
        errors["transfer_reference"] = [
            _("转账流水号 %(ref)s 已用于另一笔发放") % {"ref": reference}
        ]
    amount = application.amount
    if "paid_on" not in errors:
        cap = FundSettings.current().yearly_cap
        paid = paid_in_year(application.member_id, paid_on.year)
        if paid + amount > cap:
            errors["amount"] = [
                _(
                    "超过每人每年帮扶上限 %(cap)s 元：该职工 %(year)s 年已发放 %(paid)s 元，"
                    "本次 %(amount)s 元"
                )
                % {"cap": cap, "year": paid_on.year, "paid": paid, "amount": amount}
            ]
    if amount <= 0:
        errors["amount"] = [_("帮扶金额为 0，不能发放")]
    merge_errors(errors)
    tx = ledger.post(
        actor=actor,
        posted_on=paid_on,
        kind=TransactionKind.AID,
        memo=_site(gettext_lazy("发放帮扶金 %(number)s"), {"number": application.number}),
        lines=[
            ledger.debit(ledger.standard_account(ledger.AID_PAID), amount),
            ledger.credit(ledger.standard_account(ledger.BANK), amount),
        ],
    )
    # the bank row is locked now: a payment that checked the same reference meanwhile is seen
    if Payment.objects.filter(transfer_reference=reference).exists():
        raise ValidationError(
            {"transfer_reference": [_("转账流水号 %(ref)s 已用于另一笔发放") % {"ref": reference}]}
        )
    payment = save_with_audit(
        actor=actor,
        instance=Payment(
            application=application,
            amount=amount,
            paid_on=paid_on,
            transfer_reference=reference,
            transaction=tx,
            paid_by=actor,
        ),
        fields=PAYMENT_FIELDS,
        root=application,
    )
    before = audit.snapshot(application, PLAIN_FIELDS)
    application.state = rules.APPLICATION.target(application.state, "pay")
    _save_application(actor, application, before=before)
    _notify_preparer(
        application, "paid", gettext_lazy("帮扶金申请 %(number)s 已发放 %(amount)s 元。")
    )
    return payment
