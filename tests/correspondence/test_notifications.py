import datetime
import json
import time

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from cabinet.models import Notification
from cabinet.tasks import deliver_pending_notifications
from correspondence.models import Instruction, Mail
from tests.celery_utils import DEAD_BROKER_URL, real_broker

from .outputs_data import incoming, route


@pytest.mark.django_db(transaction=True)
def test_routing_notifies_the_assignee_in_the_app_and_by_email_after_commit(people):
    with transaction.atomic():
        mail = incoming(people, subject="Invitation à la 45e session du Conseil exécutif de l'UA")
        route(mail, people, to=people.conseiller1, instruction=Instruction.AVIS)
        assert django_mail.outbox == []  # nothing leaves before the commit
    notice = Notification.objects.get(recipient=people.conseiller1)
    assert mail.reference in notice.subject
    assert "pour avis" in notice.subject
    assert notice.url == f"/courrier/{mail.pk}/"
    assert len(django_mail.outbox) == 1
    assert django_mail.outbox[0].to == ["conseiller1@diplomatie.gouv.tg"]
    assert "Invitation à la 45e session du Conseil exécutif de l'UA" in django_mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_confidential_subject_stays_out_of_the_email(people):
    mail = incoming(people, subject="Dossier sensible de sécurité régionale", confidentiality="confidentiel")
    route(mail, people, to=people.conseiller1)
    body = django_mail.outbox[0].body
    assert mail.reference in body
    assert "Dossier sensible" not in body
    assert "[Confidentiel]" in body


@pytest.mark.django_db(transaction=True)
def test_registering_and_routing_succeed_when_the_broker_is_down_and_mail_leaves_later(people):
    """Rule: registering a mail succeeds even when Redis is down; the notice is sent later."""
    with real_broker(DEAD_BROKER_URL):
        started = time.monotonic()
        with transaction.atomic():
            mail = incoming(people, subject="Note verbale de l'ambassade de Chine")
        with transaction.atomic():
            route(mail, people, to=people.conseiller2, instruction=Instruction.ATTRIBUTION)
        elapsed = time.monotonic() - started
    mail.refresh_from_db()
    assert mail.state == Mail.State.IMPUTE
    assert elapsed < 15  # the broker's connection timeout, not a hang
    notice = Notification.objects.get(recipient=people.conseiller2)
    assert notice.emailed_at is None  # pending in the outbox
    assert django_mail.outbox == []
    # The periodic sweep (beat, every 2 minutes) picks it up once the broker is back.
    Notification.objects.filter(pk=notice.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert deliver_pending_notifications() == 1
    assert len(django_mail.outbox) == 1
    assert mail.reference in django_mail.outbox[0].subject
    notice.refresh_from_db()
    assert notice.emailed_at is not None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_routing_puts_one_delivery_task_on_the_real_redis_queue(people):
    import redis

    with real_broker(settings.REDIS_URL) as app:
        app.control.purge()
        mail = incoming(people)
        route(mail, people, to=people.conseiller1)
        client = redis.Redis.from_url(settings.REDIS_URL)
        messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
        app.control.purge()
    notice = Notification.objects.get(recipient=people.conseiller1)
    tasks = [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages]
    assert tasks == [("cabinet.tasks.deliver_notification", f"({notice.pk},)")]
    assert notice.emailed_at is None  # the worker, not this process, sends it
