"""Shequ settings, read from environment variables with safe development defaults.

Every variable is documented in docs/operations.md. Production sets at least
SHEQU_SECRET_KEY, SHEQU_FIELD_KEYS, SHEQU_BLIND_INDEX_KEY, DATABASE_URL and
SHEQU_ALLOWED_HOSTS, and SHEQU_DEBUG=0.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHEQU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("SHEQU_DEBUG", True)
# The development key is public on purpose: a production start with it fails the
# gov.E003 system check (core/checks.py).
DEV_SECRET_KEY = "dev-only-insecure-shequ-key-do-not-use-in-production-0000000000"
SECRET_KEY = os.environ.get("SHEQU_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("SHEQU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("SHEQU_CSRF_TRUSTED_ORIGINS", "")
# Peers whose X-Forwarded-For we believe (the reverse proxy); nobody else's.
TRUSTED_PROXIES = env_list("SHEQU_TRUSTED_PROXIES", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "shequ.core",
    "shequ.registry",
    "shequ.workorders",
    "shequ.volunteers",
    "shequ.field",
    "shequ.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shequ.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shequ.core.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shequ.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shequ.urls"
WSGI_APPLICATION = "shequ.wsgi.application"

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
                "shequ.core.context_processors.shell",
            ],
            "builtins": ["shequ.core.templatetags.shequ"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shequ.sqlite3'}"),
        conn_max_age=int(os.environ.get("SHEQU_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["SHEQU_CACHE_URL"],
        }
        if os.environ.get("SHEQU_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Authentication (SECURITY.md rows 1-6) ---------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shequ.core.auth.backends.UsernameOrMobileBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "shequ.core.auth.passwords.AccountKindLengthValidator"},
    {"NAME": "shequ.core.auth.passwords.CharacterClassValidator"},
    {"NAME": "shequ.core.auth.passwords.PersonalContextValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
STAFF_PASSWORD_MIN_LENGTH = 12
RESIDENT_PASSWORD_MIN_LENGTH = 8
STAFF_PASSWORD_MIN_CLASSES = 3
STAFF_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("SHEQU_PASSWORD_MAX_AGE_DAYS", "90"))
DORMANT_ACCOUNT_DAYS = int(os.environ.get("SHEQU_DORMANT_ACCOUNT_DAYS", "90"))

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

AXES_FAILURE_LIMIT = int(os.environ.get("SHEQU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHEQU_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_USERNAME_CALLABLE = "shequ.core.auth.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "shequ.core.middleware.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "shequ.core.auth.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # axes would log attempted usernames, which may be phone numbers
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True  # logins are recorded in our own audit log, with its retention

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SHEQU_SESSION_IDLE_MINUTES", "30")))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=int(os.environ.get("SHEQU_SESSION_MAX_HOURS", "12")))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Roles that must confirm a TOTP code after their password (三权 roles by default).
OTP_REQUIRED_ROLES = env_list("SHEQU_OTP_REQUIRED_ROLES", "city_admin,auditor,security_admin")
OTP_TOTP_ISSUER = "Shequ"
# Concurrent-session policy (SECURITY.md row 6): for these roles a new login
# ends the account's older session; other roles may be logged in on a phone
# and a desktop at once.
SINGLE_SESSION_ROLES = env_list("SHEQU_SINGLE_SESSION_ROLES", "city_admin,auditor,security_admin")

# Maker-checker (SECURITY.md row 16): how long a pending approval stays valid.
APPROVAL_TTL_HOURS = int(os.environ.get("SHEQU_APPROVAL_TTL_HOURS", "72"))

API_TOKEN_DEFAULT_DAYS = 30
API_TOKEN_MAX_DAYS = 90
API_MAX_PAGE_SIZE = 200

# --- Audit (SECURITY.md rows 17-21) -----------------------------------------
AUDIT_RETENTION_DAYS = int(os.environ.get("SHEQU_AUDIT_RETENTION_DAYS", "180"))
AUDIT_ARCHIVE_DIR = Path(os.environ.get("SHEQU_AUDIT_ARCHIVE_DIR", VAR_DIR / "audit-archive"))
# Parallel hash chains on PostgreSQL: up to this many transactions write audit
# lines at once (each holds its chain's lock until it commits).
AUDIT_CHAINS = max(1, min(int(os.environ.get("SHEQU_AUDIT_CHAINS", "8")), 64))

# --- Personal-data protection (DESIGN decision 3) ---------------------------
# Comma-separated "version:base64key" list; the first is used to encrypt, all decrypt.
FIELD_ENCRYPTION_KEYS = os.environ.get(
    "SHEQU_FIELD_KEYS", "1:ZGV2LW9ubHktc2hlcXUtZmllbGQta2V5LTMyYnl0ZXM="
)
BLIND_INDEX_KEY = os.environ.get("SHEQU_BLIND_INDEX_KEY", "dev-only-shequ-blind-index-key")

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "shequ" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# Copies of inbox messages (shequ.core.notifications.senders): by email
# through Django's backend, by SMS through a gateway class.
SHEQU_NOTIFICATION_SENDERS = [
    name.strip()
    for name in os.environ.get("SHEQU_NOTIFICATION_SENDERS", "email,sms").split(",")
    if name.strip()
]
SHEQU_SMS_BACKEND = os.environ.get(
    "SHEQU_SMS_BACKEND", "shequ.core.notifications.senders.ConsoleSmsBackend"
)
EMAIL_BACKEND = os.environ.get(
    "SHEQU_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("SHEQU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SHEQU_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("SHEQU_EMAIL_FROM", "shequ@localhost")

# SECURITY.md row 24: every field of every model is classified in its app's
# inventory.py; a field without an entry fails `manage.py check` (gov.E002).
DATA_INVENTORY_STRICT = True

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

# --- Transport security (row 7); on when SHEQU_DEBUG=0 ----------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SHEQU_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Work-order photos and videos (shequ.workorders.media): limits checked on the
# upload's size before it is read, and on its content. Files are stored through
# default_storage (local MEDIA_ROOT; for an S3-compatible bucket set
# STORAGES["default"] to django-storages' S3Storage with a private ACL) and
# served only through the scoped view, never from MEDIA_URL.
SHEQU_PHOTO_MAX_MB = int(os.environ.get("SHEQU_PHOTO_MAX_MB", "10"))
SHEQU_VIDEO_MAX_MB = int(os.environ.get("SHEQU_VIDEO_MAX_MB", "50"))
SHEQU_UPLOAD_DAILY_MB = int(os.environ.get("SHEQU_UPLOAD_DAILY_MB", "200"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "shequ.core.logging.ScrubPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SHEQU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
