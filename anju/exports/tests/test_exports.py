"""Background exports as a user meets them: a long ledger becomes a job, the job replays the
page as the user, the file downloads with exactly the page's rows, and nobody else sees it."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from anju.audit.models import AuditLog
from anju.exports import services
from anju.exports.models import ExportJob


def _rows(content: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book.active.iter_rows(values_only=True))


@pytest.fixture
def background(settings):
    settings.ANJU_EXPORT_INLINE_ROWS = 0  # every export of a ledger goes to the background
    return settings


def _export_in_background(client, url, capture):
    with capture(execute=True):
        response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/exports/"), response
    return ExportJob.objects.get(pk=int(response.url.strip("/").split("/")[1]))


def test_a_long_ledger_is_made_in_the_background_with_the_pages_own_rows(
    world, client_for, background, django_capture_on_commit_callbacks, settings
):
    client = client_for(world.users["town_staff"])
    settings.ANJU_EXPORT_INLINE_ROWS = 1000
    inline = b"".join(client.get("/registry/?export=xlsx").streaming_content)
    settings.ANJU_EXPORT_INLINE_ROWS = 0
    exports_before = AuditLog.objects.filter(action="export").count()

    job = _export_in_background(
        client, "/registry/?export=xlsx", django_capture_on_commit_callbacks
    )
    assert job.status == ExportJob.Status.DONE, job.message
    assert (job.title, job.file_name, job.rows) == ("搬迁户台账", "后续扶持台账.xlsx", 2)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "已完成" in page and "下载 后续扶持台账.xlsx" in page
    download = client.get(f"/exports/{job.pk}/download")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert _rows(b"".join(download.streaming_content)) == _rows(inline)
    # Audited once, as the user, when the file was made.
    log = AuditLog.objects.filter(action="export").order_by("-id").first()
    assert AuditLog.objects.filter(action="export").count() == exports_before + 1
    assert (log.actor_id, log.object_repr) == (world.users["town_staff"].pk, "后续扶持台账")


def test_filters_and_full_identity_numbers_carry_into_the_job(
    world, client_for, background, django_capture_on_commit_callbacks
):
    client = client_for(world.users["town_staff"])
    reveals = AuditLog.objects.filter(action="reveal").count()
    url = f"/registry/?site={world.a.site.pk}&export=xlsx&reveal=1"
    job = _export_in_background(client, url, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE
    assert job.title.startswith("搬迁户台账（安置点=")
    rows = _rows(b"".join(client.get(f"/exports/{job.pk}/download").streaming_content))
    ids = [row[2] for row in rows[1:]]
    assert len(ids) == 2 and not any("*" in i for i in ids)
    assert AuditLog.objects.filter(action="reveal").count() == reveals + 1


def test_short_lists_still_stream_at_once(world, client_for, settings):
    settings.ANJU_EXPORT_INLINE_ROWS = 1000
    response = client_for(world.users["town_staff"]).get("/registry/?export=xlsx")
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists()


def test_another_users_job_is_invisible(
    world, client_for, background, django_capture_on_commit_callbacks, client
):
    owner = client_for(world.users["town_staff"])
    job = _export_in_background(owner, "/registry/?export=xlsx", django_capture_on_commit_callbacks)
    api = owner.get("/api/exports/").json()
    assert [j["id"] for j in api["results"]] == [job.pk]
    assert api["results"][0]["download_url"] == f"/exports/{job.pk}/download"
    assert api["results"][0]["status_label"] == "已完成"

    # The same town's site staff, and the whole county's leader: never someone else's file.
    for other in ("site_staff", "whole_county"):
        client.force_login(world.users[other])
        assert client.get(f"/exports/{job.pk}/").status_code == 404
        assert client.get(f"/exports/{job.pk}/download").status_code == 404
        assert client.get(f"/api/exports/{job.pk}/").status_code == 404
        assert client.get("/api/exports/").json()["results"] == []
        assert "还没有导出任务" in client.get("/exports/").content.decode()
    client.logout()
    assert client.get("/api/exports/").status_code == 403
    assert client.get(f"/exports/{job.pk}/download").status_code == 302  # to the login page


def test_a_job_runs_once_and_a_deactivated_user_gets_nothing(
    world, client_for, background, django_capture_on_commit_callbacks
):
    user = world.users["town_staff"]
    job = services.start(user, url="/registry/?export=xlsx", title="搬迁户台账")
    type(user).objects.filter(pk=user.pk).update(is_active=False)  # deactivated meanwhile
    assert services.run(job.pk).status == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.message == "申请导出的账号已停用，导出已取消。"
    assert services.file_path(job) is None and not job.stored_name
    # Delivered again: nothing happens.
    assert services.run(job.pk).message == "申请导出的账号已停用，导出已取消。"


def test_exporting_again_while_the_file_is_made_shows_the_same_job(world):
    user = world.users["town_staff"]
    first = services.start(user, url="/registry/?export=xlsx", title="搬迁户台账")
    assert services.start(user, url="/registry/?export=xlsx", title="搬迁户台账") == first
    other = services.start(user, url="/registry/?category=lifted&export=xlsx", title="搬迁户台账")
    assert other != first
    services.run(first.pk)
    assert services.start(user, url="/registry/?export=xlsx", title="搬迁户台账") != first


def test_a_page_that_is_gone_fails_with_a_reason(world):
    job = services.start(world.users["town_staff"], url="/no-such-page/?export=xlsx", title="x")
    assert services.run(job.pk).message == "导出的页面已不存在，请回到页面重新导出。"


def test_a_page_the_user_may_no_longer_read_fails_without_a_file(world):
    # A building head may not read the audit log (module "audit").
    job = services.start(world.users["building_head"], url="/audit/?export=xlsx", title="审计日志")
    job = services.run(job.pk)
    assert job.status == ExportJob.Status.FAILED and job.message
    assert services.file_path(job) is None


def test_clean_ends_dead_jobs_and_removes_old_files(
    world, client_for, background, django_capture_on_commit_callbacks
):
    client = client_for(world.users["town_staff"])
    done = _export_in_background(
        client, "/registry/?export=xlsx", django_capture_on_commit_callbacks
    )
    stored = services.file_path(done)
    assert stored.exists() and stored.name.startswith(f"{done.pk}-")
    dead = ExportJob.objects.create(
        user=world.users["town_staff"],
        title="中断的导出",
        url="/registry/?export=xlsx",
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
    )
    assert services.clean() == 1
    dead.refresh_from_db()
    assert (dead.status, dead.message) == ("failed", "导出进程中断，请重新导出。")
    ExportJob.objects.filter(pk=done.pk).update(finished_at=timezone.now() - timedelta(days=8))
    call_command("exports", "clean")
    done.refresh_from_db()
    assert done.status == ExportJob.Status.EXPIRED
    assert not stored.exists()
    assert client.get(f"/exports/{done.pk}/download").status_code == 404
