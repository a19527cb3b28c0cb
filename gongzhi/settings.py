"""Gongzhi settings: one module, everything that differs between deployments comes from the
environment. Defaults are safe for production (DEBUG off, secure cookies when not debugging);
the demo and the tests set what they need through the environment.

Environment variables:
    DATABASE_URL      sqlite:///var/gongzhi.sqlite3 (default) or postgres://user:pw@host:5432/db
    SECRET_KEY        required unless DEBUG=1 (then a key is generated into var/secret_key)
    FIELD_ENCRYPTION_KEYS  keys that encrypt stored credentials, newest first (core/crypto.py)
    DEBUG             0/1 (default 0)
    ALLOWED_HOSTS     comma list (default: localhost,127.0.0.1 when DEBUG, else empty)
    CSRF_TRUSTED_ORIGINS  comma list of https://host origins behind a proxy
    EMAIL_URL-style settings: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
                      EMAIL_USE_TLS, DEFAULT_FROM_EMAIL (default: console backend when DEBUG)
    SMS_BACKEND       dotted path (default gongzhi.notifications.sms.LoggingSmsBackend; or
                      gongzhi.notifications.sms.HttpSmsBackend with SMS_GATEWAY_URL,
                      SMS_GATEWAY_TOKEN, SMS_GATEWAY_TIMEOUT seconds)
    NOTIFY_SIGNATURE, NOTIFY_SIGNATURE_EN  the sender named in messages (default 曹杨新村街道)
    SITE_URL          https://host of the site, for links in emails
    TASKS_BACKEND     immediate | database (default) | celery
    CELERY_BROKER_URL redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//
    MAP_TILE_URL      optional tile server template for the maps ({z}/{x}/{y}); empty = no tiles
    GONGZHI_VAR_DIR   where the SQLite file, media and generated secrets live (default ./var)
    GONGZHI_TRUSTED_PROXIES  comma list of the reverse proxies' addresses or networks (e.g.
                      127.0.0.1 or 10.0.0.0/24; default empty). Only a request from one of them
                      is read from its X-Forwarded-For header, and then the right-most address
                      that is not a trusted proxy is the client's; otherwise the client is
                      REMOTE_ADDR and the header is ignored. The audit trail, login throttling,
                      the rate limits, Open311 and the API all use that address
                      (gongzhi.core.http.client_ip; docs/operations.md has the nginx set-up).
    GONGZHI_API_REQUESTS_PER_MINUTE  REST API requests per user per minute (default 600; 0 = no
                      limit)
    GONGZHI_PREPARED_STATEMENTS  1 (default) or 0. On PostgreSQL the hot statements (a case's
                      intake, API token lookup, idempotency record) are prepared once per
                      connection; set 0 behind a transaction-pooling PgBouncer older than 1.21
    GONGZHI_WORKING_PERIODS  the working day for working-hours time limits, comma-separated
                      periods (default 08:30-17:30; e.g. 08:30-12:00,13:00-17:30)
    GONGZHI_PUBLIC_REPORTS_PER_HOUR, GONGZHI_PUBLIC_REPORTS_PER_PHONE_PER_DAY,
    GONGZHI_PUBLIC_REPORT_ATTEMPTS_PER_HOUR  the public report form's limits: reports taken in
                      per address an hour (default 30) and per phone number a day (10); every
                      attempt per address an hour (120)
    GONGZHI_DEMO_CASES  cases of history `seed_demo` generates (default 45000; 2000 in tests)
    REDIS_URL         redis://127.0.0.1:6379/1: the cache is Django's RedisCache, shared by every
                      process, and sessions are kept in it (SESSION_STORE below); default: a
                      per-process memory cache and sessions in the database. REDIS_KEY_PREFIX
                      (default gongzhi) starts every key
    SESSION_STORE     db | cached_db (default with REDIS_URL: read from Redis, written through to
                      the database, so a Redis restart logs nobody out) | cache (Redis only)
    DATABASE_REPLICA_URL  postgres://… of a streaming read replica (optional): GET requests to
                      GONGZHI_REPLICA_PATHS (path prefixes, default /cockpit/,/stats/) read
                      from it; everything else uses DATABASE_URL (gongzhi.core.replica)
    MEDIA_STORAGE     disk (default: MEDIA_ROOT) | s3 (uploaded photos on S3-compatible storage
                      through django-storages): S3_BUCKET, S3_ENDPOINT_URL (MinIO, Ceph, OSS …;
                      empty for AWS), S3_REGION, S3_PREFIX (folder in the bucket),
                      S3_ADDRESSING_STYLE (path, the default, or virtual), and boto3's own
                      AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. The bucket stays private: the
                      application reads the files and serves them after its permission checks
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))
TESTING = "pytest" in sys.modules or os.environ.get("GONGZHI_TESTING") == "1"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """A comma list of IP addresses or networks, refused at start-up when one is neither."""
    entries = env_list(name, [])
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/24)."
            ) from exc
    return entries


DEBUG = env_bool("DEBUG", False)
# `./run demo`: production settings (DEBUG off) on a laptop: a generated secret key in var/,
# localhost as the host, cookies over plain http.
DEMO = env_bool("GONGZHI_DEMO", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not (DEBUG or TESTING or DEMO):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. On a development checkout use "
            "`./run manage <command>` (or DEBUG=1), which keeps a generated key in var/."
        )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Keys that encrypt stored credentials (gongzhi/core/crypto.py): newest first, comma-separated.
FIELD_ENCRYPTION_KEYS = os.environ.get("FIELD_ENCRYPTION_KEYS", "")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if (DEBUG or TESTING or DEMO) else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "gongzhi.audit.apps.GongzhiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "gongzhi.core",
    "gongzhi.audit",
    "gongzhi.accounts",
    "gongzhi.places",
    "gongzhi.org",
    "gongzhi.worktime",
    "gongzhi.notifications",
    "gongzhi.cases",
    "gongzhi.duty",
    "gongzhi.alliance",
    "gongzhi.sharing",
    "gongzhi.servicecentre",
    "gongzhi.meetings",
    "gongzhi.triage",
    "gongzhi.webhooks",
    "gongzhi.open311",
    "gongzhi.api",
    "gongzhi.dashboards",
    "gongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongzhi.audit.middleware.AuditContextMiddleware",
    "gongzhi.api.middleware.ApiMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}"
# Health checks: a connection kept across requests is tested before reuse, so that after a
# database restart the next request reconnects instead of failing (gongzhi.core.views).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the task worker read and write at the same time.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# A read replica for the dashboards (gongzhi.core.replica): only their GET requests read it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["gongzhi.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("gongzhi.audit.middleware.AuditContextMiddleware"),
        "gongzhi.core.replica.ReplicaReadsMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that check hashing use it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (gongzhi.accounts.services): failures per username and per address.
# Roles that must log in with an authenticator app's code too (TOTP; gongzhi.accounts.totp).
TWO_FACTOR_REQUIRED_ROLES = env_list(
    "TWO_FACTOR_REQUIRED_ROLES", [] if (DEBUG or TESTING or DEMO) else ["admin", "leader"]
)
TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Gongzhi")
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

# Sessions end after two idle hours and at the latest when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEMO)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEMO)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files ----------------------------------------------------------------------
# Front-end libraries come from npm (package.json + package-lock.json) and are served from
# node_modules through staticfiles: only their dist folders are exposed, nothing is copied into
# the repository, nothing is fetched at run time.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "gongzhi" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "disk")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            # Private objects: photos are read by the application and served after its
            # permission checks; a URL handed out (Open311's media_url) is signed and expires.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
        },
    }
    if not os.environ.get("S3_BUCKET"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (the bucket's name).")
elif MEDIA_STORAGE != "disk":
    raise ImproperlyConfigured(f"MEDIA_STORAGE: {MEDIA_STORAGE!r} is neither disk nor s3.")

# --- Email ---------------------------------------------------------------------------------
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongzhi@localhost")

# --- Notifications: SMS gateway and message signature (gongzhi.notifications) -----------------
# The default SMS backend only logs (number masked); HttpSmsBackend POSTs JSON to the intranet
# gateway at SMS_GATEWAY_URL. Nothing else is called at run time.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "gongzhi.notifications.sms.LoggingSmsBackend")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5"))
# Who messages are from, per language (【曹杨新村街道】 in SMS, the sender of emails).
NOTIFY_SIGNATURE = {
    "zh-hans": os.environ.get("NOTIFY_SIGNATURE", "曹杨新村街道"),
    "en": os.environ.get("NOTIFY_SIGNATURE_EN", "Caoyang New Village Subdistrict"),
}
# The site's public address, for links in emails (empty: links are left relative).
SITE_URL = os.environ.get("SITE_URL", "")

# --- Background tasks (gongzhi.core.tasks) --------------------------------------------------------
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if TESTING else "database")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# A running task's claim is a lease its worker renews every third of it; when it runs out (the
# worker was killed), another worker takes the task again, up to TASKS_MAX_LOST times.
TASKS_LEASE_SECONDS = int(os.environ.get("TASKS_LEASE_SECONDS", "120"))
TASKS_MAX_LOST = int(os.environ.get("TASKS_MAX_LOST", "3"))
CELERY_TASK_ALWAYS_EAGER = False

# --- Caches ----------------------------------------------------------------------------------
# With REDIS_URL every process shares one cache (the queue's finished counts …) and the sessions.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "gongzhi"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "cache": "django.contrib.sessions.backends.cache",
}
SESSION_STORE = os.environ.get(
    "SESSION_STORE", "cached_db" if os.environ.get("REDIS_URL") else "db"
)
if SESSION_STORE not in _SESSION_ENGINES:
    raise ImproperlyConfigured(
        f"SESSION_STORE: {SESSION_STORE!r} is not one of db, cached_db, cache."
    )
SESSION_ENGINE = _SESSION_ENGINES[SESSION_STORE]

# --- Product settings ----------------------------------------------------------------------------
# Personal data kept after a row's end (gongzhi.audit.privacy), in days; 0 keeps it. A case's
# reporter: three years after closing (the 12345 platform's archive period) unless set.
PERSONAL_DATA_RETENTION_DAYS = {
    "cases.reporter": int(os.environ.get("GONGZHI_RETENTION_REPORTER_DAYS", "1095")),
    "notifications.address": int(os.environ.get("GONGZHI_RETENTION_NOTICE_ADDRESS_DAYS", "365")),
}

# Who may read /metrics (Prometheus): addresses or networks, comma-separated.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])

GONGZHI: dict[str, Any] = {
    "SUBDISTRICT_CODE": os.environ.get("GONGZHI_SUBDISTRICT_CODE", "310107005"),
    # The reverse proxies whose X-Forwarded-For is believed (gongzhi.core.http.client_ip).
    "TRUSTED_PROXIES": env_networks("GONGZHI_TRUSTED_PROXIES"),
    # Map tiles are optional: government intranets may have their own tile server.
    "MAP_TILE_URL": os.environ.get("MAP_TILE_URL", ""),
    "MAP_TILE_ATTRIBUTION": os.environ.get("MAP_TILE_ATTRIBUTION", ""),
    # Per-process caches (grid index, category catalogue) check the database for changes made by
    # other processes at most this often; a process's own writes are seen at once.
    "CACHE_CHECK_SECONDS": float(
        os.environ.get("GONGZHI_CACHE_CHECK_SECONDS", "0" if TESTING else "2")
    ),
    # The queue's counts of finished cases (closed, evaluated …: most of the table) are cached
    # this long; the open ones are always counted exactly.
    "FINISHED_COUNTS_SECONDS": float(
        os.environ.get("GONGZHI_FINISHED_COUNTS_SECONDS", "0" if TESTING else "60")
    ),
    # The operator queue refreshes itself this often; the public report form and tracking-code
    # lookups are rate-limited per address (gongzhi.core.ratelimit, in the database).
    "QUEUE_REFRESH_SECONDS": int(os.environ.get("GONGZHI_QUEUE_REFRESH_SECONDS", "30")),
    # Reports taken in per address an hour and per phone number a day (refused attempts do not
    # count); every attempt per address an hour.
    "PUBLIC_REPORTS_PER_HOUR": int(os.environ.get("GONGZHI_PUBLIC_REPORTS_PER_HOUR", "30")),
    "PUBLIC_REPORTS_PER_PHONE_PER_DAY": int(
        os.environ.get("GONGZHI_PUBLIC_REPORTS_PER_PHONE_PER_DAY", "10")
    ),
    "PUBLIC_REPORT_ATTEMPTS_PER_HOUR": int(
        os.environ.get("GONGZHI_PUBLIC_REPORT_ATTEMPTS_PER_HOUR", "120")
    ),
    "PUBLIC_LOOKUPS_PER_10_MIN": int(os.environ.get("GONGZHI_PUBLIC_LOOKUPS_PER_10_MIN", "30")),
    # Open311 GeoReport v2 (gongzhi.open311; see its README).
    "OPEN311_JURISDICTION": os.environ.get(
        "GONGZHI_OPEN311_JURISDICTION", "caoyang.putuo.shanghai"
    ),
    "OPEN311_PUBLISHED_CHANNELS": os.environ.get(
        "GONGZHI_OPEN311_PUBLISHED_CHANNELS", "resident,inspector,joint_patrol"
    ).split(","),
    "OPEN311_ANONYMOUS_PER_MINUTE": int(
        os.environ.get("GONGZHI_OPEN311_ANONYMOUS_PER_MINUTE", "120")
    ),
    # Path prefixes whose GET requests read from the replica when DATABASE_REPLICA_URL is set.
    "REPLICA_PATHS": env_list("GONGZHI_REPLICA_PATHS", ["/cockpit/", "/stats/"]),
    # How many cases of history `seed_demo` generates (the tests' default is smaller).
    "DEMO_CASES": int(os.environ.get("GONGZHI_DEMO_CASES", "2000" if TESTING else "45000")),
    # REST API (gongzhi.api; docs/api.md): requests per user per minute (0: no limit), counted
    # in the database by gongzhi.core.ratelimit like every other limit.
    "API_REQUESTS_PER_MINUTE": int(os.environ.get("GONGZHI_API_REQUESTS_PER_MINUTE", "600")),
    # The hot statements are prepared once per PostgreSQL connection (gongzhi.core.rows.cursor).
    "PREPARED_STATEMENTS": env_bool("GONGZHI_PREPARED_STATEMENTS", True),
    # Duplicate candidates on intake: same category group, this close, open or this recent.
    "DUPLICATE_RADIUS_M": float(os.environ.get("GONGZHI_DUPLICATE_RADIUS_M", "100")),
    "DUPLICATE_DAYS": int(os.environ.get("GONGZHI_DUPLICATE_DAYS", "7")),
    # The sweep warns this many hours before a deadline; emergencies must be acknowledged
    # within this many minutes or they are escalated.
    "SLA_WARN_HOURS": float(os.environ.get("GONGZHI_SLA_WARN_HOURS", "4")),
    "EMERGENCY_ACK_MINUTES": float(os.environ.get("GONGZHI_EMERGENCY_ACK_MINUTES", "5")),
    # Largest gap or overlap (m²) the tiling check tolerates.
    "TILING_TOLERANCE_M2": float(os.environ.get("GONGZHI_TILING_TOLERANCE_M2", "1.0")),
    # The working day for working-hours time limits (工作时), as ("HH:MM", "HH:MM") periods in
    # local time; gongzhi.worktime validates them (system check worktime.E001).
    "WORKING_PERIODS": [
        tuple(period.strip().split("-", 1))
        for period in os.environ.get("GONGZHI_WORKING_PERIODS", "08:30-17:30").split(",")
        if period.strip()
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"expected_refusals": {"()": "gongzhi.core.logfilters.ExpectedRefusals"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["expected_refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Everything once, through the root's handler (Django's own console handler would
        # print each record of `django` a second time when DEBUG is on).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
