import datetime

import pytest
from django.conf import settings
from django.core import mail as django_mail

from cabinet.models import Holiday, Notification
from cabinet.workdays import add_working_days, next_working_day
from correspondence.digest import daily_digests_send, digest_subject, summary_subject
from correspondence.models import Imputation
from correspondence.services import mail_cancel

from .outputs_data import incoming, route

pytestmark = pytest.mark.django_db(transaction=True)

# A Tuesday, not a holiday.
TODAY = datetime.date(2026, 11, 24)


def with_deadline(imputation, deadline):
    Imputation.objects.filter(pk=imputation.pk).update(deadline=deadline)
    return imputation


def routed(people, to, deadline, **mail_fields):
    mail = incoming(people, **mail_fields)
    return with_deadline(route(mail, people, to=to), deadline)


def test_each_assignee_gets_late_and_due_soon_imputations_not_the_others(people):
    late = routed(
        people, people.conseiller1, TODAY - datetime.timedelta(days=7), subject="Rapport de l'ambassade à Paris"
    )
    soon = routed(people, people.conseiller1, add_working_days(TODAY, 1), subject="Invitation de l'OIF")
    routed(people, people.conseiller1, TODAY + datetime.timedelta(days=30), subject="Dossier lointain")
    django_mail.outbox.clear()
    daily_digests_send(today=TODAY)
    notice = Notification.objects.get(recipient=people.conseiller1, subject=digest_subject(TODAY))
    assert "1 imputation en retard" in notice.body
    assert late.mail.reference in notice.body and "Rapport de l'ambassade à Paris" in notice.body
    assert "en retard de 5 jours ouvrés" in notice.body
    assert soon.mail.reference in notice.body and "échéance le" in notice.body
    assert "Dossier lointain" not in notice.body
    assert notice.url == "/courrier/a-traiter/"
    sent = [m for m in django_mail.outbox if m.to == ["conseiller1@diplomatie.gouv.tg"]]
    assert len(sent) == 1 and "Rapport de l'ambassade à Paris" in sent[0].body


def test_nobody_without_late_or_due_soon_work_gets_a_digest(people):
    routed(people, people.conseiller1, TODAY + datetime.timedelta(days=30))
    assert daily_digests_send(today=TODAY) == 0
    assert not Notification.objects.filter(subject=digest_subject(TODAY)).exists()


def test_directeur_gets_the_summary_of_everyones_late_work(people):
    for _i in range(2):
        routed(people, people.conseiller1, TODAY - datetime.timedelta(days=3))
    routed(people, people.conseiller2, TODAY - datetime.timedelta(days=10))
    routed(people, people.conseiller2, add_working_days(TODAY, 1))  # due soon: not in the summary
    daily_digests_send(today=TODAY)
    summary = Notification.objects.get(recipient=people.directeur, subject=summary_subject(TODAY))
    assert "3 imputations sont en retard" in summary.body
    assert summary.body.index("Koffi DOGBE : 2 en retard") < summary.body.index("Essi LAWSON : 1 en retard")
    assert f"{TODAY - datetime.timedelta(days=10):%d/%m/%Y}" in summary.body


def test_confidential_subjects_stay_out_of_the_digest(people):
    routed(
        people,
        people.conseiller1,
        TODAY - datetime.timedelta(days=2),
        subject="Affaire réservée",
        confidentiality="confidentiel",
    )
    daily_digests_send(today=TODAY)
    body = Notification.objects.get(recipient=people.conseiller1, subject=digest_subject(TODAY)).body
    assert "Affaire réservée" not in body
    assert "[Confidentiel]" in body


def test_cancelled_mail_and_closed_imputations_are_not_in_the_digest(people):
    cancelled = routed(people, people.conseiller1, TODAY - datetime.timedelta(days=2))
    mail_cancel(mail=cancelled.mail, actor=people.attache, reason="Doublon")
    done = routed(people, people.conseiller1, TODAY - datetime.timedelta(days=2))
    Imputation.objects.filter(pk=done.pk).update(state=Imputation.State.TERMINEE)
    assert daily_digests_send(today=TODAY) == 0


def test_unit_imputation_reaches_the_holders_of_the_unit(people):
    from correspondence.services import imputation_create

    mail = incoming(people, subject="Demande d'éléments sur la ZLECAf")
    imputation = imputation_create(
        mail=mail, created_by=people.directeur, instruction="suite", assignee_unit=people.units["daai"]
    )
    with_deadline(imputation, TODAY - datetime.timedelta(days=1))
    daily_digests_send(today=TODAY)
    body = Notification.objects.get(recipient=people.dir_afrique, subject=digest_subject(TODAY)).body
    assert "Demande d'éléments sur la ZLECAf" in body


def test_sending_twice_the_same_day_sends_nothing_new(people):
    routed(people, people.conseiller1, TODAY - datetime.timedelta(days=2))
    first = daily_digests_send(today=TODAY)
    assert first == 2  # the adviser's digest and the directeur's summary
    assert daily_digests_send(today=TODAY) == 0
    assert Notification.objects.filter(subject__in=[digest_subject(TODAY), summary_subject(TODAY)]).count() == 2


def test_no_digest_on_weekends_and_holidays(people):
    routed(people, people.conseiller1, TODAY - datetime.timedelta(days=2))
    saturday = datetime.date(2026, 11, 28)
    assert daily_digests_send(today=saturday) == 0
    Holiday.objects.get_or_create(date=datetime.date(2026, 11, 25), defaults={"name": "Jour férié de test"})
    assert daily_digests_send(today=datetime.date(2026, 11, 25)) == 0
    assert daily_digests_send(today=next_working_day(datetime.date(2026, 11, 25))) == 2


def test_digest_task_is_known_to_the_worker_and_scheduled_every_morning():
    from cabinet.celery import app

    app.loader.import_default_modules()
    assert "correspondence.tasks_digest.send_daily_digests" in app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["correspondence-daily-digest"]
    assert entry["task"] == "correspondence.tasks_digest.send_daily_digests"
    assert entry["schedule"].hour == {settings.CABINET_MAIL_DIGEST_HOUR}
