"""The fund's books (the fund officer and the committee): the balance and the accounts, the
vouchers with their lines, a voucher's page (with 冲正 for the fund officer), interest and bank
fees posted by hand, the months with 结账, and the yearly report (page, PDF, Excel).

Reads start from `visible_to(request.user)`; posts go through `guanqing.fund.books` (and from there
the ledger), refused ones shown beside the field they concern."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.excel import audited_export, rows_workbook
from guanqing.core.pdf import inline_pdf_response, render_document
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.fund import books, ledger
from guanqing.fund.access import access
from guanqing.fund.choices import AccountKind
from guanqing.fund.forms_books import ManualPostForm, ReverseForm, YearForm
from guanqing.fund.models import Account, Entry, Transaction

# --- the balance and the accounts ------------------------------------------------------------


@access.page("books")
@require_GET
def overview(request):
    ledger.standard_account(ledger.BANK)  # the bank is shown even before the first gift
    accounts = list(Account.objects.visible_to(request.user).select_related("unit"))
    sums = {
        row["account_id"]: row
        for row in Entry.objects.values("account_id").annotate(d=Sum("debit"), c=Sum("credit"))
    }
    groups = {kind: [] for kind in AccountKind.values}
    for account in accounts:
        row = sums.get(account.pk, {})
        debits, credits = row.get("d") or 0, row.get("c") or 0
        account.entries_sum = books.money(
            (debits - credits) if account.debit_normal else (credits - debits)
        )
        account.agrees = account.entries_sum == account.balance
        groups[account.kind].append(account)
    bank = next(a for a in accounts if a.code == ledger.BANK)
    return render(
        request,
        "fund/books/overview.html",
        {
            "bank": bank,
            "groups": [(AccountKind(kind).label, rows) for kind, rows in groups.items() if rows],
            "today": business_date(),
            "all_agree": all(a.agrees for a in accounts),
        },
    )


# --- the vouchers ----------------------------------------------------------------------------


@access.page("books")
@require_GET
def voucher_list(request):
    filterset = books.VoucherFilter(
        request.GET or None, queryset=books.vouchers(request.user), request=request
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        rows = rows.none()
    page = paginate(request, rows)
    return render_page(
        request,
        "fund/books/vouchers.html",
        "fund/books/partials/voucher_results.html",
        {"form": filterset.form, "page_obj": page, "rows": page.object_list},
    )


def _voucher(request, pk) -> Transaction:
    return get_object_or_404(books.vouchers(request.user), pk=pk)


def _voucher_page(request, tx, form=None, status=200):
    can_reverse = access.allows(request.user, "post") and books.may_reverse(tx)
    if can_reverse and form is None:
        form = ReverseForm(initial={"posted_on": business_date()})
    return render(
        request,
        "fund/books/voucher.html",
        {
            "tx": tx,
            "lines": list(tx.entries.all()),
            "totals": tx.entries.aggregate(d=Sum("debit"), c=Sum("credit")),
            "reverse_form": form if can_reverse else None,
        },
        status=status,
    )


@access.page("books")
@require_GET
def voucher_detail(request, pk):
    return _voucher_page(request, _voucher(request, pk))


@access.page("post")
@require_POST
def voucher_reverse(request, pk):
    tx = _voucher(request, pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = books.voucher_reverse(
                actor=request.user,
                transaction=tx,
                posted_on=form.cleaned_data["posted_on"],
                memo=form.cleaned_data["memo"],
            )
        except Conflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("已冲正，冲正凭证 %(number)s") % {"number": reversal.number}
            )
            return redirect("fund:books_voucher", pk=reversal.pk)
    return _voucher_page(request, tx, form, status=400)


# --- posting interest and fees by hand -------------------------------------------------------


@access.page("post")
def manual_post(request):
    form = ManualPostForm(request.POST or None, initial={"posted_on": business_date()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                tx = books.manual_post(actor=request.user, **form.cleaned_data)
            except Conflict as exc:
                form.add_error("amount", str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已记账，凭证 %(number)s") % {"number": tx.number})
                return redirect("fund:books_voucher", pk=tx.pk)
        status = 400
    return render(request, "fund/books/post.html", {"form": form}, status=status)


# --- periods ---------------------------------------------------------------------------------


@access.page("books")
@require_GET
def period_list(request):
    return render(
        request,
        "fund/books/periods.html",
        {"rows": books.periods(), "can_close": access.allows(request.user, "post")},
    )


@access.page("post")
@require_POST
def period_close(request):
    month = books.parse_month(request.POST.get("month", ""))
    if month is None:
        messages.error(request, _("请按 年-月 填写月份，例如 2026-05"))
        return redirect("fund:books_periods")
    try:
        books.month_close(actor=request.user, month=month)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(month)s 已结账") % {"month": f"{month:%Y-%m}"})
    return redirect("fund:books_periods")


# --- the yearly report -----------------------------------------------------------------------


def _report(request):
    today = business_date()
    form = YearForm(request.GET if "year" in request.GET else None, initial={"year": today.year})
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else today.year
    return form, books.yearly_report(year, today=today)


@access.page("books")
@require_GET
def report(request):
    form, result = _report(request)
    return render(
        request,
        "fund/books/report.html",
        {"form": form, "report": result},
        status=400 if form.is_bound and form.errors else 200,
    )


@access.page("books")
@require_GET
def report_pdf(request):
    _form, result = _report(request)
    content = render_document(
        "fund/books/report_pdf.html", {"report": result, "today": business_date()}, request=request
    )
    return inline_pdf_response(content, filename=f"汇爱帮扶金{result.year}年度报告.pdf")


@access.page("books")
@require_GET
def report_excel(request):
    _form, result = _report(request)
    headers, rows = books.report_rows(result)
    return audited_export(
        actor=request.user,
        content=rows_workbook(title=f"{result.year}", headers=headers, rows=rows),
        title=f"汇爱帮扶金{result.year}年度报告",
        object_type="fund.report",
        rows=len(result.months),
        filters={"year": result.year},
    )
