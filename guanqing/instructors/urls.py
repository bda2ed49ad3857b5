from django.urls import path

from guanqing.instructors import views_member, views_unit

urlpatterns = [
    # the instructor's own log (phone first)
    path("log/", views_member.my_log, name="my_log"),
    # the unit's instructors, appointing, a term's page and its actions
    path("terms/", views_unit.terms, name="terms"),
    path("terms/new/", views_unit.term_new, name="term_new"),
    path("terms/<id:pk>/", views_unit.term_detail, name="term"),
    path("terms/<id:pk>/end/", views_unit.term_end, name="term_end"),
    path("terms/<id:pk>/raise/", views_unit.term_raise, name="term_raise"),
    # the committee's city view, the figures, the setting
    path("city/", views_unit.city, name="city"),
    path("figures/", views_unit.figures_page, name="figures"),
    path("settings/", views_unit.settings_page, name="settings"),
]
