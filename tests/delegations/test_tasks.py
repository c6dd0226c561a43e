"""The periodic tasks: declared in the beat schedule, and run by a real worker on Redis."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cabinet.celery import app
from cabinet.models import Mandate
from cabinet.services import mandate_end
from delegations.models import Delegation
from tests.celery_utils import real_broker

from .conftest import sign_holders

ROOT = Path(__file__).resolve().parents[2]


def test_beat_schedule_runs_the_nightly_sweep_the_late_reminders_and_the_held_files_purge():
    app.loader.import_default_modules()
    tasks = {entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if name.startswith("delegations-")}
    assert tasks == {
        "delegations.tasks.delegations_nightly_task",
        "delegations.tasks.directives_remind_late_task",
        "delegations.tasks.purge_held_uploads",
    }
    assert tasks <= set(app.tasks)


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_nightly_task_on_a_real_worker_lapses_the_arrete_and_withdraws_the_sign_permission(
    people, make_delegation, make_item
):
    from delegations.tasks import delegations_nightly_task

    delegation = make_delegation()
    item = make_item()
    mandate_end(
        mandate=Mandate.objects.get(user=people.directeur), end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert "directeur" in sign_holders(item)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cabinet.settings",
        "CABINET_TESTING": "1",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with real_broker(settings.REDIS_URL) as celery_app:
        celery_app.control.purge()
        delegations_nightly_task.delay()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cabinet", "worker", "--pool=solo", "--loglevel=info",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                delegation.refresh_from_db()
                if delegation.state != Delegation.State.EN_VIGUEUR:
                    break
                assert worker.poll() is None, "le worker s'est arrêté"
                time.sleep(0.3)
        finally:
            worker.terminate()
            output, _ = worker.communicate(timeout=30)
    assert delegation.state == Delegation.State.CADUC, output[-3000:]
    assert sign_holders(item) == {"ministre"}
    assert "delegations.tasks.delegations_nightly_task" in output
