"""Reminders: tomorrow's agenda, the protocol 48 hours before, the compte rendu after."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audiences import services, tasks
from audiences.models import Audience

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the tasks enqueue after commit (the test's transaction never commits)."""

    def _run():
        return django_capture_on_commit_callbacks(execute=True)

    return _run


def test_tomorrow_agenda_is_emailed_to_the_chef_du_secretariat(people, programmed, day, run_on_commit):
    programmed(hour=10, on_behalf_of="Union africaine")
    programmed(hour=14, on_behalf_of="Délégation discrète", is_confidential=True)
    mail.outbox.clear()
    with run_on_commit():
        assert tasks.send_tomorrow_agenda(day.isoformat()) == 1
    (message,) = mail.outbox
    assert message.to == [people.chef_sp.email]
    assert "Agenda du ministre pour le" in message.subject
    assert "10:00–10:30" in message.body and "Union africaine" in message.body
    # The chef du SP may see confidential audiences: they are in his agenda.
    assert "Délégation discrète" in message.body


def test_protocol_is_reminded_once_of_an_unconfirmed_audience_within_48_hours(
    people, make_request, place, run_on_commit
):
    start = timezone.now() + datetime.timedelta(hours=30)
    audience = services.audience_programme(
        audience=make_request(),
        by=people.attache,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        place=place,
        confirm_warnings=True,
    )
    far = services.audience_programme(
        audience=make_request(),
        by=people.attache,
        starts_at=start + datetime.timedelta(days=5),
        ends_at=start + datetime.timedelta(days=5, minutes=30),
        place=place,
        confirm_warnings=True,
    )
    mail.outbox.clear()
    with run_on_commit():
        assert tasks.remind_protocol_unconfirmed() == 1
    assert [m.to for m in mail.outbox] == [[people.protocole.email]]
    assert "Rappel : audience non confirmée" in mail.outbox[0].subject
    assert Audience.objects.get(pk=audience.pk).protocol_reminded_at is not None
    assert Audience.objects.get(pk=far.pk).protocol_reminded_at is None
    assert tasks.remind_protocol_unconfirmed() == 0  # once only


def test_confirmed_audience_needs_no_reminder(people, make_request, place):
    start = timezone.now() + datetime.timedelta(hours=20)
    audience = services.audience_programme(
        audience=make_request(),
        by=people.attache,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        place=place,
        confirm_warnings=True,
    )
    services.audience_confirm(audience=audience, by=people.protocole)
    assert tasks.remind_protocol_unconfirmed() == 0


def test_attache_is_asked_for_the_compte_rendu_after_the_audience(people, programmed, day, run_on_commit):
    audience = programmed(hour=10)
    assert tasks.request_reports() == 0  # not over yet
    Audience.objects.filter(pk=audience.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    mail.outbox.clear()
    with run_on_commit():
        assert tasks.request_reports() == 1
    assert [m.to for m in mail.outbox] == [[people.attache.email]]
    assert "Compte rendu attendu" in mail.outbox[0].subject
    assert tasks.request_reports() == 0


def test_beat_schedule_declares_the_reminders(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "audiences.tasks.send_tomorrow_agenda",
        "audiences.tasks.remind_protocol_unconfirmed",
        "audiences.tasks.request_reports",
    } <= tasks_scheduled
