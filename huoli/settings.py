"""Huoli settings: everything that differs between installations comes from the environment.

Each variable is documented in the README. Two profiles:
- development (default): DEBUG on, demo mode on, SQLite in var/, in-memory channel layer;
- production (HUOLI_PROFILE=production): refuses to start with DEBUG or demo data, without
  Redis (unless HUOLI_SINGLE_PROCESS=1 and one worker), or with the HTTPS redirect or HSTS
  switched off (core.checks, decision 0023).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from huoli import keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = keys.VAR_DIR


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


HUOLI_PROFILE = os.environ.get("HUOLI_PROFILE", "development").strip().lower()
if HUOLI_PROFILE not in {"development", "production"}:
    raise ValueError("HUOLI_PROFILE must be 'development' or 'production'")
PRODUCTION = HUOLI_PROFILE == "production"

DEBUG = env_bool("HUOLI_DEBUG", default=not PRODUCTION)
HUOLI_DEMO = env_bool("HUOLI_DEMO", default=not PRODUCTION)

SECRET_KEY = keys.read_secret_key()
HUOLI_DATA_KEYS = keys.read_data_keys()
HUOLI_RETURN_CODE_PEPPER = keys.read_return_code_pepper()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public site's address (https://huoli.example.org, no path): canonical links, the
# sitemap, and the address and QR code printed on partner materials. Empty: the address the
# request came to (development); deploy/install sets it from --server-name.
HUOLI_PUBLIC_URL = os.environ.get("HUOLI_PUBLIC_URL", "").strip().rstrip("/")

INSTALLED_APPS = [
    "huoli.console.admin_config.HuoliAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # sitemap.xml's template (huoli.public.seo); the sites framework is not needed.
    "django.contrib.sitemaps",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "csp",
    "huoli.core",
    "huoli.accounts",
    "huoli.helpline",
    "huoli.conversations",
    "huoli.contacts",
    "huoli.cases",
    "huoli.escalations",
    "huoli.calls",
    "huoli.directory",
    "huoli.supervision",
    "huoli.outreach",
    "huoli.retention",
    "huoli.reports",
    "huoli.console",
    "huoli.public",
    "huoli.phone",
    "huoli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "huoli.core.middleware.CSPMiddleware",
    "huoli.core.middleware.NoStoreMiddleware",
    "huoli.core.middleware.RobotsTagMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "huoli.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "huoli.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "huoli.urls"
ASGI_APPLICATION = "huoli.asgi.application"

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
                "huoli.console.context_processors.permissions",
                "huoli.public.context_processors.languages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "huoli.sqlite3"
SQLITE_OPTIONS = {
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers never deadlock on a lock upgrade.
    # secure_delete: purged text is overwritten in the file, not left in free pages.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA secure_delete=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    else:
        # A request waiting on a lock fails after 5 s with a clear "try again" (the
        # DatabaseUnavailableMiddleware, the sockets' "unavailable") instead of hanging.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c lock_timeout=5000")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": dict(SQLITE_OPTIONS),
            "TEST": {"NAME": VAR_DIR / "test.sqlite3"},
            # Opening a SQLite connection runs the PRAGMAs above: keep it open. A local file
            # does not go away, so no health check (it would cost a query per database call).
            "CONN_MAX_AGE": None,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and cache ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Chat messages are stored by a writer process of each server's own instead of its database
# thread (conversations/writer.py, decision 0044): on by default with PostgreSQL and Redis,
# where it shortens delivery's tail; the writer then shares the server's cache through Redis.
HUOLI_WRITER_PROCESS = env_bool(
    "HUOLI_WRITER_PROCESS",
    bool(REDIS_URL) and not DATABASES["default"]["ENGINE"].endswith("sqlite3"),
)
# Production without Redis only when the operator says it runs one worker (decision 0023).
HUOLI_SINGLE_PROCESS = env_bool("HUOLI_SINGLE_PROCESS", False)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "huoli.core.layers.PubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "huoli"},
        }
    }
    CACHES = {
        "default": {
            # One connection pool for the process, not one per request and socket.
            "BACKEND": "huoli.core.caches.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "huoli",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "huoli.core.layers.LocalChannelLayer"}}
    # Room for every guessing counter and waiting-room place: at its default 300 entries
    # the cache would drop a third of them (the site-wide counter too) whenever a script
    # used a few hundred addresses (decision 0022).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
HUOLI_LOCKOUT_ATTEMPTS = int(os.environ.get("HUOLI_LOCKOUT_ATTEMPTS", "5"))
HUOLI_LOCKOUT_MINUTES = int(os.environ.get("HUOLI_LOCKOUT_MINUTES", "15"))
OTP_TOTP_ISSUER = "Huoli"

# Staff cookies never leave /console/, so no public page can set or receive one
# (docs/decisions/0003-staff-cookies-under-console.md).
SESSION_COOKIE_NAME = "huoli_console"
SESSION_COOKIE_PATH = "/console/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
CSRF_COOKIE_NAME = "huoli_console_csrf"
CSRF_COOKIE_PATH = "/console/"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_NAME = "huoli_console_language"
LANGUAGE_COOKIE_PATH = "/console/"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Languages ------------------------------------------------------------------------------
LANGUAGE_CODE = "fi"
# Public pages speak every visitor language (docs/domain.md), named here in itself; the language
# is the first part of every public address (/fi/, /ar/ ...), so no cookie is needed to keep
# it. Another language is added by adding it here and dropping in its catalogue
# (docs/translations.md). Arabic, Persian and Kurdish (Sorani) are written right to left.
LANGUAGES = [
    ("fi", "suomi"),
    ("sv", "svenska"),
    ("en", "English"),
    ("ar", "العربية"),
    ("so", "Soomaali"),
    ("ru", "русский"),
    ("et", "eesti"),
    ("fa", "فارسی"),
    ("ckb", "کوردی"),
    ("uk", "українська"),
]
# The staff side speaks these (docs/design.md, promise 8); the console never falls into another.
HUOLI_STAFF_LANGUAGES = ["fi", "sv", "en"]
# Django knows every visitor language but Somali.
LANG_INFO.setdefault(
    "so", {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"}
)
# Languages a counsellor may list as spoken (visitor languages in docs/domain.md).
HUOLI_SPOKEN_LANGUAGES = [
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("so", _("Somali")),
    ("ru", _("Russian")),
    ("et", _("Estonian")),
    ("fa", _("Persian")),
    ("ckb", _("Kurdish (Sorani)")),
    ("uk", _("Ukrainian")),
    ("tr", _("Turkish")),
    ("ur", _("Urdu")),
]
LOCALE_PATHS = [BASE_DIR / "huoli" / "locale"]
TIME_ZONE = "Europe/Helsinki"
# Day-month-year and a 24-hour clock in every language (huoli/core/formats).
FORMAT_MODULE_PATH = ["huoli.core.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# deploy/install puts them where nginx may read them, outside the keys' folder.
STATIC_ROOT = Path(os.environ.get("HUOLI_STATIC_ROOT") or VAR_DIR / "static")
# Collected static files: `collectstatic` writes each file under a name with its hash and a
# gzip copy beside it, and WhiteNoise serves the compressed copy to browsers that accept it
# (never HTML pages: they carry return codes and tokens, so no GZipMiddleware, BREACH). The
# production profile and `make run` (HUOLI_COLLECTED_STATIC=1) serve them; tests and other
# development commands read the source tree through the finders.
COLLECTED_STATIC = PRODUCTION or env_bool("HUOLI_COLLECTED_STATIC", False)
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security headers -----------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The console's ring and the softphones' audio (a MediaStream needs no source).
        "media-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# "same-origin": no address ever reaches another site, and the browser still sends a real
# Origin header on our own form posts (with "no-referrer" Chromium sends "Origin: null",
# which Django's CSRF check rightly refuses).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    # Behind a TLS-terminating reverse proxy (README, "Production").
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("HUOLI_SSL_REDIRECT", True)
    # A monitor or deploy/upgrade asks each worker on loopback, without the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    try:
        SECURE_HSTS_SECONDS = int(os.environ.get("HUOLI_HSTS_SECONDS") or 365 * 24 * 3600)
    except ValueError:
        raise ImproperlyConfigured(
            "HUOLI_HSTS_SECONDS must be a whole number of seconds (one year: 31536000)."
        ) from None
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HUOLI_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HUOLI_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is the operator's choice (decision 0006).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# --- Logging: nothing that identifies a visitor (promise 1) ---------------------------------
# One configuration for Django and for uvicorn (`--log-config huoli/logging.json` in the
# Makefile and the README): every record passes core.logfilters.NoVisitorTraces, which drops
# per-connection and 4xx lines and replaces any address; access logs are off (decision 0018).
LOGGING = json.loads((Path(__file__).resolve().parent / "logging.json").read_text())

# Responses under these paths are never cached (core.middleware.NoStoreMiddleware).
HUOLI_NO_STORE_PREFIXES = [
    "/console/",
    "/conversation/",
    "/chat/",
    "/message/",
    "/call-back/",  # the form sent back with an error holds the family's number
    "/return/",
]

# Administrators may reset a colleague's two-factor device but never read its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Conversations --------------------------------------------------------------------------
# Argon2id cost of a return-code hash (about 40 ms and 32 MiB here).
HUOLI_RETURN_CODE_HASH = {"time_cost": 3, "memory_cost": 32768}
# Wrong-code limits: per source (an IPv4 address or an IPv6 /64, keyed by a daily-rotating hash,
# in the cache only) refuses; past the site-wide one each guess needs a proof of work or a wait,
# one bit (and one wait) more per further `site_attempts` guesses, up to `max_bits`. At most
# `concurrent_checks` codes are hashed at once in one process (a request waits `check_wait`
# seconds for its turn, then hears "try again in a moment").
HUOLI_RETURN_CODE_LIMITS = {
    "source_attempts": 10,
    "source_window": 600,
    "site_attempts": 300,
    "site_window": 600,
    "max_bits": 22,
    "concurrent_checks": 4,
    "check_wait": 2,
}
# Unspent waiting-room tickets (flood switch, busy return form): per source and site-wide.
HUOLI_FLOOD_TICKETS = {"per_source": 3, "site": 300}
HUOLI_VISITOR_COOKIE = "huoli_visitor"
# A chat in a language a free counsellor on duty speaks is offered to them first, this long.
HUOLI_LANGUAGE_HOLD_SECONDS = int(os.environ.get("HUOLI_LANGUAGE_HOLD_SECONDS", "60"))
HUOLI_MAX_QUEUE = int(os.environ.get("HUOLI_MAX_QUEUE", "30"))
# With the flood switch on: conversations one source may start in a sliding hour (chats and
# messages, with the work or the wait), and how many queued chats the waiting room (no work)
# may fill; the rest of HUOLI_MAX_QUEUE is kept for browsers that did the work (decision 0022).
HUOLI_FLOOD_STARTS = {
    "per_source": 5,
    "window": 3600,
    "waiting_room_queue": HUOLI_MAX_QUEUE * 2 // 3,
}
# Visitor websockets open at once for one conversation (counted in the cache, so across
# workers; public/sockets.py).
HUOLI_VISITOR_SOCKETS = 3
# --- The telephone (docs/telephone.md): HUOLI_TELEPHONY and HUOLI_SIP_WS_URL are below ------
# How often Kamailio asks again about a waiting call, and how long a caller may wait before
# being told to try later or ask for a call back (administrators change it in CallLine).
HUOLI_CALL_POLL_SECONDS = 2
# The purge replaces var/caller_key once it is older than the messages' retention period.
HUOLI_CALLER_KEY_ROTATION = True
# Statistics show every count from 1 to this minus one as "<this" (small-cell suppression).
HUOLI_SMALL_COUNT = int(os.environ.get("HUOLI_SMALL_COUNT", "5"))

# --- Telephone (docs/telephone.md) -------------------------------------------------------------
# Off by default: `make run` works with no SIP server, and the console says calls are off;
# `make run-phone` turns it on and starts Kamailio and rtpengine beside Huoli.
HUOLI_TELEPHONY = env_bool("HUOLI_TELEPHONY", False)
# Where the browsers' softphones reach the SIP server (SIP over WebSocket). While telephony is
# on, the console's pages and the public call page may connect there (core.middleware).
HUOLI_SIP_WS_URL = os.environ.get("HUOLI_SIP_WS_URL", "ws://127.0.0.1:5066")
# The SIP server's address as desk phones reach it (`telephony_config --listen`), shown on
# the counsellor's profile page to set up a desk phone.
HUOLI_SIP_SERVER = os.environ.get("HUOLI_SIP_SERVER", "127.0.0.1:5060")
