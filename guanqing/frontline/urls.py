from django.urls import path

from guanqing.frontline import views_figures, views_keys, views_outreach

urlpatterns = [
    # Open311 application keys (the system administrator)
    path("keys/", views_keys.keys, name="open311_keys"),
    path("keys/<id:pk>/revoke/", views_keys.key_revoke, name="open311_key_revoke"),
    # 走访: the visits, the entry form, a visit; the places (走访对象); the figures (走访统计)
    path("outreach/", views_outreach.outreach_list, name="outreach"),
    path("outreach/new/", views_outreach.outreach_new, name="outreach_new"),
    path("outreach/<id:pk>/", views_outreach.outreach_detail, name="outreach_detail"),
    path("places/", views_outreach.place_list, name="places"),
    path("places/search/", views_outreach.place_search, name="place_search"),
    path("figures/", views_figures.figures_page, name="figures"),
]
