"""The embedded demo: SQLite under var/, tasks in-process, and DEBUG off as in production, so a wrong
link shows the Chinese 404 page (ANJU_DEBUG=1 turns Django's debug pages back on)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env_bool

DEBUG = env_bool("ANJU_DEBUG", False)
SECRET_KEY = os.environ.get("ANJU_SECRET_KEY") or "anju-demo-only-not-for-production"
VAR_DIR.mkdir(parents=True, exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn threads share the file: writers queue for the lock (BEGIN IMMEDIATE, up to
    # 20 s) instead of failing with "database is locked", and readers do not wait for a writer (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
