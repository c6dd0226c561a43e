"""A real Celery worker process, on Redis, against the test database."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from pypdf import PdfReader

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


def _env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cabinet.settings",
        "CABINET_TESTING": "1",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        # The worker writes where this test reads (the test's own media folder).
        "PRIVATE_MEDIA_ROOT": settings.STORAGES["default"]["OPTIONS"]["location"],
    }


@contextmanager
def _worker():
    """A real worker process on Redis; yields a function that waits for ``done()`` (60 s at
    most) and returns the worker's output so far."""
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
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []

    def wait_for(done) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not done():
            assert worker.poll() is None, "le worker s'est arrêté"
            time.sleep(0.3)

    try:
        yield wait_for, output
    finally:
        worker.terminate()
        output.append(worker.communicate(timeout=30)[0])


def test_worker_process_delivers_a_notification_enqueued_after_commit(people):
    with real_broker(settings.REDIS_URL) as app:
        app.control.purge()
        with transaction.atomic():
            notification = notification_create(
                recipient=people.conseiller1, subject="Courrier A-2026-00001 imputé pour attribution"
            )
        with _worker() as (wait_for, output):
            wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None)
    notification.refresh_from_db()
    assert notification.emailed_at is not None, output[-1][-3000:]
    assert notification.attempts == 1
    assert "cabinet.tasks.deliver_notification" in output[-1]
    assert Notification.objects.count() == 1


def test_worker_process_prepares_a_long_register_asked_for_in_a_request(people):
    from django.utils import timezone

    from correspondence.models import RegisterPrint
    from correspondence.services.register_prints import register_print_request
    from tests.correspondence.outputs_data import incoming

    letters = [incoming(people, subject=f"Note verbale n° {n}") for n in range(3)]
    today = timezone.localdate()
    with real_broker(settings.REDIS_URL) as app:
        app.control.purge()
        job = register_print_request(user=people.directeur, register="arrivee", start=today, end=today)
        assert RegisterPrint.objects.get(pk=job.pk).state == RegisterPrint.State.PENDING  # not in the request
        with _worker() as (wait_for, output):
            wait_for(lambda: RegisterPrint.objects.get(pk=job.pk).state != RegisterPrint.State.PENDING)
    job.refresh_from_db()
    assert job.state == RegisterPrint.State.READY, (job.error, output[-1][-3000:])
    assert job.rows == 3 and "correspondence.tasks.prepare_register_print" in output[-1]
    with job.file.open("rb") as stored:
        text = " ".join(page.extract_text() for page in PdfReader(stored).pages)
    assert all(letter.reference in text for letter in letters)
