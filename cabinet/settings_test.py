"""Test settings: the real settings, plus what makes the suite fast and deterministic."""

import os

os.environ.setdefault("CABINET_TESTING", "1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in-process in tests; tests/integration starts a real worker against Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CABINET_CACHE_ACROSS_REQUESTS = True  # one process: tested as in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["default"]["OPTIONS"]["location"] = str(BASE_DIR / ".test_media")  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
