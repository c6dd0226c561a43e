"""Directives: recorded, transmitted by whoever holds ``transmit_directive`` on it, then
transmise → accusée → en cours → exécutée, with late reminders."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cabinet.models import Notification
from delegations import directive_services
from delegations.models import Directive, DirectiveUserObjectPermission, Transmission
from delegations.tasks import directives_remind_late_task

pytestmark = pytest.mark.django_db


def transmitters(directive) -> set[str]:
    return set(
        DirectiveUserObjectPermission.objects.filter(
            content_object=directive, permission__codename="transmit_directive"
        ).values_list("user__username", flat=True)
    )


def test_the_conseiller_in_charge_and_the_directeur_may_transmit(people, make_directive):
    directive = make_directive()
    assert transmitters(directive) == {"conseiller1", "directeur"}
    assert directive_services.can_transmit(people.conseiller1, directive)
    assert not directive_services.can_transmit(people.conseiller2, directive)


def test_directive_deadline_before_its_date_is_a_field_error(people):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        directive_services.directive_create(
            actor=people.ministre,
            subject="S",
            text="T",
            issued_on=today,
            deadline=today - datetime.timedelta(days=1),
            advisers=[people.conseiller1],
        )
    assert "deadline" in exc.value.message_dict
    assert Directive.objects.count() == 0


def test_advisers_must_be_conseillers(people):
    with pytest.raises(ValidationError) as exc:
        directive_services.directive_create(
            actor=people.ministre, subject="S", text="T", deadline=timezone.localdate(), advisers=[people.secretariat]
        )
    assert "advisers" in exc.value.message_dict
    assert Directive.objects.count() == 0


def test_a_conseiller_not_in_charge_cannot_transmit(people, make_directive):
    directive = make_directive()
    with pytest.raises(PermissionDenied):
        directive_services.directive_transmit(
            directive=directive, actor=people.conseiller2, recipients=[people.dir_afrique]
        )
    assert Transmission.objects.count() == 0


def test_directives_go_to_directors_and_heads_of_service_only(people, make_directive):
    directive = make_directive()
    with pytest.raises(ValidationError) as exc:
        directive_services.directive_transmit(
            directive=directive, actor=people.conseiller1, recipients=[people.secretariat]
        )
    assert "recipients" in exc.value.message_dict
    assert Transmission.objects.count() == 0


def test_full_cycle_transmise_accusee_en_cours_executee(people, make_directive):
    directive = make_directive()
    (transmission,) = directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique], note="Urgent"
    )
    assert transmission.state == Transmission.State.TRANSMISE
    assert Notification.objects.filter(
        recipient=people.dir_afrique, subject__startswith="Directive du Ministre"
    ).exists()
    with pytest.raises(ValidationError):  # a report needs an acknowledgement first
        directive_services.transmission_report(
            transmission=transmission, user=people.dir_afrique, text="x", executed=False
        )
    with pytest.raises(PermissionDenied):
        directive_services.transmission_acknowledge(transmission=transmission, user=people.conseiller2)
    transmission = directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    assert transmission.state == Transmission.State.ACCUSEE
    assert transmission.acknowledged_at is not None
    directive_services.transmission_report(
        transmission=transmission, user=people.dir_afrique, text="Services saisis.", executed=False
    )
    transmission.refresh_from_db()
    assert transmission.state == Transmission.State.EN_COURS
    pdf = SimpleUploadedFile(
        "rapport.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf"
    )
    report = directive_services.transmission_report(
        transmission=transmission, user=people.dir_afrique, text="Rapport remis.", executed=True, attachment=pdf
    )
    transmission.refresh_from_db()
    assert transmission.state == Transmission.State.EXECUTEE
    assert transmission.executed_at is not None
    assert report.attachment.name.endswith("rapport.pdf")
    assert Notification.objects.filter(recipient=people.conseiller1, subject__startswith="Directive exécutée").exists()


def test_report_attachment_is_content_checked(people, make_directive):
    directive = make_directive()
    (transmission,) = directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    fake = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    with pytest.raises(ValidationError) as exc:
        directive_services.transmission_report(
            transmission=transmission, user=people.dir_afrique, text="x", executed=True, attachment=fake
        )
    assert "attachment" in exc.value.message_dict
    transmission.refresh_from_db()
    assert transmission.state == Transmission.State.ACCUSEE


def test_late_directives_are_reminded_once_a_day(people, make_directive):
    late = make_directive(deadline=timezone.localdate() - datetime.timedelta(days=2))
    on_time = make_directive(subject="À temps")
    directive_services.directive_transmit(directive=late, actor=people.directeur, recipients=[people.dir_afrique])
    directive_services.directive_transmit(directive=on_time, actor=people.directeur, recipients=[people.dir_afrique])
    directives_remind_late_task.delay()
    reminders = Notification.objects.filter(subject__startswith="Directive en retard de 2 jour(s)")
    assert set(reminders.values_list("recipient__username", flat=True)) == {"dir-afrique", "conseiller1"}
    assert directive_services.directives_remind_late() == 0
    assert reminders.count() == 2


def test_a_new_directeur_receives_the_right_to_transmit_from_the_nightly_task(people, make_directive):
    from cabinet.models import Mandate
    from cabinet.services import mandate_create, mandate_end
    from delegations.tasks import delegations_nightly_task

    directive = make_directive()
    today = timezone.localdate()
    mandate_end(mandate=Mandate.objects.get(user=people.directeur), end_date=today - datetime.timedelta(days=1))
    mandate_create(user=people.conseiller2, position=people.positions["dircab"], start_date=today)
    assert not directive_services.can_transmit(people.directeur, directive)  # the old row gives nothing
    delegations_nightly_task.delay()
    assert "conseiller2" in transmitters(directive)
    assert directive_services.can_transmit(people.conseiller2, directive)
