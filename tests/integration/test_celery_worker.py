"""A real Celery worker process, on Redis, against the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from cabinet.models import Notification
from cabinet.services import notification_create
from tests.celery_utils import real_broker

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def test_worker_process_delivers_a_notification_enqueued_after_commit(people):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cabinet.settings",
        "CABINET_TESTING": "1",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    with real_broker(settings.REDIS_URL) as app:
        app.control.purge()
        with transaction.atomic():
            notification = notification_create(
                recipient=people.conseiller1, subject="Courrier A-2026-00001 imputé pour attribution"
            )
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cabinet",
                "worker",
                "--pool=solo",
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                notification.refresh_from_db()
                if notification.emailed_at is not None:
                    break
                assert worker.poll() is None, "le worker s'est arrêté"
                time.sleep(0.3)
        finally:
            worker.terminate()
            output, _ = worker.communicate(timeout=30)
    assert notification.emailed_at is not None, output[-3000:]
    assert notification.attempts == 1
    assert "cabinet.tasks.deliver_notification" in output
    assert Notification.objects.count() == 1
