import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from cabinet.models import Notification
from cabinet.services import notification_create
from cabinet.tasks import deliver_pending_notifications
from tests.celery_utils import DEAD_BROKER_URL, real_broker


@pytest.mark.django_db(transaction=True)
def test_notification_is_emailed_after_commit(people):
    with transaction.atomic():
        notification_create(recipient=people.conseiller1, subject="Courrier imputé", body="A-2026-00001", url="/")
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["conseiller1@diplomatie.gouv.tg"]
    assert Notification.objects.get().emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_event_sends_nothing(people):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_create(recipient=people.conseiller1, subject="Courrier imputé")
        raise RuntimeError("l'enregistrement échoue")
    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_broker_down_defers_email_to_the_sweep(people):
    with real_broker(DEAD_BROKER_URL):
        with transaction.atomic():
            notification = notification_create(recipient=people.attache, subject="Audience à confirmer")
        assert mail.outbox == []
        assert Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).exists()
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert deliver_pending_notifications() == 1
    assert len(mail.outbox) == 1
    assert deliver_pending_notifications() == 0  # sent once only


@pytest.mark.django_db
def test_in_app_only_notification_is_not_emailed(people):
    notification_create(recipient=people.attache, subject="Pour info", send_email=False)
    assert deliver_pending_notifications() == 0
