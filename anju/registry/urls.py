from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.household_list, name="household-list"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:household_pk>/persons/new/", views.person_create, name="person-create"),
    path("persons/<int:pk>/", views.person_detail, name="person-detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("persons/<int:pk>/move/", views.person_move, name="person-move"),
    path("persons/<int:pk>/reveal-id/", views.person_reveal, name="person-reveal"),
    path("sites/", views.site_list, name="site-list"),
    path("sites/<int:pk>/", views.site_profile, name="site-profile"),
    path("sites/<int:pk>/edit/", views.site_profile_edit, name="site-profile-edit"),
    path("summary/<str:key>/", views.summary_page, name="summary"),
    path("quality/", views.quality_page, name="quality"),
    path("quality/rerun/", views.quality_rerun, name="quality-rerun"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_batch, name="import-batch"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import-errors"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("template.xlsx", views.template_download, name="template"),
]
