"""Pages of the fund: books (included by guanqing/fund/urls.py)."""

from django.urls import path

from guanqing.fund import views_books as v

urlpatterns: list = [
    path("books/", v.overview, name="books"),
    path("books/vouchers/", v.voucher_list, name="books_vouchers"),
    path("books/vouchers/<id:pk>/", v.voucher_detail, name="books_voucher"),
    path("books/vouchers/<id:pk>/reverse/", v.voucher_reverse, name="books_voucher_reverse"),
    path("books/post/", v.manual_post, name="books_post"),
    path("books/periods/", v.period_list, name="books_periods"),
    path("books/periods/close/", v.period_close, name="books_period_close"),
    path("books/report/", v.report, name="books_report"),
    path("books/report/pdf/", v.report_pdf, name="books_report_pdf"),
    path("books/report/excel/", v.report_excel, name="books_report_excel"),
]
