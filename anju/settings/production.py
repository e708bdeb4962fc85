"""Production: a secret key is mandatory, DEBUG is off, cookies are secure.

Behind a TLS proxy (docs/deploy/nginx.conf) keep the defaults; served over plain HTTP on a closed
network set ANJU_SECURE_COOKIES=0, or browsers will not send the login cookies back.
"""

import sys

from .base import *  # noqa: F403
from .base import SECRET_KEY, SILENCED_SYSTEM_CHECKS, VAR_DIR, env_bool

if not SECRET_KEY:
    sys.stderr.write("安居拒绝启动：生产环境必须设置环境变量 ANJU_SECRET_KEY。\n")
    raise SystemExit(1)

DEBUG = False
# Uploaded workbooks and the beat schedule live here; a fresh checkout has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)
SESSION_COOKIE_SECURE = env_bool("ANJU_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxy usually redirects http:// itself; ANJU_SSL_REDIRECT=1 makes Django do it. The health
# check stays reachable over plain HTTP for load balancers and scripts/serve.
SECURE_SSL_REDIRECT = env_bool("ANJU_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS for subdomains and the preload list commit domains the platform does not own (a government
# portal's other sites): that is the portal's decision, not this application's.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W005", "security.W021"]
