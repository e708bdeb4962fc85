from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:parent_pk>/new/", views.unit_create, name="unit-create"),
    path("units/<int:unit_pk>/sites/new/", views.site_create, name="site-create"),
    path("sites/", views.site_list, name="site-list"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("grids/", views.grid_list, name="grid-list"),
    path("grids/<int:pk>/", views.grid_detail, name="grid-detail"),
    path("buildings/", views.building_list, name="building-list"),
    path("buildings/<int:pk>/", views.building_detail, name="building-detail"),
    path("positions/", views.position_list, name="position-list"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position-edit"),
    path("positions/<int:pk>/delete/", views.position_delete, name="position-delete"),
    path("positions/<int:pk>/reveal-phone/", views.position_reveal_phone, name="position-reveal"),
    path("nodes/<str:key>/edit/", views.node_edit, name="node-edit"),
    path("nodes/<str:key>/delete/", views.node_delete, name="node-delete"),
    path("nodes/<str:key>/grids/new/", views.grid_create, name="grid-create"),
    path("nodes/<str:key>/buildings/new/", views.building_create, name="building-create"),
    path("nodes/<str:key>/positions/new/", views.position_create, name="position-create"),
]
