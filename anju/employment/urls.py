from django.urls import path

from . import views

app_name = "employment"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("households/", views.households, name="households"),
    path("months/", views.months, name="months"),
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
    path("retentions/", views.retentions, name="retentions"),
    path("retentions/<int:pk>/check/", views.retention_check, name="retention-check"),
    path("persons/<int:pk>/seeking/", views.seeker_save, name="seeker-save"),
    path("workshops/", views.workshop_list, name="workshops"),
    path("workshops/new/", views.workshop_create, name="workshop-create"),
    path("workshops/checks/", views.workshop_check, {"check": "share"}, name="workshop-checks"),
    path("workshops/checks/<str:check>/", views.workshop_check, name="workshop-check"),
    path("workshops/<int:pk>/", views.workshop_detail, name="workshop"),
    path("workshops/<int:pk>/quarter/", views.quarter_add, name="quarter-add"),
    path("public-posts/", views.public_posts, name="public-posts"),
    path("subsidies/", views.subsidy_eligible, name="subsidies"),
    path("subsidies/batches/", views.batch_list, name="batches"),
    path("subsidies/batches/new/", views.batch_create, name="batch-create"),
    path("subsidies/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("subsidies/batches/<int:pk>/advance/", views.batch_advance, name="batch-advance"),
    path("subsidies/batches/<int:pk>/add/", views.batch_add, name="batch-add"),
    path("subsidies/payments/<int:pk>/withdraw/", views.payment_withdraw, name="payment-withdraw"),
]
