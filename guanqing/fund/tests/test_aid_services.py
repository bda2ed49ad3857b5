"""The aid's services: the rule table and settings, applications and their documents, the approval
chain (each threshold's boundary, the same person twice, one's own application), the payment
(yearly cap, a short bank, the transfer reference) — each rule refused with the field it names and
nothing half-written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent, Notification
from guanqing.fund import aid_services, ledger, rules
from guanqing.fund.choices import ApplicationState, Decision, DocumentKind
from guanqing.fund.models import (
    AidApplication,
    AidDocument,
    AidTier,
    Approval,
    Entry,
    FundSettings,
    Payment,
    Transaction,
)
from guanqing.fund.tests.aid_support import (
    JPEG,
    PNG,
    TIERS,
    D,
    approve_all,
    approved,
    day,
    draft,
    fund_bank,
    one_tier,
    paid,
    pdf,
    set_tiers,
    submitted,
)
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def _errors(exc) -> dict:
    return exc.value.message_dict


# --- the rule table and the settings ------------------------------------------------------------


def test_tiers_replace_keeps_the_new_table_in_order(aid_world):
    set_tiers(
        aid_world,
        [
            {"self_paid_from": D(0), "self_paid_below": D(1000), "amount": D(100)},
            {"self_paid_from": D(1000), "self_paid_below": None, "amount": D(500)},
        ],
    )
    rows = list(AidTier.objects.values_list("self_paid_from", "self_paid_below", "amount"))
    assert rows == [(D(0), D(1000), D(100)), (D(1000), None, D(500))]


@pytest.mark.parametrize(
    ("tiers", "field"),
    [
        ([], "tiers"),
        (
            [{"self_paid_from": D(100), "self_paid_below": D(50), "amount": D(1)}],
            "tiers[0].self_paid_below",
        ),
        ([{"self_paid_from": D(0), "self_paid_below": None, "amount": D(0)}], "tiers[0].amount"),
        (
            [{"self_paid_from": D(-1), "self_paid_below": None, "amount": D(5)}],
            "tiers[0].self_paid_from",
        ),
        (
            [
                {"self_paid_from": D(0), "self_paid_below": D(1000), "amount": D(1)},
                {"self_paid_from": D(999), "self_paid_below": None, "amount": D(2)},
            ],
            "tiers[1].self_paid_from",
        ),
        (
            [
                {"self_paid_from": D(0), "self_paid_below": None, "amount": D(1)},
                {"self_paid_from": D(5000), "self_paid_below": None, "amount": D(2)},
            ],
            "tiers[1].self_paid_from",
        ),
    ],
)
def test_a_bad_table_is_refused_naming_the_row_and_keeps_the_old_one(aid_world, tiers, field):
    before = list(AidTier.objects.values_list("self_paid_from", "amount"))
    with pytest.raises(ValidationError) as exc:
        set_tiers(aid_world, tiers)
    assert field in _errors(exc)
    assert list(AidTier.objects.values_list("self_paid_from", "amount")) == before


def test_only_the_committee_edits_the_table_and_settings(aid_world):
    with pytest.raises(PermissionDenied):
        aid_services.tiers_replace(actor=aid_world.users.fund_officer, tiers=TIERS)
    with pytest.raises(PermissionDenied):
        aid_services.settings_save(
            actor=aid_world.users.fund_officer,
            officer_alone_below=D(1),
            second_committee_from=D(2),
            yearly_cap=D(3),
        )


def test_settings_save_and_its_refusals(aid_world):
    committee = aid_world.users.committee
    aid_services.settings_save(
        actor=committee,
        officer_alone_below=D(3000),
        second_committee_from=D(10000),
        yearly_cap=D(20000),
    )
    config = FundSettings.current()
    assert (config.officer_alone_below, config.second_committee_from, config.yearly_cap) == (
        D(3000),
        D(10000),
        D(20000),
    )
    with pytest.raises(ValidationError) as exc:
        aid_services.settings_save(
            actor=committee,
            officer_alone_below=D(3000),
            second_committee_from=D(2000),
            yearly_cap=D(0),
        )
    assert set(_errors(exc)) == {"yearly_cap"}
    assert FundSettings.current().yearly_cap == D(20000)


def test_settings_second_threshold_below_the_first_is_refused(aid_world):
    with pytest.raises(ValidationError) as exc:
        aid_services.settings_save(
            actor=aid_world.users.committee,
            officer_alone_below=D(3000),
            second_committee_from=D(2000),
            yearly_cap=D(1000),
        )
    assert set(_errors(exc)) == {"second_committee_from"}


# --- applications --------------------------------------------------------------------------------


def test_create_works_out_self_paid_and_the_amount(aid_world):
    application = draft(aid_world, total="30000", reimbursed="8000")
    assert application.self_paid == D("22000.00")
    assert application.amount == D(8000)  # the 20,000–50,000 tier
    assert application.state == ApplicationState.DRAFT
    assert application.unit == aid_world.unit
    assert application.number == "BF2026-0001"
    assert application.documents.get().content_type == "application/pdf"


def test_reimbursed_above_total_is_refused_naming_both(aid_world):
    with pytest.raises(ValidationError) as exc:
        draft(aid_world, total="1000", reimbursed="1200")
    assert {"total_cost", "reimbursed"} <= set(_errors(exc))
    assert not AidApplication.objects.exists()


def test_a_unit_admin_applies_for_its_own_units_staff_only(aid_world):
    with pytest.raises(ValidationError) as exc:
        draft(aid_world, member=aid_world.other_member)
    assert set(_errors(exc)) == {"member"}
    # the fund officer may apply for anyone
    application = draft(
        aid_world, actor=aid_world.users.fund_officer, member=aid_world.other_member
    )
    assert application.unit == aid_world.other_unit


@pytest.mark.parametrize("role", ["committee", "member", "window_clerk", "audit_admin"])
def test_other_roles_do_not_apply(aid_world, role):
    with pytest.raises(PermissionDenied):
        draft(aid_world, actor=getattr(aid_world.users, role))
    assert not AidApplication.objects.exists()


def test_documents_are_checked_from_their_bytes(aid_world):
    fake = pdf("诊断.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError) as exc:
        draft(aid_world, documents=[(DocumentKind.DIAGNOSIS, pdf()), (DocumentKind.INVOICE, fake)])
    assert set(_errors(exc)) == {"documents[1]"}
    assert not AidApplication.objects.exists()
    assert not AidDocument.objects.exists()
    ok = draft(
        aid_world,
        documents=[
            (DocumentKind.DIAGNOSIS, pdf()),
            (DocumentKind.INVOICE, pdf("a.png", PNG)),
            (DocumentKind.OTHER, pdf("b.jpg", JPEG)),
        ],
    )
    assert sorted(ok.documents.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]


def test_a_document_over_the_size_limit_is_refused(aid_world):
    big = pdf("big.pdf", b"%PDF-" + b"0" * (aid_services.DOCUMENT_MAX_BYTES + 1))
    with pytest.raises(ValidationError) as exc:
        draft(aid_world, documents=[(DocumentKind.DIAGNOSIS, big)])
    assert set(_errors(exc)) == {"documents[0]"}


def test_update_changes_the_draft_and_works_out_the_amount_again(aid_world):
    application = draft(aid_world, total="30000", reimbursed="10000")
    updated = aid_services.application_update(
        actor=aid_world.users.unit_admin, application=application, total_cost=D("120000")
    )
    assert updated.self_paid == D("110000.00")
    assert updated.amount == D(25000)
    assert updated.diagnosis == "cancer"  # not given: kept


def test_the_audit_log_never_holds_illness_values(aid_world):
    application = draft(aid_world)
    aid_services.application_update(
        actor=aid_world.users.unit_admin,
        application=application,
        diagnosis="uremia",
        diagnosis_note="透析",
        total_cost=D("40000"),
    )
    logged = str(list(AuditEvent.objects.values_list("changes", "message")))
    for secret in ("cancer", "uremia", "恶性肿瘤", "尿毒症", "化疗", "透析", "40000", "30000"):
        assert secret not in logged
    assert "（已隐藏）" in logged


def test_submit_fixes_the_chain_and_tells_the_fund_officers(aid_world):
    application = submitted(aid_world, total="30000", reimbursed="10000")  # self-paid 20,000
    assert application.state == ApplicationState.SUBMITTED
    assert application.amount == D(8000)
    assert application.chain == ["fund_officer", "committee"]
    assert application.submitted_on == aid_world.today
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"fund_officer", "fund_officer2"}
    assert not any(
        "cancer" in t or "肿瘤" in t for t in Notification.objects.values_list("text", flat=True)
    )


def test_submit_needs_a_diagnosis_document(aid_world):
    application = draft(aid_world, documents=[(DocumentKind.INVOICE, pdf())])
    with pytest.raises(ValidationError) as exc:
        aid_services.application_submit(actor=aid_world.users.unit_admin, application=application)
    assert set(_errors(exc)) == {"documents"}
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT and application.chain == []


def test_submit_with_no_aid_is_refused_naming_self_paid(aid_world):
    application = draft(aid_world, total="4000", reimbursed="0")  # below the first tier
    assert application.amount == 0
    with pytest.raises(ValidationError) as exc:
        aid_services.application_submit(actor=aid_world.users.unit_admin, application=application)
    assert set(_errors(exc)) == {"self_paid"}
    assert "4000" in _errors(exc)["self_paid"][0]


def test_submit_when_the_cap_is_used_up_is_refused_naming_the_amount(aid_world):
    fund_bank(aid_world, 100000)
    aid_services.settings_save(
        actor=aid_world.users.committee,
        officer_alone_below=D(5000),
        second_committee_from=D(20000),
        yearly_cap=D(8000),
    )
    paid(aid_world, total="30000", reimbursed="10000")  # 8,000: the whole cap
    second = draft(aid_world)
    with pytest.raises(ValidationError) as exc:
        aid_services.application_submit(actor=aid_world.users.unit_admin, application=second)
    assert set(_errors(exc)) == {"amount"}
    assert "8000" in _errors(exc)["amount"][0]


def test_the_amount_is_capped_by_what_is_left_of_the_year(aid_world):
    fund_bank(aid_world, 100000)
    paid(aid_world, total="130000", reimbursed="0")  # 25,000 of the 30,000 cap
    application = submitted(aid_world, total="130000", reimbursed="0")
    assert application.amount == D(5000)


# --- the approval chain ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "chain"),
    [
        ("4999.99", ["fund_officer"]),
        ("5000", ["fund_officer", "committee"]),
        ("19999.99", ["fund_officer", "committee"]),
        ("20000", ["fund_officer", "committee", "committee"]),
    ],
)
def test_the_chain_at_each_threshold(aid_world, amount, chain):
    one_tier(aid_world, amount)
    application = submitted(aid_world)
    assert application.amount == D(amount)
    assert application.chain == chain
    application = approve_all(aid_world, application)
    assert application.state == ApplicationState.APPROVED
    assert list(Approval.objects.values_list("role", flat=True)) == chain
    assert len(set(Approval.objects.values_list("approver", flat=True))) == len(chain)


def test_the_chain_stays_as_fixed_when_the_thresholds_change(aid_world):
    one_tier(aid_world, "6000")
    application = submitted(aid_world)
    aid_services.settings_save(
        actor=aid_world.users.committee,
        officer_alone_below=D(10000),
        second_committee_from=D(20000),
        yearly_cap=D(30000),
    )
    application = approve_all(aid_world, application)
    assert application.chain == ["fund_officer", "committee"]
    assert Approval.objects.count() == 2


def test_an_earlier_approval_passes_it_to_the_next_role(aid_world):
    application = submitted(aid_world)  # 8,000: fund officer, then committee
    Notification.objects.all().delete()
    application = aid_services.application_decide(
        actor=aid_world.users.fund_officer, application=application, decision=Decision.APPROVE
    )
    assert application.state == ApplicationState.SUBMITTED
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "committee",
        "committee2",
    }


def test_not_your_step_is_refused(aid_world):
    application = submitted(aid_world)
    with pytest.raises(PermissionDenied) as exc:
        aid_services.application_decide(
            actor=aid_world.users.committee, application=application, decision=Decision.APPROVE
        )
    assert str(exc.value) == str(rules.NOT_YOUR_STEP % {"role": "帮扶金经办人"})
    assert not Approval.objects.exists()


def test_the_same_person_never_approves_twice_in_one_chain(aid_world):
    one_tier(aid_world, "20000")  # fund officer, committee, committee
    application = submitted(aid_world)
    aid_services.application_decide(
        actor=aid_world.users.fund_officer, application=application, decision=Decision.APPROVE
    )
    aid_services.application_decide(
        actor=aid_world.users.committee, application=application, decision=Decision.APPROVE
    )
    with pytest.raises(PermissionDenied) as exc:
        aid_services.application_decide(
            actor=aid_world.users.committee, application=application, decision=Decision.APPROVE
        )
    assert str(exc.value) == str(rules.ALREADY_APPROVED)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert Approval.objects.count() == 2


def test_the_creator_never_decides_its_own_application(aid_world):
    application = submitted(aid_world, actor=aid_world.users.fund_officer)
    with pytest.raises(PermissionDenied) as exc:
        aid_services.application_decide(
            actor=aid_world.users.fund_officer, application=application, decision=Decision.APPROVE
        )
    assert str(exc.value) == str(rules.OWN_APPLICATION)
    # another fund officer may
    aid_services.application_decide(
        actor=aid_world.fund_officer2, application=application, decision=Decision.APPROVE
    )


def test_the_beneficiary_never_decides_its_own_application(aid_world):
    officer_member = f.MemberFactory(unit=aid_world.unit, branch=aid_world.org, name="王经办")
    officer = f.UserFactory(username="fo_member", role="fund_officer", member=officer_member)
    application = submitted(aid_world, member=officer_member)
    with pytest.raises(PermissionDenied) as exc:
        aid_services.application_decide(
            actor=officer, application=application, decision=Decision.APPROVE
        )
    assert str(exc.value) == str(rules.OWN_APPLICATION)
    assert not Approval.objects.exists()


def test_reject_ends_it_and_needs_a_reason(aid_world):
    application = submitted(aid_world)
    with pytest.raises(ValidationError) as exc:
        aid_services.application_decide(
            actor=aid_world.users.fund_officer, application=application, decision=Decision.REJECT
        )
    assert set(_errors(exc)) == {"note"}
    assert not Approval.objects.exists()
    application = aid_services.application_decide(
        actor=aid_world.users.fund_officer,
        application=application,
        decision=Decision.REJECT,
        note="材料不全",
    )
    assert application.state == ApplicationState.REJECTED
    assert application.decided_on == aid_world.today
    assert Notification.objects.filter(
        recipient=aid_world.users.unit_admin, kind="fund_aid_rejected"
    ).exists()


def test_the_database_refuses_one_approver_twice(aid_world):
    from django.db import IntegrityError, transaction

    application = submitted(aid_world)
    Approval.objects.create(
        application=application,
        step=0,
        role="fund_officer",
        approver=aid_world.users.fund_officer,
        decision="approve",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(
            application=application,
            step=1,
            role="committee",
            approver=aid_world.users.fund_officer,
            decision="approve",
        )


# --- payment -------------------------------------------------------------------------------------


def test_pay_posts_aid_paid_against_the_bank(aid_world):
    fund_bank(aid_world, 50000)
    payment = paid(aid_world, reference="ICBC-2026-001")
    application = payment.application
    application.refresh_from_db()
    assert application.state == ApplicationState.PAID
    assert payment.amount == D(8000)
    tx = payment.transaction
    assert tx.kind == "aid"
    lines = {(e.account.code, e.debit, e.credit) for e in tx.entries.select_related("account")}
    assert lines == {(ledger.AID_PAID, D(8000), D(0)), (ledger.BANK, D(0), D(8000))}
    assert ledger.bank_balance() == D(42000)


def test_pay_is_refused_when_the_bank_is_short_and_nothing_is_written(aid_world):
    fund_bank(aid_world, 5000)
    application = approved(aid_world)  # 8,000
    transactions = Transaction.objects.count()
    with pytest.raises(Conflict) as exc:
        aid_services.application_pay(
            actor=aid_world.users.fund_officer,
            application=application,
            paid_on=aid_world.today,
            transfer_reference="TR-1",
        )
    assert "5000" in str(exc.value)
    assert Transaction.objects.count() == transactions
    assert not Payment.objects.exists()
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert ledger.bank_balance() == D(5000)


def test_a_payment_over_the_yearly_cap_is_refused_naming_the_cap(aid_world):
    fund_bank(aid_world, 100000)
    first = approved(aid_world, total="130000", reimbursed="0")  # 25,000
    second = approved(aid_world, total="30000", reimbursed="10000")  # 5,000 (what is left)
    aid_services.application_pay(
        actor=aid_world.users.fund_officer,
        application=first,
        paid_on=aid_world.today,
        transfer_reference="TR-1",
    )
    # the committee lowers the cap after both were approved
    aid_services.settings_save(
        actor=aid_world.users.committee,
        officer_alone_below=D(5000),
        second_committee_from=D(20000),
        yearly_cap=D(28000),
    )
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        aid_services.application_pay(
            actor=aid_world.users.fund_officer,
            application=second,
            paid_on=aid_world.today,
            transfer_reference="TR-2",
        )
    assert set(_errors(exc)) == {"amount"}
    assert "28000" in _errors(exc)["amount"][0]
    assert Entry.objects.count() == entries
    second.refresh_from_db()
    assert second.state == ApplicationState.APPROVED


def test_the_transfer_reference_is_required_and_unique(aid_world):
    fund_bank(aid_world, 100000)
    paid(aid_world, reference="TR-SAME")
    application = approved(aid_world, member=None)
    for reference, message in (("", "请填写"), ("TR-SAME", "TR-SAME")):
        with pytest.raises(ValidationError) as exc:
            aid_services.application_pay(
                actor=aid_world.users.fund_officer,
                application=application,
                paid_on=aid_world.today,
                transfer_reference=reference,
            )
        assert message in _errors(exc)["transfer_reference"][0]
    assert Payment.objects.count() == 1


def test_pay_date_cannot_be_in_the_future(aid_world):
    fund_bank(aid_world, 100000)
    application = approved(aid_world)
    with pytest.raises(ValidationError) as exc:
        aid_services.application_pay(
            actor=aid_world.users.fund_officer,
            application=application,
            paid_on=day(2026, 5, 14),
            transfer_reference="TR-9",
        )
    assert set(_errors(exc)) == {"paid_on"}


def test_only_the_fund_officer_pays(aid_world):
    fund_bank(aid_world, 100000)
    application = approved(aid_world)
    with pytest.raises(PermissionDenied):
        aid_services.application_pay(
            actor=aid_world.users.committee,
            application=application,
            paid_on=aid_world.today,
            transfer_reference="TR-1",
        )


# --- scope ---------------------------------------------------------------------------------------


def test_another_units_admin_cannot_touch_an_application(aid_world):
    from guanqing.core.services import OutOfScope

    other_admin = f.UserFactory(
        username="other_admin", role="unit_admin", unit=aid_world.other_unit
    )
    application = draft(aid_world)
    with pytest.raises(OutOfScope):
        aid_services.application_submit(actor=other_admin, application=application)
    with pytest.raises(OutOfScope):
        aid_services.application_withdraw(actor=other_admin, application=application)


# --- publicity -----------------------------------------------------------------------------------


def test_publicity_lists_paid_applications_with_masked_names(aid_world):
    fund_bank(aid_world, 100000)
    paid(aid_world, reference="TR-1")
    approved(aid_world, member=None)  # approved, not paid: not listed
    rows = aid_services.publicity(2026)
    assert [(r.name, r.unit, r.amount, r.paid_on) for r in rows] == [
        ("张*", "市纪委", D(8000), aid_world.today)
    ]
    assert aid_services.publicity(2025) == []


def test_a_drafts_document_can_be_removed_but_not_once_submitted(aid_world):
    application = draft(
        aid_world, documents=[(DocumentKind.DIAGNOSIS, pdf()), (DocumentKind.INVOICE, pdf())]
    )
    invoice = application.documents.get(kind=DocumentKind.INVOICE)
    aid_services.application_document_remove(
        actor=aid_world.users.unit_admin, application=application, document=invoice
    )
    assert list(application.documents.values_list("kind", flat=True)) == ["diagnosis"]
    aid_services.application_submit(actor=aid_world.users.unit_admin, application=application)
    with pytest.raises(Conflict):
        aid_services.application_document_remove(
            actor=aid_world.users.unit_admin,
            application=application,
            document=application.documents.get(),
        )
    assert application.documents.count() == 1


def test_costs_in_fen_are_kept_to_the_fen(aid_world):
    """Self-paid is total − reimbursed to the fen, on SQLite (decimals in floating point) too."""
    application = draft(aid_world, total="6123.45", reimbursed="1000.10")
    application.refresh_from_db()
    assert application.self_paid == D("5123.35")
