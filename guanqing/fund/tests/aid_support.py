"""Test support for the aid: a rule table, a second approver of each role, money in the bank, and
applications moved along their lifecycle through the services (the `aid_world` fixture)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from guanqing.fund import aid_services, ledger
from guanqing.fund.choices import Decision, DocumentKind, TransactionKind
from guanqing.fund.models import FundSettings
from guanqing.testing import factories as f

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32

# the committee's default table in the tests: 5,000–20,000 → 3,000; 20,000–50,000 → 8,000;
# 50,000–100,000 → 15,000; 100,000 and above → 25,000
TIERS = [
    {"self_paid_from": D("5000"), "self_paid_below": D("20000"), "amount": D("3000")},
    {"self_paid_from": D("20000"), "self_paid_below": D("50000"), "amount": D("8000")},
    {"self_paid_from": D("50000"), "self_paid_below": D("100000"), "amount": D("15000")},
    {"self_paid_from": D("100000"), "self_paid_below": None, "amount": D("25000")},
]


def pdf(name="诊断证明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def diagnosis_doc():
    return (DocumentKind.DIAGNOSIS, pdf())


def fund_bank(world, amount, *, on=None):
    """Money into the bank: a donation of the own unit (Dr bank / Cr donations)."""
    return ledger.post(
        actor=world.users.fund_officer,
        posted_on=on or world.today,
        kind=TransactionKind.DONATION,
        memo="测试捐款",
        lines=[
            ledger.debit(world.accounts.bank, D(amount)),
            ledger.credit(world.accounts.donations, D(amount)),
        ],
    )


def set_tiers(world, tiers):
    return aid_services.tiers_replace(actor=world.users.committee, tiers=tiers)


def one_tier(world, amount):
    """A table that gives `amount` to any self-paid amount."""
    return set_tiers(
        world, [{"self_paid_from": D(0), "self_paid_below": None, "amount": D(amount)}]
    )


def draft(world, *, actor=None, member=None, total="30000", reimbursed="10000", documents=None):
    return aid_services.application_create(
        actor=actor or world.users.unit_admin,
        member=member or world.member,
        relation="self",
        patient_name="",
        diagnosis="cancer",
        diagnosis_note="术后化疗",
        total_cost=D(total),
        reimbursed=D(reimbursed),
        reason="家庭困难",
        documents=[diagnosis_doc()] if documents is None else documents,
    )


def submitted(world, **kwargs):
    application = draft(world, **kwargs)
    return aid_services.application_submit(
        actor=kwargs.get("actor") or world.users.unit_admin, application=application
    )


def approve_all(world, application):
    """Each step of the chain decided "approve" by a different approver of its role."""
    pools = {
        "fund_officer": [world.users.fund_officer, world.fund_officer2],
        "committee": [world.users.committee, world.committee2],
    }
    used = set()
    for role in application.chain:
        actor = next(
            u for u in pools[role] if u.pk not in used and u.pk != application.created_by_id
        )
        used.add(actor.pk)
        application = aid_services.application_decide(
            actor=actor, application=application, decision=Decision.APPROVE
        )
    return application


def approved(world, **kwargs):
    return approve_all(world, submitted(world, **kwargs))


def paid(world, *, reference="TR-0001", on=None, **kwargs):
    application = approved(world, **kwargs)
    return aid_services.application_pay(
        actor=world.users.fund_officer
        if application.created_by_id != world.users.fund_officer.pk
        else world.fund_officer2,
        application=application,
        paid_on=on or world.today,
        transfer_reference=reference,
    )


def build_aid_world(world):
    FundSettings.objects.get_or_create(pk=1)
    world.fund_officer2 = f.UserFactory(username="fund_officer2", role="fund_officer")
    world.committee2 = f.UserFactory(username="committee2", role="committee")
    set_tiers(world, TIERS)
    return world


def day(y, m, d):
    return datetime.date(y, m, d)
