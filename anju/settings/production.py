"""Production: a secret key is mandatory, cookies are secure."""

import sys

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

if not SECRET_KEY:
    sys.stderr.write("安居拒绝启动：生产环境必须设置环境变量 ANJU_SECRET_KEY。\n")
    raise SystemExit(1)

SESSION_COOKIE_SECURE = env_bool("ANJU_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
