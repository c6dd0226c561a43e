"""Tasks leave after commit, by id, through the real broker; a dead broker breaks nothing."""

import base64
import datetime
import json

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audiences import services, tasks
from audiences.models import Audience, AudienceState
from cabinet import freshness
from cabinet.models import Notification
from tests.celery_utils import DEAD_BROKER_URL, real_broker

from .conftest import at


@pytest.mark.django_db
def test_programming_succeeds_with_the_broker_down_and_the_notice_waits_in_the_outbox(
    people, make_request, place, day, django_capture_on_commit_callbacks
):
    audience = make_request()
    with real_broker(DEAD_BROKER_URL), django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.audience_programme(
            audience=audience, by=people.attache, starts_at=at(day, 10), ends_at=at(day, 10, 30), place=place
        )
    # The protocol's e-mail, tried after commit (the data generation's move may be beside it).
    assert len([c for c in callbacks if c not in (freshness.bump, freshness.bump_data)]) == 1
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.PROGRAMMED
    notice = Notification.objects.get(recipient=people.protocole)
    assert notice.emailed_at is None  # the periodic sweep will send it


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_protocol_reminder_is_enqueued_by_id_on_redis_after_commit(people, make_request, place):
    import redis

    start = timezone.now() + datetime.timedelta(hours=30)
    audience = services.audience_programme(
        audience=make_request(),
        by=people.attache,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        place=place,
        confirm_warnings=True,
    )
    client = redis.Redis.from_url(settings.REDIS_URL)
    with real_broker(settings.REDIS_URL) as app:
        app.control.purge()
        with transaction.atomic():
            assert tasks.remind_protocol_unconfirmed() == 1
            assert client.llen("celery") == 0  # nothing leaves before commit
        messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
        app.control.purge()
    sent = [
        (m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0])
        for m in messages
        if m["headers"]["task"].startswith("audiences.")
    ]
    assert sent == [("audiences.tasks.remind_protocol", [audience.pk])]
