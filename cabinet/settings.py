"""Settings for Cabinet, read from the environment.

Unset, everything falls back to a laptop setup: SQLite in the project folder, Celery tasks
run in-process, a local-memory cache and e-mail printed to the console. With DATABASE_URL and
REDIS_URL set, the same code runs on PostgreSQL with Redis as broker and cache (production).
The table of variables is in README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CABINET_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG est désactivé.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Apps whose navigation entries, dashboard panels, role rights and demo data the cabinet app
# collects (see cabinet/registry.py). Order matters for the navigation bar and seed_demo.
CABINET_DOMAIN_APPS = ["delegations", "correspondence", "audiences"]

INSTALLED_APPS = [
    "cabinet.apps_admin.CabinetAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "cabinet",
    *CABINET_DOMAIN_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cabinet.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cabinet.middleware.SessionIdleRefreshMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cabinet.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cabinet.urls"
WSGI_APPLICATION = "cabinet.wsgi.application"
ASGI_APPLICATION = "cabinet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cabinet.context_processors.cabinet",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env_str("SQLITE_NAME", "db.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, background work ---------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cabinet.cache.CabinetRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each person's rights and counts kept across requests (cabinet.freshness): only with a cache
# every process shares (Redis), or on the single-process development server. Several web
# workers each with its own memory would not see each other's writes.
CABINET_CACHE_ACROSS_REQUESTS = env_bool("CABINET_CACHE_ACROSS_REQUESTS", bool(REDIS_URL) or DEBUG)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# No broker configured: tasks run in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Africa/Lome"
# A registration must never hang on a dead broker: fail fast, the outbox sweep retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}

# The beat schedule, declared in code. Each domain app adds its entries in its own block.
CELERY_BEAT_SCHEDULE = {
    "cabinet-deliver-pending-notifications": {
        "task": "cabinet.tasks.deliver_pending_notifications",
        "schedule": timedelta(minutes=2),
    },
    # Files left in the private storage by a rolled-back upload (cabinet.orphans).
    "cabinet-sweep-orphan-files": {
        "task": "cabinet.tasks.sweep_orphan_files",
        "schedule": timedelta(days=1),
    },
}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "cabinet.User"
# MandateBackend before the model backend: most questions of a page (may this person see
# the agenda, route mail…) are answered by today's mandates without reading model permissions.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cabinet.backends.MandateBackend",
    "cabinet.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after this many minutes without a request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Idle expiry: the session is saved again (its expiry pushed back) at most once every
# SESSION_REFRESH_SECONDS by cabinet.middleware.SessionIdleRefreshMiddleware, not on every
# page view (SESSION_SAVE_EVERY_REQUEST would write and commit the session each time).
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock a username after repeated failures, whatever address it comes from.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Locking by address would lock a whole office behind one NAT address; we lock the account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if not IS_POSTGRES:
    # Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds the same indexes without the
    # included columns, which only change speed.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# django-guardian: direct foreign-key permission models only; no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

OTP_TOTP_ISSUER = "Cabinet MAE Togo"

# Members of this group may enter the administration site.
CABINET_ADMIN_GROUP = "Administrateurs"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Lome"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / env_str("STATIC_ROOT", "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded files are private: never under a public URL, served only by permission-checking
    # views. MEDIA_URL is deliberately absent.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development and tests, serve static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CABINET_UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 25) * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cabinet@diplomatie.gouv.tg")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute address of the application, for links in e-mails.
CABINET_SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ADMINS = [("Administrateurs", a) for a in env_list("ADMIN_EMAILS")]

# --- Security -------------------------------------------------------------------------------
SECURE = not (DEBUG or TESTING) and env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No framing; a view meant to be framed by our own pages (an attachment preview) says so with
# @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"

# django-csp: our pages carry no inline script and load nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # In-process tasks (no REDIS_URL) would log one line per task into the web server's output.
        "celery.app.trace": {"level": "WARNING" if not REDIS_URL else "INFO"},
        "kombu.connection": {"level": "ERROR" if not REDIS_URL else "WARNING"},
    },
}

# --- Domain apps' own settings ----------------------------------------------------------------
# Correspondence register.
from celery.schedules import crontab  # noqa: E402 - kept inside this app's block

CABINET_MINISTRY_ACRONYM = env_str("MINISTRY_ACRONYM", "MAE")
CABINET_OFFICE_ACRONYM = env_str("OFFICE_ACRONYM", "CAB")
# Register numbers: Python format strings over {year} and {number}.
CABINET_MAIL_REFERENCE_FORMATS = {
    "arrivee": env_str("MAIL_INCOMING_FORMAT", "A-{year}-{number:05d}"),
    "depart": env_str("MAIL_OUTGOING_FORMAT", "D-{year}-{number:05d}"),
}
# Outgoing administrative reference, over {number}, {year}, {ministry}, {office}.
CABINET_OUTGOING_REFERENCE_FORMAT = env_str("MAIL_ADMIN_REFERENCE_FORMAT", "N° {number:05d}/{ministry}/{office}")
# Default deadline of an imputation, in working days, by priority.
CABINET_IMPUTATION_DEADLINE_DAYS = {"normale": 10, "urgente": 3, "tres_urgente": 1}
# "Due soon": open imputations whose deadline falls within this many working days.
CABINET_IMPUTATION_DUE_SOON_DAYS = 2
CELERY_BEAT_SCHEDULE.update(
    {
        "correspondence-verify-registers-nightly": {
            "task": "correspondence.tasks.verify_registers_nightly",
            "schedule": crontab(hour=2, minute=30),
        },
        "correspondence-purge-held-uploads": {
            "task": "correspondence.tasks.purge_held_uploads",
            "schedule": crontab(hour=3, minute=0),
        },
        "correspondence-purge-register-prints": {
            "task": "correspondence.tasks.purge_register_prints",
            "schedule": crontab(hour=3, minute=10),
        },
    }
)
# Daily digest of late and due-soon imputations, on working days, at this hour (Lomé).
CABINET_MAIL_DIGEST_HOUR = env_int("MAIL_DIGEST_HOUR", 7)
CELERY_BEAT_SCHEDULE.update(
    {
        "correspondence-daily-digest": {
            "task": "correspondence.tasks_digest.send_daily_digests",
            "schedule": crontab(hour=CABINET_MAIL_DIGEST_HOUR, minute=0),
        },
    }
)
# Task modules other than <app>/tasks.py, imported by the worker so it knows their tasks.
CELERY_IMPORTS = ["correspondence.tasks_digest"]

# Audiences.
from celery.schedules import crontab as audiences_crontab  # noqa: E402 - kept inside this app's block

# Minutes kept free after each item of the minister's agenda.
AUDIENCES_BUFFER_MINUTES = env_int("AUDIENCES_BUFFER_MINUTES", 15)
# Office hours (local time, Lomé): a slot outside them must be confirmed by the user.
AUDIENCES_OFFICE_START = env_str("AUDIENCES_OFFICE_START", "08:00")
AUDIENCES_OFFICE_END = env_str("AUDIENCES_OFFICE_END", "17:30")
# Hour (0-23, Lomé) at which tomorrow's agenda is e-mailed to the secrétariat particulier.
AUDIENCES_AGENDA_EMAIL_HOUR = env_int("AUDIENCES_AGENDA_EMAIL_HOUR", 17)
# The protocol is reminded of an audience still unconfirmed this many hours before it.
AUDIENCES_PROTOCOL_REMINDER_HOURS = env_int("AUDIENCES_PROTOCOL_REMINDER_HOURS", 48)
CELERY_BEAT_SCHEDULE.update(
    {
        "audiences-tomorrow-agenda": {
            "task": "audiences.tasks.send_tomorrow_agenda",
            "schedule": audiences_crontab(minute=0, hour=AUDIENCES_AGENDA_EMAIL_HOUR),
        },
        "audiences-remind-protocol": {
            "task": "audiences.tasks.remind_protocol_unconfirmed",
            "schedule": timedelta(minutes=30),
        },
        "audiences-request-reports": {
            "task": "audiences.tasks.request_reports",
            "schedule": timedelta(minutes=30),
        },
    }
)

# Delegations.
from celery.schedules import crontab as delegations_crontab  # noqa: E402 - kept inside this app's block

# Nightly: expire/lapse arrêtés, withdraw stale sign permissions, warn 15 days ahead; remove
# the files held for forms abandoned after an error. Each morning: remind late directives.
CELERY_BEAT_SCHEDULE.update(
    {
        "delegations-nightly": {
            "task": "delegations.tasks.delegations_nightly_task",
            "schedule": delegations_crontab(hour=0, minute=15),
        },
        "delegations-remind-late-directives": {
            "task": "delegations.tasks.directives_remind_late_task",
            "schedule": delegations_crontab(hour=7, minute=30),
        },
        "delegations-purge-held-uploads": {
            "task": "delegations.tasks.purge_held_uploads",
            "schedule": delegations_crontab(hour=3, minute=5),
        },
    }
)
