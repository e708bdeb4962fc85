"""Tests: the database comes from ANJU_DATABASE_URL (PostgreSQL in CI), hashing is fast."""

from .base import *  # noqa: F403
from .base import VAR_DIR

SECRET_KEY = "anju-test"
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Argon2 costs ~100 ms a password by design; fixtures make many accounts, so tests hash with MD5.
# test_login_security checks the real setting (Argon2) with a login of its own.
ARGON2_HASHERS = PASSWORD_HASHERS  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# Tests render pages without running collectstatic first: cite the plain file names.
# (test_production.py checks the real storage through collectstatic and gunicorn.) Whitenoise
# warns at every client when STATIC_ROOT is missing: give it an empty one of its own.
STATIC_ROOT = VAR_DIR / "test-static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# pytest-django's live server (the browser tests) serves static files only when it finds
# "django.contrib.staticfiles" by that name; AnjuStaticFilesConfig only narrows collectstatic.
INSTALLED_APPS = [
    "django.contrib.staticfiles" if app == "anju.staticfiles.AnjuStaticFilesConfig" else app
    for app in INSTALLED_APPS  # noqa: F405
]
