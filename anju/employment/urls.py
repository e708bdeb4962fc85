from django.urls import path

from . import views

app_name = "employment"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("households/", views.households, name="households"),
    path("records/", views.records, name="records"),
    path("helps/", views.helps, name="helps"),
    path("persons/<int:pk>/", views.person_file, name="person"),
    path("persons/<int:pk>/job/", views.job_add, name="job-add"),
    path("jobs/<int:pk>/end/", views.job_end, name="job-end"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/new/", views.employer_create, name="employer-create"),
    path("postings/", views.posting_list, name="postings"),
    path("postings/new/", views.posting_create, name="posting-create"),
    path("postings/<int:pk>/", views.posting_detail, name="posting"),
    path("postings/<int:pk>/push/<int:seeker_pk>/", views.push_to, name="push"),
    path("pushes/<int:pk>/advance/", views.push_advance, name="push-advance"),
    path("persons/<int:pk>/seeking/", views.seeker_save, name="seeker-save"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path(
        "recommendations/refresh/",
        views.recommendations_refresh,
        name="recommendations-refresh",
    ),
]
