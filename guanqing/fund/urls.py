"""The fund's pages under /fund/: the books, donations and aid, each area in its own module."""

from guanqing.fund import urls_aid, urls_books, urls_donations

urlpatterns = [*urls_books.urlpatterns, *urls_donations.urlpatterns, *urls_aid.urlpatterns]
