"""Django settings for gaoxin.

Everything gaoxin stores lives under one data directory, ``GAOXIN_HOME`` (gaoxin.web.home;
decision 020): the embedded SQLite database, media, collected static files, analytics. Set
GAOXIN_DATABASE_URL (postgres://user@host:port/name) to use a PostgreSQL server instead of
the SQLite file. The settings a deployment sets are in docs/deployment.md: with
GAOXIN_DEBUG=0 there is no default secret key and ``manage.py check --deploy`` is clean
(decision 021).
"""

from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from gaoxin.engine.clock import DISPLAY_ZONE_NAME
from gaoxin.web.home import data_home

BASE_DIR = Path(__file__).resolve().parent.parent
GAOXIN_HOME = data_home()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 应为 1 或 0，实为「{os.environ[name]}」")


# DEBUG stays on unless a deployment turns it off (the demo, `make run`, keeps it on and says so).
DEBUG = _flag("GAOXIN_DEBUG", True)
SECRET_KEY = os.environ.get("GAOXIN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "GAOXIN_DEBUG=0（生产部署）时必须设置 GAOXIN_SECRET_KEY：一个至少 50 个字符的随机串，"
            '可用 `python -c "import secrets; print(secrets.token_urlsafe(50))"` 生成，'
            "见 docs/deployment.md。"
        )
    SECRET_KEY = "gaoxin-dev-insecure-key-change-me-in-production"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("GAOXIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GAOXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "gaoxin.registry",
    "gaoxin.statistics",
    "gaoxin.accounts",
    "gaoxin.policy",
    "gaoxin.evaluation",
    "gaoxin.awards",
    "gaoxin.cases",
    "gaoxin.jobs",
    "gaoxin.dashboards",
    "gaoxin.documents",  # its templates: the pages' 下载公文 form (decision 045)
    "gaoxin.api",  # after rest_framework.authtoken: its admin.py unregisters the token list
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gaoxin.web.language.ChosenLanguageMiddleware",  # 中文 unless English was chosen
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "gaoxin.web.busy.DatabaseBusyMiddleware",  # a locked database: 503 with a message, not a 500
    "gaoxin.statistics.page_data.one_stamp_per_request",  # one data version a page (decision 048)
    # last, as django-axes asks: it turns a locked-out login into the lock-out page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gaoxin.web.urls"
WSGI_APPLICATION = "gaoxin.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["gaoxin.web.template_filters"],  # period_label (decision 035)
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_url(url: str) -> dict:
    """The DATABASES entry for a postgres:// URL (the only server database we support)."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"GAOXIN_DATABASE_URL must be postgres://…, got {parsed.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.path.lstrip("/") or "gaoxin",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "127.0.0.1",
        "PORT": str(parsed.port or 5432),
        "TEST": {"NAME": (parsed.path.lstrip("/") or "gaoxin") + "_test"},
        # No JIT: the ledger's status counts are one statement of ~150 small subqueries, whose
        # cost estimate passes jit_above_cost; compiling it took 3.8 of 4.2 s on four measures,
        # while the query itself runs in milliseconds (decision 056)
        "OPTIONS": {"options": "-c jit=off"},
    }


_db_url = os.environ.get("GAOXIN_DATABASE_URL", "")
if _db_url:
    DATABASES = {"default": database_from_url(_db_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": GAOXIN_HOME / "gaoxin.sqlite3",
            # An import writes tens of thousands of rows in one transaction; wait, don't fail.
            # WAL: pages keep reading while an import or the job worker writes (the worker
            # claims jobs in EXCLUSIVE transactions, which in the default journal mode would
            # stop every reader once a second). The file must be on a local disk.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }

# A web process keeps its database connection between requests (decision 054): opening one
# per request cost every page a connection's set-up — on SQLite the file's pragmas and, when the
# last connection closed, a WAL checkpoint; on PostgreSQL a new server process and its catalogue
# caches. The health check reconnects once when the server was restarted meanwhile.
# GAOXIN_DB_CONN_MAX_AGE (seconds; 0: one connection a request as before).
for _db in DATABASES.values():
    _db["CONN_MAX_AGE"] = int(os.environ.get("GAOXIN_DB_CONN_MAX_AGE", "600"))
    _db["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: what pages compute from the analytics tables, kept per data version
# (gaoxin.statistics.page_data, decision 041), and the API's throttle counts. Each web process
# keeps its own in memory unless GAOXIN_CACHE_URL names a Redis server (redis://host:port/db,
# needs the [redis] extra) that the processes then share.
_cache_url = os.environ.get("GAOXIN_CACHE_URL", "")
if _cache_url:
    if urlparse(_cache_url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"GAOXIN_CACHE_URL 应为 redis://主机:端口/库号，实为「{_cache_url}」"
        )
    if importlib.util.find_spec("redis") is None:  # else every request fails, not the start
        raise ImproperlyConfigured(
            f"GAOXIN_CACHE_URL 为「{_cache_url}」，但未安装 Redis 客户端：请先安装 "
            "pip install 'gaoxin[redis]'（或去掉 GAOXIN_CACHE_URL，各进程各用内存缓存）"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": os.environ.get("GAOXIN_CACHE_PREFIX", "gaoxin"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Simplified Chinese first, English second (decision 035): the source strings (msgids) are the
# Chinese text, so a string without an English translation still shows in Chinese; the English
# catalogue is src/gaoxin/locale/en/LC_MESSAGES/django.po, its compiled .mo committed beside it.
# gaoxin.web.language picks the language from the cookie that the header's switch sets (Django's
# set_language view), else LANGUAGE_CODE: the browser's Accept-Language is not followed.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the choice is remembered for a year on that browser
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = DISPLAY_ZONE_NAME  # gaoxin.engine.clock: times shown in 北京时间
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]  # the site's stylesheet and vendored htmx, ECharts
STATIC_ROOT = GAOXIN_HOME / "static"  # `gaoxin serve` collects into it; whitenoise serves it
MEDIA_ROOT = GAOXIN_HOME / "media"  # evidence files, job results: never served as static
ANALYTICS_ROOT = GAOXIN_HOME / "analytics"  # rebuilt fact frames and indicator values
# After a change of the data: "job" queues a rebuild of the analytics tables (decision 036);
# "read" queues nothing and the next read rebuilds (the test suite, a single-user terminal).
ANALYTICS_ON_CHANGE = os.environ.get("GAOXIN_ANALYTICS_ON_CHANGE", "job")
# After a rebuild the job computes the dashboards users read first into the shared cache, for
# at most this many seconds (decision 064; 0: not at all). Nothing is warmed without a shared
# cache (GAOXIN_CACHE_URL): the worker's own memory serves no page.
WARM_SECONDS = float(os.environ.get("GAOXIN_WARM_SECONDS", "60"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also makes GAOXIN_HOME for the SQLite file
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# The API (/api/v1/, gaoxin.api; decision 034): a token for systems integration, the session
# for the browser; every endpoint signed in; throttled per user and per address.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # first: an anonymous call answers 401 with WWW-Authenticate: Token
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "gaoxin.api.pagination.Pages",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("GAOXIN_API_ANON_RATE", "60/minute"),
        "user": os.environ.get("GAOXIN_API_USER_RATE", "6000/hour"),
    },
    "EXCEPTION_HANDLER": "gaoxin.api.errors.handle",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gaoxin API",
    "DESCRIPTION": "高新区管理平台的数据接口（/api/v1/）：见 docs/api.md。",
    "VERSION": "1.0.0",
    # The schema lists every endpoint: open while developing, signed-in users only in production.
    "SERVE_PERMISSIONS": ["gaoxin.web.auth.SchemaAccess"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# Long jobs (gaoxin.jobs) go to the database queue that `gaoxin worker` runs; the test suite
# swaps in the immediate backend (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A queued or running job with no progress heartbeat for this long is shown as 中断 (its worker
# died or never ran it; decision 032). A job function reports progress at least this often.
JOB_STALE_MINUTES = int(os.environ.get("GAOXIN_JOB_STALE_MINUTES", "15"))
# The largest file the import page accepts (an import of a province's month is a few MB).
IMPORT_MAX_MB = int(os.environ.get("GAOXIN_IMPORT_MAX_MB", "20"))
# A kept upload no job record names (a trial that failed or was interrupted, a job never
# started) is removed by `gaoxin clean-uploads` once this many days old; a file a succeeded
# trial or a recording names is kept as long as that job (decision 084).
UPLOAD_RETENTION_DAYS = int(os.environ.get("GAOXIN_UPLOAD_RETENTION_DAYS", "30"))

# Reminder mails (gaoxin remind): printed to the console unless a deployment sets an SMTP backend.
EMAIL_BACKEND = os.environ.get(
    "GAOXIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# The SMTP server a deployment's mail goes through (docs/deployment.md).
EMAIL_HOST = os.environ.get("GAOXIN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GAOXIN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GAOXIN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GAOXIN_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = _flag("GAOXIN_EMAIL_SSL", False)
EMAIL_USE_TLS = _flag("GAOXIN_EMAIL_STARTTLS", False)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("GAOXIN_EMAIL_SSL 与 GAOXIN_EMAIL_STARTTLS 只能设其一")
DEFAULT_FROM_EMAIL = os.environ.get("GAOXIN_EMAIL_FROM", "gaoxin@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 failures for one user name from one address lock that pair
# out for 15 minutes (decision 021). Behind a reverse proxy that sets X-Forwarded-For to the
# client's address (docs/deployment.md) set GAOXIN_PROXY_COUNT=1; otherwise the header is not
# trusted and the connection's address counts.
AUTHENTICATION_BACKENDS = [
    "gaoxin.web.auth.LoginThrottle",
    # Django's ModelBackend reading the user, profile and scope in one query (decision 054)
    "gaoxin.web.auth.Accounts",
]
AXES_FAILURE_LIMIT = int(os.environ.get("GAOXIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GAOXIN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gaoxin.web.auth.locked_out"
PROXY_COUNT = int(os.environ.get("GAOXIN_PROXY_COUNT", "0"))
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AXES_VERBOSE = False

# Content security policy (django-csp): pages load scripts, styles, images and fonts from this
# site only; nothing inline, nothing from the internet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# HTTPS (decision 021). With DEBUG off gaoxin assumes it is served over HTTPS behind a reverse
# proxy that sets X-Forwarded-Proto (docs/deployment.md); GAOXIN_HTTPS=0 serves plain HTTP
# (an intranet without certificates), which `check --deploy` then reports.
HTTPS = _flag("GAOXIN_HTTPS", not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("GAOXIN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("GAOXIN_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("GAOXIN_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
X_FRAME_OPTIONS = "DENY"

# Logging: with DEBUG off Django logs a server error's traceback only to e-mail (ADMINS,
# unset here) — nowhere, in effect. Warnings and errors of every logger go to standard error,
# which gunicorn and systemd keep (journalctl -u gaoxin-web); with DEBUG on Django's own
# console handler already prints them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"production": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "filters": ["production"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
