"""Production serving: the settings pass Django's deployment checks, whitenoise serves the collected
static files, errors answer with the Chinese pages, gunicorn serves all of it, scripts/serve refuses
to start production without its variables, and the demo never overwrites a database in use."""

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import path

from anju.accounts.models import User
from anju.core.management.commands import setup_demo
from anju.orgs.models import AdminUnit
from anju.registry.models import Household

ROOT = Path(__file__).resolve().parents[3]
STATIC_HREF = re.compile(r'href="(/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css)"')


def production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ANJU_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="anju.settings.production",
        ANJU_SECRET_KEY="a-long-random-production-key-" + "x" * 40,
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The static files collected as in production: hashed names, compressed copies, a manifest."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=production_env(ANJU_STATIC_ROOT=str(root)),
        check=True,
        timeout=300,
    )
    return root


def test_production_settings_pass_the_deployment_checks(tmp_path):
    var = tmp_path / "var"  # a fresh checkout has none: beat and uploads need it
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production_env(ANJU_SSL_REDIRECT="1", ANJU_VAR_DIR=str(var)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "security." not in result.stdout + result.stderr
    assert var.is_dir()
    shown = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--verbosity",
            "0",
            "-c",
            "from django.conf import settings as s; "
            "print(s.DEBUG, s.STORAGES['staticfiles']['BACKEND'], s.MIDDLEWARE[1])",
        ],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.stdout.split() == [
        "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_whitenoise_serves_hashed_static_files_and_a_wrong_link_gets_the_chinese_404(
    static_root, db
):
    manifest = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(DEBUG=False, STATIC_ROOT=static_root, STORAGES=manifest):
        client = Client()  # a new client loads the middleware with these settings
        login = client.get("/login/")
        assert login.status_code == 200
        css = STATIC_HREF.search(login.content.decode()).group(1)
        served = client.get(css, HTTP_ACCEPT_ENCODING="gzip")
        assert served.status_code == 200
        assert served["Content-Encoding"] == "gzip"
        assert "immutable" in served["Cache-Control"]
        assert client.get("/static/vendor/bootstrap/css/no-such.css").status_code == 404

        missing = client.get("/no-such-page/")
        assert missing.status_code == 404
        assert "您要找的内容不存在" in missing.content.decode()
        assert css in missing.content.decode()  # the error page is styled too


@login_not_required
def _failing_view(request):
    raise RuntimeError("故意出错")


urlpatterns = [path("boom/", _failing_view)]
handler500 = "anju.core.views.error_500"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_the_chinese_500_page(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "系统出现内部错误" in response.content.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_health_pages_and_static_files_with_production_settings(
    static_root, tmp_path
):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "anju.wsgi"],
        cwd=ROOT,
        env=production_env(
            ANJU_STATIC_ROOT=str(static_root),
            ANJU_DATABASE_URL=f"sqlite:///{tmp_path / 'anju.sqlite3'}",
            ANJU_VAR_DIR=str(tmp_path),
            ANJU_BIND=f"127.0.0.1:{port}",
            ANJU_WEB_WORKERS="1",
            ANJU_ACCESS_LOG="",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = _get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn 30 秒内未启动"
                time.sleep(0.2)
        assert status == 200 and b'"status": "ok"' in body

        status, _, login = _get(f"{base}/login/")
        assert status == 200
        css = STATIC_HREF.search(login.decode()).group(1)
        status, headers, _ = _get(base + css, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"

        status, _, missing = _get(f"{base}/no-such-page/")
        assert status == 404 and "您要找的内容不存在" in missing.decode()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.parametrize("missing", ["ANJU_SECRET_KEY", "ANJU_DATABASE_URL", "ANJU_BROKER_URL"])
def test_serve_production_names_a_missing_variable_in_one_chinese_line(missing):
    env = production_env(
        ANJU_DATABASE_URL="postgres://postgres@127.0.0.1:5432/anju",
        ANJU_BROKER_URL="redis://127.0.0.1:6379/5",
    )
    env.pop(missing)
    result = subprocess.run(
        ["scripts/serve", "--production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"安居拒绝启动：生产环境必须设置环境变量 {missing}。"]


def test_setup_demo_loads_an_empty_database_once_and_keeps_what_users_changed(db):
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    assert "演示账号密码均为" in out.getvalue()
    household = Household.objects.order_by("pk").first()
    Household.objects.filter(pk=household.pk).update(room_no="用户改过")
    member = household.members.order_by("pk").first()
    type(member).objects.filter(pk=member.pk).update(name="用户改名")

    again = io.StringIO()
    call_command("setup_demo", stdout=again)
    assert again.getvalue().strip() == setup_demo.SKIPPED
    household.refresh_from_db()
    assert household.room_no == "用户改过"
    member.refresh_from_db()
    assert member.name == "用户改名"


def test_setup_demo_leaves_a_database_in_use_alone(db):
    User.objects.create_user("zhangsan", password="Zhangsan@2026x")
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    assert out.getvalue().strip() == setup_demo.SKIPPED
    assert not AdminUnit.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["zhangsan"]


def test_setup_demo_reset_wipes_the_database_then_loads_the_demo(transactional_db, monkeypatch):
    # transactional_db: PostgreSQL refuses to TRUNCATE inside the test's transaction.
    User.objects.create_user("zhangsan", password="Zhangsan@2026x")
    loaded = []
    monkeypatch.setattr(
        setup_demo.demo, "run", lambda stdout=None: loaded.append(User.objects.count())
    )
    call_command("setup_demo", "--reset", stdout=io.StringIO())
    assert loaded == [0]  # the demo went into an emptied database
