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
    path("postings/import/", views.posting_import, name="posting-import"),
    path("postings/template.xlsx", views.posting_template, name="posting-template"),
    path("training/", views.courses, name="courses"),
    path("training/new/", views.course_create, name="course-create"),
    path("training/people/", views.trainees, name="trainees"),
    path("training/sites/", views.untrained_sites, name="untrained-sites"),
    path("training/<int:pk>/", views.course_detail, name="course"),
    path("training/<int:pk>/edit/", views.course_edit, name="course-edit"),
    path("training/<int:pk>/enrol/", views.course_enrol, name="course-enrol"),
]
