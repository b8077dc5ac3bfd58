"""One settings module for every environment, read from environment variables.

Defaults suit a developer's laptop and the demo (SQLite under var/); DEBUG is off unless
DEBUG=1 asks for it, so the demo shows what a user sees (our 404 and 500 pages). Production sets
DAODI_ENV=production, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DAODI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DAODI_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and not os.environ.get("SECRET_KEY"):
    raise RuntimeError("SECRET_KEY must be set when DAODI_ENV=production")
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "axes",
    "daodi.core",
    "daodi.orgs",
    "daodi.catalog",
    "daodi.trace",
    "daodi.farm",
    "daodi.sourcing",
    "daodi.quality",
    "daodi.web",
    "daodi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "daodi.urls"
WSGI_APPLICATION = "daodi.wsgi.application"
ASGI_APPLICATION = "daodi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "daodi.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'daodi.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the planner's estimates for the recursive lineage query over a
    # large identifier index pass JIT's cost threshold, and compiling took ~0.9 s for a
    # query that runs in 3 ms (docs/benchmarks.md). Short OLTP queries never gain from it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Prepared statements stay off on the connection (Django's default): only the compiled
    # look-ups (core.compiled) bind parameters on the server and are prepared, so
    # PostgreSQL neither parses nor plans them again. Every other query keeps client-side
    # binding and a plan made for its values (a generic plan for a prefix search would
    # not use its index). Behind a pooler in transaction mode, use one that keeps
    # prepared statements (PgBouncer 1.21 or later).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    # Writers queue on a lock instead of SQLite's sleeping busy handler (core/sqlite).
    DATABASES["default"]["ENGINE"] = "daodi.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # Checkpoints every 20,000 pages (~80 MB of WAL) rather than 1,000: a purchase
        # rewrites the same index pages, which a checkpoint then copies once instead of
        # every few purchases (+15 % purchases/s, docs/benchmarks.md).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=20000;"
        ),
    }
    # Connections are kept between requests (DB_CONN_MAX_AGE) as on PostgreSQL: a new SQLite
    # connection reads the whole schema again before its first statement (~6 ms a request).
    # Tests of writers at once need a test database in a file (an in-memory one is one
    # connection): `make test-sqlite` runs them again with SQLITE_TEST_FILE set.
    if os.environ.get("SQLITE_TEST_FILE"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["SQLITE_TEST_FILE"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login attempts are limited per username and address (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Reverse proxies in front of the app (nginx = 1): the client address is then taken from
# X-Forwarded-For that many hops back, for login limits and API throttles alike.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXIES else ["REMOTE_ADDR"]
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "daodi" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Outside production the application serves uploaded files itself (no web server in front);
# production leaves them to the reverse proxy (docs/deployment.md).
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION)
# Without DEBUG, WhiteNoise serves collected files only; a checkout that has not run
# collectstatic (tests, `daodi runserver`) still gets its static files from the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "daodi.orgs.tokens.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "daodi.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "daodi.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": os.environ.get("PUBLIC_RATE", "120/min")},
    "NUM_PROXIES": TRUSTED_PROXIES or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "daodi API",
    "DESCRIPTION": "REST API of the daodi authentic-herb platform (道地药材产业平台).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Several apps have a "kind" or a "status": each choice set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"daodi.{app}.choices.{name}"
        for app, names in {
            "orgs": ["OrgKind", "SiteKind"],
            "catalog": ["GIKind"],
            "trace": ["CaptureStatus", "LotStatus"],
            "farm": ["RecordKind", "ProcessKind"],
            "sourcing": ["DispatchStatus"],
            "quality": ["SpecStatus", "OrderStatus", "ResultStatus", "NotificationKind"],
        }.items()
        for name in names
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The consumer trace page keeps built pages and per-address scan counters in memory, per
# process: a warm scan then costs one query (the freshness check), never a cache round trip.
RESOLVER_CACHE = "resolver"
CACHES["resolver"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "resolver",
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
# Built pages are also kept where every worker process (and the next start) finds them, so
# an item scanned once is quick in all of them: files under var/ by default; point
# RESOLVER_SHARED_CACHE at a Redis or database cache alias when several servers share the load.
RESOLVER_SHARED_CACHE = os.environ.get("RESOLVER_SHARED_CACHE", "resolver_shared")
CACHES["resolver_shared"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(VAR_DIR / "cache" / "resolver"),
    "OPTIONS": {"MAX_ENTRIES": 50000},
}
RESOLVER_RATE = os.environ.get("RESOLVER_RATE") or None  # e.g. "600/min"; "0" switches it off

# GS1 company prefix of this deployment. The default 952… range is reserved by GS1
# for documentation and examples, so demo codes can never clash with real products.
GS1_COMPANY_PREFIX = os.environ.get("GS1_COMPANY_PREFIX", "9521234")
# Public base URL printed into GS1 Digital Link QR codes.
DIGITAL_LINK_BASE = os.environ.get("DIGITAL_LINK_BASE", "http://127.0.0.1:8000")

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    # On a shared government domain, subdomains and preload may have to be switched off.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "daodi_cache",
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# EPCIS capture limits of POST /epcis/capture, announced in the GS1-EPCIS-Capture-Limit and
# GS1-EPCIS-Capture-File-Size-Limit headers (the `daodi capture` command has none).
EPCIS_CAPTURE_LIMIT = int(os.environ.get("EPCIS_CAPTURE_LIMIT", "10000"))
EPCIS_CAPTURE_FILE_SIZE_LIMIT = int(
    os.environ.get("EPCIS_CAPTURE_FILE_SIZE_LIMIT", str(100 * 1024 * 1024))
)
