"""The embedded demo: SQLite under var/, debug on, tasks in-process."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("ANJU_DEBUG", True)
SECRET_KEY = os.environ.get("ANJU_SECRET_KEY") or "anju-demo-only-not-for-production"
VAR_DIR.mkdir(parents=True, exist_ok=True)
