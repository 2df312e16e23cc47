"""Read every setting from the environment; with no configuration, run on SQLite."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hub.core.catalogues import shipped_languages

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Return an environment value, reading NAME_FILE first so secrets can live in files."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean environment value; refuse anything that is not clearly yes or no."""
    raw = env(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return an integer environment value; refuse a value that is not a number."""
    raw = env(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


SECRET_KEY = env("HUB_SECRET_KEY")
# With no configuration at all the Hub runs as a development copy on SQLite. Setting a secret
# key is what makes it a deployment. A development copy still shows the friendly 404 and 500
# pages (tracebacks go to the console): Django's debug pages, which list every URL and setting,
# only with HUB_DEBUG=1.
DEVELOPMENT = not SECRET_KEY
DEBUG = env_bool("HUB_DEBUG", False)
# pytest imports these settings too; tests need no secret and no manifest of static files.
TESTING = env_bool("HUB_TESTING", "pytest" in sys.modules)
DATA_DIR = Path(env("HUB_DATA_DIR", str(BASE_DIR / "var")))

if DEVELOPMENT:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [h.strip() for h in env("HUB_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in env("HUB_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The Hub's public address: links in e-mails and feeds, built where no request is at hand
# (hub.core.links). `make run` sets it from PORT.
SITE_URL = env("HUB_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.mediawiki",
    "hub.core",
    "hub.partners",
    "hub.partnerships",
    "hub.impact",
    "hub.uploads",
    "hub.library",
    "hub.surveys",
    "hub.events",
    "hub.helpdesk",
    "hub.community",
    "hub.demo",
    "hub.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Errors under /api/ (an unknown address, a body too large) as problem JSON.
    "hub.api.middleware.ProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body: an oversized request is refused unread.
    "hub.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hub.core.middleware.SessionIdleTimeoutMiddleware",
    "hub.core.middleware.PrivatePagesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "hub.core.middleware.WikimediaLinkMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

if not TESTING:
    # The Hub serves its own static files: in production compressed, with far-future cache
    # headers; in a development copy straight from the source folders (no debug mode needed).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
# Outermost: counts and times every request, whatever answers it (hub.core.metrics).
MIDDLEWARE.insert(0, "hub.core.metrics.RequestMetricsMiddleware")
WHITENOISE_USE_FINDERS = DEBUG or DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEBUG or DEVELOPMENT

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # docs/ holds the user guide's pages (docs/guide/*.html), translatable like the rest.
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "docs"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hub.core.context_processors.hub",
            ],
        },
    }
]

# Django's form renderer, with its commonest widget templates drawn in Python: the same markup,
# checked against Django's templates by tests/test_form_renderer.py (hub.core.form_renderer).
FORM_RENDERER = "hub.core.form_renderer.FastRenderer"

# Databases: SQLite (WAL, immediate transactions, a busy timeout) unless HUB_DATABASE_URL says
# otherwise. IMMEDIATE transactions take the write lock up front, so two writers wait for each
# other instead of failing with "database is locked" half-way through. The same options apply
# however SQLite is named: HUB_SQLITE_PATH or a sqlite:/// HUB_DATABASE_URL.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA cache_size=-20000;"
    ),
}
_database_url = env("HUB_DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "HUB_DATABASE_PREPARED", True
    ):
        # Bind parameters on the server and prepare a statement once it has run five times on
        # a connection: PostgreSQL then stops planning the same page queries again and again
        # (a partnership page: 33 -> 29 ms). Set HUB_DATABASE_PREPARED=0 behind a pooler that
        # cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("HUB_SQLITE_PATH", str(DATA_DIR / "hub.sqlite3")),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache: the login rate limit must count across processes and machines.
_redis_url = env("HUB_REDIS_URL")
CACHES: dict[str, dict[str, object]]
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hub_cache",
        }
    }

# Pages drawn for everyone alike (the public showcase's body), kept in each process's memory
# under a key holding the hub's newest audit stamp, which is read on every request: a change
# makes a new key, so a kept page is never shown stale. In memory, not in the shared cache: a
# first draw after a change then writes no 50 KB row to the database (on PostgreSQL a commit
# waiting for its WAL flush), at the cost of one first draw per worker process. The partnership
# page keeps its own reads here the same way (hub.partnerships.page), under the affiliate's
# newest audit event and the hub's newest hub-wide one.
CACHES["drawn"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "hub-drawn-pages",
    "OPTIONS": {"MAX_ENTRIES": 200},
}

# Background work: the Django Tasks API, stored in the database (no broker needed).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("HUB_TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend",
    }
}
# A worker that has not reported for this long is taken for dead; its running task is re-queued.
HUB_WORKER_LEASE_SECONDS = env_int("HUB_WORKER_LEASE_SECONDS", 60)
HUB_TASK_MAX_ATTEMPTS = env_int("HUB_TASK_MAX_ATTEMPTS", 5)
# Finished tasks keep their arguments (e-mail bodies among them): workers delete them this many
# days after they finished (also `manage.py prune_task_results`).
HUB_TASK_RESULT_RETENTION_DAYS = env_int("HUB_TASK_RESULT_RETENTION_DAYS", 3)
# Workers run the periodic jobs themselves (reminders, impact refresh, clean-ups: see
# hub/core/schedule.py), each once per period across all workers. 0 leaves them to cron
# (`manage.py run_schedule` every few minutes, or the single commands).
HUB_SCHEDULER = env_bool("HUB_SCHEDULER", True)

# Monitoring. /health/ answers 503 past these limits; /metrics needs this token as a Bearer
# header (no token: no metrics endpoint).
HUB_HEALTH_MAX_TASK_WAIT_SECONDS = env_int("HUB_HEALTH_MAX_TASK_WAIT_SECONDS", 15 * 60)
HUB_HEALTH_MAX_FAILED_TASKS = env_int("HUB_HEALTH_MAX_FAILED_TASKS", 25)  # in the last day
HUB_HEALTH_MAX_DEAD_WORKERS = env_int("HUB_HEALTH_MAX_DEAD_WORKERS", 0)
HUB_HEALTH_JOB_LATE_SECONDS = env_int("HUB_HEALTH_JOB_LATE_SECONDS", 60 * 60)
HUB_METRICS_TOKEN = env("HUB_METRICS_TOKEN")

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login attempts per client address and per username, per window (the admin's log-in too).
HUB_LOGIN_RATE = env("HUB_LOGIN_RATE", "10/5m")
# Password-reset requests per e-mail address and per client address, per window.
HUB_PASSWORD_RESET_RATE = env("HUB_PASSWORD_RESET_RATE", "5/h")
# Sessions end after this long without a request (the absolute age is SESSION_COOKIE_AGE).
HUB_SESSION_IDLE_SECONDS = env_int("HUB_SESSION_IDLE_SECONDS", 2 * 60 * 60)
SESSION_COOKIE_AGE = env_int("HUB_SESSION_MAX_AGE_SECONDS", 14 * 24 * 60 * 60)
# Erasing a person and bulk exports ask for the password again when it was last typed
# longer ago than this.
HUB_REAUTH_SECONDS = env_int("HUB_REAUTH_SECONDS", 15 * 60)

LANGUAGE_CODE = "en"
# Every language the Hub has a name for; only those whose catalogue is complete are offered
# (menu, Accept-Language, the language cookie): see hub/core/catalogues.py and the README.
HUB_KNOWN_LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("sv", _("Swedish")),
    ("de", _("German")),
    ("pl", _("Polish")),
    ("uk", _("Ukrainian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = shipped_languages(LOCALE_PATHS[0], HUB_KNOWN_LANGUAGES, LANGUAGE_CODE)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where `collectstatic` gathers the files WhiteNoise serves (one folder per release).
STATIC_ROOT = Path(env("HUB_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# The guide's screenshots (docs/guide/img/, taken by the browser journeys) are served as
# /static/guide/…, from our own origin like every other asset.
STATICFILES_DIRS = [BASE_DIR / "static", ("guide", BASE_DIR / "docs" / "guide" / "img")]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or DEVELOPMENT or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env("HUB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("HUB_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("HUB_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("HUB_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("HUB_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("HUB_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("HUB_DEFAULT_FROM_EMAIL", "Partnerships Hub <hub@localhost>")

# Security headers. No asset from a third-party origin: the CSP says so to the browser too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("HUB_SECURE_COOKIES", not (DEBUG or DEVELOPMENT or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS: off by default so a first deployment behind an unfinished proxy still answers; turn
# them on once HTTPS works (HSTS cannot be taken back for its max-age).
SECURE_HSTS_SECONDS = env_int("HUB_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HUB_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# Only a request to hstspreload.org puts the domain in browsers' lists; the flag allows it.
SECURE_HSTS_PRELOAD = env_bool("HUB_SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("HUB_SECURE_SSL_REDIRECT", False)
# Behind a proxy that ends TLS: the header it sets, e.g. "X-Forwarded-Proto: https". Only set
# it when the proxy always sets (or strips) that header, or clients could claim HTTPS.
_proxy_ssl_header = env("HUB_SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    _header, _sep, _value = _proxy_ssl_header.partition(":")
    if not (_sep and _header.strip() and _value.strip()):
        raise ImproperlyConfigured(
            "HUB_SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', "
            f"not {_proxy_ssl_header!r}"
        )
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip(),
    )
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Imports: caps that keep a bad file from exhausting the server.
HUB_IMPORT_MAX_BYTES = env_int("HUB_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
HUB_IMPORT_MAX_ROWS = env_int("HUB_IMPORT_MAX_ROWS", 10_000)
HUB_IMPORT_MAX_COLUMNS = env_int("HUB_IMPORT_MAX_COLUMNS", 60)
HUB_IMPORT_MAX_CELL_CHARS = env_int("HUB_IMPORT_MAX_CELL_CHARS", 10_000)
# Imports with more rows than this run in the background worker instead of the web request.
HUB_IMPORT_INLINE_ROWS = env_int("HUB_IMPORT_INLINE_ROWS", 300)
# Partnership documents (agreements, concept notes): the largest file accepted, in bytes.
HUB_DOCUMENT_MAX_BYTES = env_int("HUB_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Library files (PDF, office documents, images): the largest accepted, in bytes.
HUB_LIBRARY_MAX_BYTES = env_int("HUB_LIBRARY_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HUB_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = HUB_IMPORT_MAX_BYTES + 1024 * 1024
# Batch uploads to Commons (hub.uploads): where a batch's sheet and files are kept on disk,
# the largest request of files the browser may send (bigger collections: a ZIP per part, URLs
# in the sheet, or `manage.py upload_batch --folder` on the server), the largest single file
# fetched from a URL or read from a folder, and the most rows and files a batch holds.
HUB_UPLOADS_DIR = Path(env("HUB_UPLOADS_DIR", str(DATA_DIR / "uploads")))
HUB_UPLOADS_MAX_REQUEST_BYTES = env_int("HUB_UPLOADS_MAX_REQUEST_BYTES", 1024 * 1024 * 1024)
HUB_UPLOADS_MAX_FILE_BYTES = env_int("HUB_UPLOADS_MAX_FILE_BYTES", 4 * 1024 * 1024 * 1024)
HUB_UPLOADS_MAX_SHEET_BYTES = env_int("HUB_UPLOADS_MAX_SHEET_BYTES", 20 * 1024 * 1024)
HUB_UPLOADS_MAX_ROWS = env_int("HUB_UPLOADS_MAX_ROWS", 10_000)
HUB_UPLOADS_MAX_FILES = env_int("HUB_UPLOADS_MAX_FILES", 10_000)
# Tests only: a MediaWikiClient subclass the upload runner uses (dotted path), e.g. one that
# stops at a step of the ledger so a crash test can kill the worker there.
HUB_UPLOADS_CLIENT_CLASS = env("HUB_UPLOADS_CLIENT_CLASS", "")
# Files of one upload request (the browser's many-files field).
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("HUB_UPLOADS_MAX_FILES_PER_REQUEST", 1000)
# Any request body larger than this is refused with 413 before it is read, except on the
# upload pages, which allow their own cap plus room for the form (hub.core.middleware).
HUB_MAX_REQUEST_BYTES = env_int("HUB_MAX_REQUEST_BYTES", 1024 * 1024)

# The REST API (hub/api): calls one personal token may make, as django-ratelimit's "N/unit".
HUB_API_RATE = os.environ.get("HUB_API_RATE", "600/m")
if not re.fullmatch(r"\d+/\d*[smhd]", HUB_API_RATE):
    raise ImproperlyConfigured(f"HUB_API_RATE must look like 600/m, not {HUB_API_RATE!r}")

# Impact metrics. The wikis that content links point at by default; Commons categories that
# Commons Impact Metrics covers (others are counted live, within a request budget per refresh).
HUB_IMPACT_COMMONS_URL = env("HUB_IMPACT_COMMONS_URL", "https://commons.wikimedia.org")
HUB_IMPACT_WIKIDATA_URL = env("HUB_IMPACT_WIKIDATA_URL", "https://www.wikidata.org")
HUB_IMPACT_CIM_CATEGORIES = [
    c.strip() for c in env("HUB_IMPACT_CIM_CATEGORIES", "").split("|") if c.strip()
]
# Wikimedia's REST API (pageviews, Commons Impact Metrics); a local stand-in in tests.
HUB_IMPACT_REST_URL = env("HUB_IMPACT_REST_URL", "https://wikimedia.org/api/rest_v1")
HUB_IMPACT_LIVE_REQUEST_BUDGET = env_int("HUB_IMPACT_LIVE_REQUEST_BUDGET", 500)
HUB_IMPACT_HISTORY_MONTHS = env_int("HUB_IMPACT_HISTORY_MONTHS", 12)
HUB_IMPACT_REFRESH_DAYS = env_int("HUB_IMPACT_REFRESH_DAYS", 30)
HUB_IMPACT_SHARE_DAYS = env_int("HUB_IMPACT_SHARE_DAYS", 90)
HUB_IMPACT_MAX_LIST_ITEMS = env_int("HUB_IMPACT_MAX_LIST_ITEMS", 500)
# The class that fetches figures from the wikis (tests point it at recorded answers).
HUB_IMPACT_SOURCE = env("HUB_IMPACT_SOURCE", "hub.impact.sources.WikimediaSource")

# The linked-data export's mapping to Wikimedia Sverige's Metabase and the Wikidata statement it
# proposes: a TOML file whose keys replace the defaults (docs/linked-data.md). A file that cannot
# be used stops start-up (system check library.E010).
HUB_METABASE_MAPPING = env("HUB_METABASE_MAPPING")

# Wikimedia access (hub/wikimedia/). Wikimedia asks every client for a User-Agent with a way to
# reach its operator: a system check refuses a deployment without one.
HUB_WIKIMEDIA_CONTACT = env("HUB_WIKIMEDIA_CONTACT")  # an e-mail address or a URL
HUB_WIKIMEDIA_USER_AGENT = env("HUB_WIKIMEDIA_USER_AGENT")  # replaces the built one entirely

# Log in with Wikimedia (OAuth 2.0 on Meta-Wiki, django-allauth's MediaWiki provider): on when a
# consumer's client id and secret are set (README: registering the consumer).
HUB_WIKIMEDIA_OAUTH_CLIENT_ID = env("HUB_WIKIMEDIA_OAUTH_CLIENT_ID")
HUB_WIKIMEDIA_OAUTH_CLIENT_SECRET = env("HUB_WIKIMEDIA_OAUTH_CLIENT_SECRET")
HUB_WIKIMEDIA_OAUTH_URL = env("HUB_WIKIMEDIA_OAUTH_URL", "https://meta.wikimedia.org/w/rest.php")
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SOCIALACCOUNT_ADAPTER = "hub.core.wikimedia_login.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "mediawiki": {
        "REST_API": HUB_WIKIMEDIA_OAUTH_URL,
        "USERPAGE_TEMPLATE": "https://meta.wikimedia.org/wiki/User:{username}",
        "APPS": [
            {
                "client_id": HUB_WIKIMEDIA_OAUTH_CLIENT_ID,
                "secret": HUB_WIKIMEDIA_OAUTH_CLIENT_SECRET,
            }
        ]
        if HUB_WIKIMEDIA_OAUTH_CLIENT_ID
        else [],
    }
}
# A first Wikimedia log-in creates the account at once; an e-mail address alone never links
# one to an existing account (hub.core.wikimedia_login); the tokens are kept for uploads.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = True
SOCIALACCOUNT_LOGIN_ON_GET = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False
HUB_WIKIMEDIA_CONNECT_TIMEOUT = env_int("HUB_WIKIMEDIA_CONNECT_TIMEOUT", 5)
HUB_WIKIMEDIA_READ_TIMEOUT = env_int("HUB_WIKIMEDIA_READ_TIMEOUT", 30)
# Requests to one wiki go in series across every worker process and machine: a short lease per
# wiki, and the wiki's Retry-After, kept in this cache (Redis, or the database's cache table).
HUB_WIKIMEDIA_SHARED_HOST_LOCK = env_bool("HUB_WIKIMEDIA_SHARED_HOST_LOCK", True)
if TESTING:
    # Many client tests touch no database: their wikis' turns live in this process's memory.
    CACHES["wikihosts"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "hub-wikihosts",
    }
HUB_WIKIMEDIA_HOST_CACHE = env("HUB_WIKIMEDIA_HOST_CACHE", "wikihosts" if TESTING else "default")
# Wikis users may add are refused when they resolve to loopback or private networks; an
# administrator can allow named ones (comma-separated base URLs, e.g. an intranet wiki).
HUB_ALLOWED_PRIVATE_WIKIS = [
    u.strip() for u in env("HUB_ALLOWED_PRIVATE_WIKIS", "").split(",") if u.strip()
]
for _wiki_url in HUB_ALLOWED_PRIVATE_WIKIS:
    if not _wiki_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"HUB_ALLOWED_PRIVATE_WIKIS must list http(s) URLs, not {_wiki_url!r}"
        )

# Helpdesk: posts of the public request form per client address, answers by status link,
# the largest form accepted, and how long a status link stays valid.
HUB_HELPDESK_RATE = env("HUB_HELPDESK_RATE", "5/h")
HUB_HELPDESK_REPLY_RATE = env("HUB_HELPDESK_REPLY_RATE", "30/h")
# Wrong or tampered status links opened per client address before it must wait.
HUB_HELPDESK_LINK_RATE = env("HUB_HELPDESK_LINK_RATE", "20/h")
HUB_HELPDESK_MAX_POST_BYTES = env_int("HUB_HELPDESK_MAX_POST_BYTES", 64 * 1024)
HUB_HELPDESK_LINK_MAX_AGE_DAYS = env_int("HUB_HELPDESK_LINK_MAX_AGE_DAYS", 365)
# Events: sign-ups posted per client address. A whole edit-a-thon room often shares one
# address, so the default is generous; it stops a script filling an event with names.
HUB_EVENT_SIGNUP_RATE = env("HUB_EVENT_SIGNUP_RATE", "60/h")
# Survey answers older than this are anonymised (free text and who answered go; scores stay).
HUB_SURVEY_ANSWER_RETENTION_DAYS = env_int("HUB_SURVEY_ANSWER_RETENTION_DAYS", 3 * 365)
# Done and declined requests untouched this many days lose their sender's name and address
# (a daily job; 0 keeps them for ever).
HUB_HELPDESK_RETENTION_DAYS = env_int("HUB_HELPDESK_RETENTION_DAYS", 730)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("HUB_LOG_LEVEL", "WARNING")},
    "loggers": {
        "hub": {"level": env("HUB_LOG_LEVEL", "INFO")},
        # Log-ins, refusals, erasures and exports: send it where the security team reads.
        "hub.security": {"level": env("HUB_SECURITY_LOG_LEVEL", "INFO")},
    },
}
