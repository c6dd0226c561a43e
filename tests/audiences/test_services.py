"""The rules of issue 4, checked on the services (they run on SQLite and PostgreSQL)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.utils import timezone

from audiences import services
from audiences.models import AgendaSlot, Audience, AudienceEvent, AudienceState, Unavailability
from audiences.scheduling import NeedsConfirmation
from cabinet.models import Holiday, Notification

from .conftest import at

pytestmark = pytest.mark.django_db


def test_request_records_participants_and_history(people, make_request):
    audience = make_request()
    assert audience.state == AudienceState.RECEIVED
    assert [p.name for p in audience.participants.all()] == ["S.E. Kwame Mensah"]
    assert audience.events.get().kind == AudienceEvent.Kind.RECORDED
    # The attaché and the chef du SP hear of a request recorded by the secretariat.
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"attache", "chef-sp"}


def test_request_with_wished_date_in_the_past_is_refused(make_request):
    with pytest.raises(ValidationError) as exc:
        make_request(wished_from=timezone.localdate() - datetime.timedelta(days=1))
    assert "passée" in exc.value.message_dict["wished_from"][0]


def test_only_secretariat_attache_chef_sp_record_requests(people, make_request):
    for user in (people.protocole, people.ministre, people.conseiller1, people.outsider):
        with pytest.raises(PermissionDenied):
            make_request(by=user)
    assert Audience.objects.count() == 0


def test_programme_sets_agenda_and_asks_protocol(people, programmed, day):
    audience = programmed(hour=10)
    assert audience.state == AudienceState.PROGRAMMED
    slot = AgendaSlot.objects.get(audience=audience)
    assert slot.occupied_until == audience.ends_at + datetime.timedelta(minutes=15)
    assert Notification.objects.filter(recipient=people.protocole, subject__startswith="Audience à confirmer").exists()


def test_overlap_is_refused_naming_the_other_audience_and_its_time(programmed, day):
    programmed(hour=10, minutes=60)
    with pytest.raises(ValidationError) as exc:
        programmed(hour=10, minute=30)
    message = exc.value.message_dict["starts_at"][0]
    assert "Ambassade du Ghana" in message
    assert f"{day:%d/%m/%Y} 10:00–11:00" in message
    assert Audience.objects.filter(state=AudienceState.PROGRAMMED).count() == 1


def test_buffer_between_two_audiences_is_enforced(programmed, settings):
    settings.AUDIENCES_BUFFER_MINUTES = 15
    programmed(hour=10, minutes=30)  # 10:00–10:30, busy until 10:45
    with pytest.raises(ValidationError):
        programmed(hour=10, minute=40)
    assert programmed(hour=10, minute=45).state == AudienceState.PROGRAMMED


def test_an_audience_cannot_be_set_before_another_without_its_own_buffer(programmed):
    programmed(hour=11)
    with pytest.raises(ValidationError):
        programmed(hour=10, minute=30, minutes=25)  # ends 10:55, + 15 min buffer reaches 11:10


def test_overlap_with_a_block_names_the_block(people, programmed, day):
    services.unavailability_create(
        by=people.chef_sp,
        title="Conseil des ministres",
        kind=Unavailability.Kind.COUNCIL,
        starts_at=at(day, 9),
        ends_at=at(day, 12),
    )
    with pytest.raises(ValidationError) as exc:
        programmed(hour=11)
    assert "Conseil des ministres" in exc.value.message_dict["starts_at"][0]


def test_a_lifted_block_frees_its_time(people, programmed, day):
    block = services.unavailability_create(
        by=people.chef_sp, title="Voyage", kind=Unavailability.Kind.TRAVEL, starts_at=at(day, 9), ends_at=at(day, 12)
    )
    services.unavailability_lift(block=block, by=people.chef_sp)
    assert programmed(hour=10).state == AudienceState.PROGRAMMED


def test_end_before_start_is_refused(people, make_request, place, day):
    with pytest.raises(ValidationError) as exc:
        services.audience_programme(
            audience=make_request(), by=people.attache, starts_at=at(day, 11), ends_at=at(day, 10), place=place
        )
    assert "ends_at" in exc.value.message_dict


def test_weekend_or_holiday_needs_confirmation(people, make_request, place, day):
    Holiday.objects.create(date=day, name="Fête de test")
    audience = make_request()
    with pytest.raises(NeedsConfirmation) as exc:
        services.audience_programme(
            audience=audience, by=people.attache, starts_at=at(day, 10), ends_at=at(day, 11), place=place
        )
    assert "jour ouvrable" in exc.value.warnings[0]
    audience = services.audience_programme(
        audience=audience,
        by=people.attache,
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        place=place,
        confirm_warnings=True,
    )
    assert audience.state == AudienceState.PROGRAMMED
    # The history keeps what the user confirmed.
    assert "jour ouvrable" in audience.events.get(kind=AudienceEvent.Kind.PROGRAMMED).comment


def test_outside_office_hours_needs_confirmation(people, make_request, place, day):
    with pytest.raises(NeedsConfirmation) as exc:
        services.audience_programme(
            audience=make_request(), by=people.attache, starts_at=at(day, 19), ends_at=at(day, 20), place=place
        )
    assert "heures de bureau" in exc.value.warnings[0]


def test_only_protocol_confirms_and_a_forged_confirmation_records_nothing(people, programmed):
    audience = programmed()
    for user in (people.attache, people.chef_sp, people.ministre, people.secretariat):
        with pytest.raises(PermissionDenied):
            services.audience_confirm(audience=audience, by=user)
    audience.refresh_from_db()
    assert audience.state == AudienceState.PROGRAMMED and audience.confirmed_by is None
    assert not audience.events.filter(kind=AudienceEvent.Kind.CONFIRMED).exists()
    audience = services.audience_confirm(audience=audience, by=people.protocole)
    assert audience.state == AudienceState.CONFIRMED and audience.confirmed_by == people.protocole
    notified = set(
        Notification.objects.filter(subject__startswith="Audience confirmée").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"attache", "chef-sp"}


def test_protocol_asks_for_a_change_and_the_cabinet_is_notified(people, programmed):
    audience = programmed()
    with pytest.raises(ValidationError):
        services.audience_ask_change(audience=audience, by=people.protocole, comment=" ")
    services.audience_ask_change(audience=audience, by=people.protocole, comment="Salon d'honneur pris : 11 h ?")
    event = audience.events.get(kind=AudienceEvent.Kind.CHANGE_ASKED)
    assert event.comment == "Salon d'honneur pris : 11 h ?"
    notified = set(
        Notification.objects.filter(subject__startswith="Le protocole demande").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"attache", "chef-sp"}


def test_move_keeps_history_raises_sequence_and_asks_reconfirmation(people, programmed, day):
    audience = services.audience_confirm(audience=programmed(hour=10), by=people.protocole)
    old_start, old_sequence = audience.starts_at, audience.sequence
    moved = services.audience_move(
        audience=audience,
        by=people.chef_sp,
        starts_at=at(day, 15),
        ends_at=at(day, 15, 45),
        reason="Demande du ministre",
    )
    assert moved.state == AudienceState.PROGRAMMED and moved.confirmed_at is None
    assert moved.sequence == old_sequence + 1
    event = moved.events.get(kind=AudienceEvent.Kind.MOVED)
    assert (event.actor, event.old_starts_at, event.new_starts_at, event.comment) == (
        people.chef_sp,
        old_start,
        at(day, 15),
        "Demande du ministre",
    )
    assert AgendaSlot.objects.get(audience=moved).starts_at == at(day, 15)
    assert Notification.objects.filter(recipient=people.protocole, subject__contains="confirmer de nouveau").exists()


def test_move_needs_a_reason_and_may_not_overlap(people, programmed, day):
    first, second = programmed(hour=10), programmed(hour=14)
    with pytest.raises(ValidationError):
        services.audience_move(
            audience=second, by=people.attache, starts_at=at(day, 15), ends_at=at(day, 16), reason=""
        )
    with pytest.raises(ValidationError) as exc:
        services.audience_move(
            audience=second, by=people.attache, starts_at=at(day, 10, 15), ends_at=at(day, 11), reason="Plus tôt"
        )
    assert "10:00–10:30" in exc.value.message_dict["starts_at"][0]
    # Moving an audience onto its own time (a small shift) is not a conflict with itself.
    services.audience_move(
        audience=first, by=people.attache, starts_at=at(day, 10, 10), ends_at=at(day, 10, 40), reason="Décalage"
    )


def test_cancel_needs_a_reason_and_frees_the_slot(people, programmed):
    audience = programmed()
    with pytest.raises(ValidationError):
        services.audience_cancel(audience=audience, by=people.attache, reason="")
    audience = services.audience_cancel(audience=audience, by=people.attache, reason="Empêchement")
    assert audience.state == AudienceState.CANCELLED and audience.sequence == 1
    assert not AgendaSlot.objects.filter(audience=audience).exists()
    assert Notification.objects.filter(recipient=people.protocole, subject__startswith="Audience annulée").exists()


def test_postponed_audience_can_be_programmed_again(people, programmed, place, day):
    audience = services.audience_cancel(audience=programmed(), by=people.attache, reason="Report", postpone=True)
    assert audience.state == AudienceState.POSTPONED
    audience = services.audience_programme(
        audience=audience, by=people.attache, starts_at=at(day, 16), ends_at=at(day, 16, 30), place=place
    )
    assert audience.state == AudienceState.PROGRAMMED and audience.sequence == 2


def test_refusal_needs_a_reason(people, make_request):
    audience = make_request()
    with pytest.raises(ValidationError):
        services.audience_refuse(audience=audience, by=people.attache, reason="  ")
    audience = services.audience_refuse(audience=audience, by=people.attache, reason="Hors attributions")
    assert audience.state == AudienceState.REFUSED and audience.decision_reason == "Hors attributions"


def test_report_after_the_audience_reaches_minister_and_directeur(people, programmed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    audience = programmed()
    with pytest.raises(ValidationError):
        services.audience_report_attach(
            audience=audience, by=people.attache, upload=SimpleUploadedFile("cr.pdf", b"%PDF-1.4 test")
        )
    Audience.objects.filter(pk=audience.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    audience.refresh_from_db()
    attachment = services.audience_report_attach(
        audience=audience, by=people.attache, upload=SimpleUploadedFile("cr.pdf", b"%PDF-1.4 test")
    )
    audience.refresh_from_db()
    assert audience.state == AudienceState.HELD and attachment.kind == "compte_rendu"
    readers = set(
        Notification.objects.filter(subject__startswith="Compte rendu").values_list("recipient__username", flat=True)
    )
    assert readers == {"ministre", "directeur"}


def test_attachments_are_checked_by_content_not_by_name(people, programmed):
    """A renamed executable is refused; an oversize file too; nothing is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audiences.models import Attachment

    audience = programmed()
    Audience.objects.filter(pk=audience.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    audience.refresh_from_db()
    fake = SimpleUploadedFile("compte-rendu.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200)
    with pytest.raises(ValidationError) as excinfo:
        services.audience_report_attach(audience=audience, by=people.attache, upload=fake)
    assert "n'est pas un document accepté" in " ".join(excinfo.value.messages)
    assert not Attachment.objects.filter(audience=audience).exists()


def test_attachment_names_are_sanitised(people, programmed, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    audience = programmed()
    Audience.objects.filter(pk=audience.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    audience.refresh_from_db()
    upload = SimpleUploadedFile("../../etc/<cr>.pdf", b"%PDF-1.4 test")
    attachment = services.audience_report_attach(audience=audience, by=people.attache, upload=upload)
    assert attachment.name == "_cr_.pdf"


class _PgError(Exception):
    def __init__(self, pgcode):
        super().__init__()
        self.pgcode = pgcode


def _operational_error(pgcode: str, message: str) -> OperationalError:
    error = OperationalError(message)
    error.__cause__ = _PgError(pgcode)
    return error


def test_a_deadlock_between_two_programmings_of_the_same_slot_is_a_french_conflict(
    people, make_request, place, day, monkeypatch
):
    """Two transactions inserting overlapping slots at once: each exclusion-constraint check
    waits for the other's row and PostgreSQL aborts one with a deadlock (seen in CI). The
    aborted one gets the conflict message, not an error page; other database errors still
    propagate."""
    deadlock = _operational_error(
        "40P01", "deadlock detected\nCONTEXT: while checking exclusion constraint on tuple (0,1)"
    )
    monkeypatch.setattr(AgendaSlot.objects, "update_or_create", lambda **kw: (_ for _ in ()).throw(deadlock))
    audience = make_request()
    with pytest.raises(ValidationError) as exc:
        services.audience_programme(
            audience=audience, by=people.attache, starts_at=at(day, 10), ends_at=at(day, 10, 30), place=place
        )
    assert exc.value.message_dict["starts_at"] == ["Ce créneau vient d'être pris par un autre rendez-vous."]
    assert not AgendaSlot.objects.filter(audience=audience).exists()
    other = _operational_error("57014", "canceling statement due to statement timeout")
    monkeypatch.setattr(AgendaSlot.objects, "update_or_create", lambda **kw: (_ for _ in ()).throw(other))
    with pytest.raises(OperationalError):
        services.audience_programme(
            audience=make_request(), by=people.attache, starts_at=at(day, 11), ends_at=at(day, 11, 30), place=place
        )


def test_a_programming_aborted_by_a_deadlock_writes_again_and_takes_a_slot_left_free(
    people, make_request, place, day, monkeypatch
):
    """The other transaction rolled back: writing again (it waits for the other's outcome)
    takes the slot instead of refusing a free time."""
    deadlock = _operational_error(
        "40P01", "deadlock detected\nCONTEXT: while checking exclusion constraint on tuple (0,1)"
    )
    original = AgendaSlot.objects.update_or_create
    calls = []

    def once_deadlocked(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise deadlock
        return original(**kwargs)

    monkeypatch.setattr(AgendaSlot.objects, "update_or_create", once_deadlocked)
    audience = make_request()
    services.audience_programme(
        audience=audience, by=people.attache, starts_at=at(day, 10), ends_at=at(day, 10, 30), place=place
    )
    assert len(calls) == 2
    assert AgendaSlot.objects.get(audience=audience).starts_at == at(day, 10)
