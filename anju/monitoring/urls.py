from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.coverage_page, name="coverage"),
    path("unvisited/", views.unvisited_page, name="unvisited"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visit-photos/<int:pk>/", views.visit_photo, name="visit-photo"),
    path("households/<int:household_pk>/visit/", views.visit_form, name="visit-form"),
    path("incomes/", views.income_list, name="incomes"),
    path("cards/", views.cards, name="cards"),
    path("leads/", views.lead_list, name="leads"),
    path("warnings/", views.warning_list, name="warnings"),
    path("ledger/", views.monitored_ledger, name="ledger"),
    path("policies/", views.policy_ledger, name="policies"),
    path("exchange/", views.exchange, name="exchange"),
    path("feeds/", views.feed_list, name="feeds"),
    path("feeds/import/", views.feed_import, name="feed-import"),
    path("feeds/<int:pk>/", views.feed_detail, name="feed"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/step/", views.warning_step, name="warning-step"),
    path("warnings/<int:pk>/notice/", views.warning_notice, name="warning-notice"),
    path("warnings/<int:pk>/notice.pdf", views.warning_notice_pdf, name="warning-notice-pdf"),
    path("warnings/<int:pk>/cadres/", views.warning_cadres, name="warning-cadres"),
    path("warnings/<int:pk>/measures/", views.measure_add, name="measure-add"),
    path("measures/<int:pk>/done/", views.measure_done, name="measure-done"),
    path("steps/<int:pk>/attachment/", views.step_attachment, name="step-attachment"),
    path("households/<int:household_pk>/income/", views.income_form, name="income-form"),
]
