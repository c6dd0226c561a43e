"""« Modifier la préparation » on the service: the cabinet's participants and the protocol's
needs of a programmed audience change without its slot; the history says what changed and who
changed it; the protocol and the participants added or removed are told after commit; a stale
form, a wrong state, a past audience and a person without the right are refused."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from icalendar import Calendar

from audiences import services
from audiences.feeds import audience_uid, feed_for
from audiences.models import AgendaSlot, Audience, AudienceEvent, AudienceState
from cabinet.models import Notification

pytestmark = pytest.mark.django_db


def notices() -> dict[str, tuple[str, str]]:
    return {n.recipient.username: (n.subject, n.url) for n in Notification.objects.select_related("recipient")}


def feed_uids(user) -> set[str]:
    return {str(event["UID"]) for event in Calendar.from_ical(feed_for(user)).walk("VEVENT")}


@pytest.fixture
def confirmed(people, programmed):
    """An audience programmed at 10:00 with Mme LAWSON (conseiller2) from the cabinet, confirmed
    by the protocol; the notices of its programming are cleared."""
    audience = programmed(hour=10)
    audience.attendees.set([people.conseiller2])
    audience = services.audience_confirm(audience=audience, by=people.protocole)
    Notification.objects.all().delete()
    return audience


def test_the_attache_swaps_a_counsellor_and_asks_an_interpreter_without_touching_the_slot(people, confirmed):
    before = Audience.objects.select_related("place").get(pk=confirmed.pk)
    slot_before = AgendaSlot.objects.values("starts_at", "ends_at", "occupied_until").get(audience=confirmed)

    audience, changed = services.audience_preparation_update(
        actor=people.attache,
        audience=confirmed,
        attendees=[people.conseiller1],
        needs_interpreter=True,
        needs_press=False,  # unchanged: not in the history
        protocol_notes="Accueil au perron par le chef du protocole",
    )

    assert changed
    audience = Audience.objects.get(pk=confirmed.pk)
    assert list(audience.attendees.all()) == [people.conseiller1]
    assert audience.needs_interpreter and audience.protocol_notes == "Accueil au perron par le chef du protocole"
    # Same time, place, slot and state: a confirmed audience stays confirmed.
    assert (audience.starts_at, audience.ends_at, audience.place_id) == (
        before.starts_at,
        before.ends_at,
        before.place_id,
    )
    assert AgendaSlot.objects.values("starts_at", "ends_at", "occupied_until").get(audience=audience) == slot_before
    assert audience.state == AudienceState.CONFIRMED and audience.confirmed_by == people.protocole
    # The feed shows neither needs nor participants: phones keep the same revision.
    assert audience.sequence == before.sequence
    event = audience.events.get(kind=AudienceEvent.Kind.PREPARATION)
    assert event.actor == people.attache
    assert event.comment.splitlines() == [
        "Interprète : non → oui",
        "Notes de protocole (préséance…) : — → Accueil au perron par le chef du protocole",
        "Participant du cabinet ajouté : M. Koffi DOGBE",
        "Participant du cabinet retiré : Mme Essi LAWSON",
    ]


def test_the_protocol_and_the_participants_added_or_removed_are_told(people, confirmed):
    services.audience_preparation_update(
        actor=people.attache, audience=confirmed, attendees=[people.conseiller1], needs_press=True
    )
    url = f"/audiences/{confirmed.pk}/"
    sent = notices()
    when = f"{date_format(timezone.localtime(confirmed.starts_at), 'l d/m/Y')} 10:00–10:30"
    assert sent == {
        "protocole": (f"Préparation de l'audience modifiée : Ambassade du Ghana, {when}", url),
        "chef-sp": (f"Préparation de l'audience modifiée : Ambassade du Ghana, {when}", url),
        "conseiller1": (f"Vous participez à l'audience : Ambassade du Ghana, {when}", url),
        # She no longer sees the audience (an ordinary one is seen by its participants): no link.
        "conseiller2": (f"Vous ne participez plus à l'audience : Ambassade du Ghana, {when}", ""),
    }
    protocol = Notification.objects.get(recipient=people.protocole)
    assert protocol.body.splitlines() == [
        "Presse : non → oui",
        "Participant du cabinet ajouté : M. Koffi DOGBE",
        "Participant du cabinet retiré : Mme Essi LAWSON",
    ]
    assert not Notification.objects.filter(recipient=people.attache).exists()  # who made the change


def test_the_notices_leave_by_email_only_after_commit(people, confirmed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.audience_preparation_update(actor=people.attache, audience=confirmed, attendees=[people.conseiller1])
        assert mail.outbox == []
    # One e-mail per notice (protocol, chef du SP, the counsellor added, the one removed).
    assert len(callbacks) == Notification.objects.count() == 4
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "chef-sp@diplomatie.gouv.tg",
        "conseiller1@diplomatie.gouv.tg",
        "conseiller2@diplomatie.gouv.tg",
        "protocole@diplomatie.gouv.tg",
    ]


def test_needs_not_given_and_participants_not_given_are_kept(people, confirmed):
    services.audience_preparation_update(actor=people.attache, audience=confirmed, needs_gifts=True)
    audience = Audience.objects.get(pk=confirmed.pk)
    assert audience.needs_gifts and not audience.needs_interpreter
    assert list(audience.attendees.all()) == [people.conseiller2]
    assert audience.events.get(kind=AudienceEvent.Kind.PREPARATION).comment == "Cadeaux : non → oui"
    with pytest.raises(TypeError):
        services.audience_preparation_update(actor=people.attache, audience=confirmed, place=None)


def test_nothing_changed_records_nothing_and_tells_nobody(people, confirmed):
    last = services.last_event(confirmed)
    _audience, changed = services.audience_preparation_update(
        actor=people.attache,
        audience=confirmed,
        attendees=[people.conseiller2],
        needs_interpreter=False,
        protocol_notes="",
        seen_event=last,
    )
    assert not changed
    assert services.last_event(confirmed) == last
    assert not Notification.objects.exists()


def test_a_participant_added_or_removed_sees_the_audience_come_into_or_leave_their_feed(people, confirmed):
    uid = audience_uid(confirmed)
    assert uid in feed_uids(people.conseiller2) and uid not in feed_uids(people.conseiller1)
    services.audience_preparation_update(actor=people.attache, audience=confirmed, attendees=[people.conseiller1])
    assert uid in feed_uids(people.conseiller1) and uid not in feed_uids(people.conseiller2)


def test_a_change_made_since_the_form_was_opened_is_refused_naming_it(people, programmed):
    audience = programmed()
    seen = services.last_event(audience)
    # Meanwhile the protocol confirms the audience as it was prepared.
    services.audience_confirm(audience=audience, by=people.protocole)

    with pytest.raises(services.ChangedMeanwhile) as exc:
        services.audience_preparation_update(
            actor=people.attache, audience=audience, attendees=[people.conseiller1], seen_event=seen
        )
    message = exc.value.messages[0]
    assert message.startswith("L'audience a été modifiée depuis que vous avez ouvert ce formulaire")
    assert "confirmée par le protocole, par M. Mawuli GBEDEY" in message
    assert exc.value.event_id == services.last_event(audience)
    assert not audience.attendees.exists()
    assert not audience.events.filter(kind=AudienceEvent.Kind.PREPARATION).exists()

    # Saving again, knowing the newest change, goes through.
    _audience, changed = services.audience_preparation_update(
        actor=people.attache, audience=audience, attendees=[people.conseiller1], seen_event=exc.value.event_id
    )
    assert changed and list(audience.attendees.all()) == [people.conseiller1]


def test_only_those_who_programme_audiences_change_their_preparation(people, confirmed):
    # The secretariat records requests but neither programmes nor names the cabinet's
    # participants (naming one lets him see the audience).
    for user in (people.secretariat, people.protocole, people.ministre, people.directeur, people.conseiller1):
        with pytest.raises(PermissionDenied):
            services.audience_preparation_update(actor=user, audience=confirmed, attendees=[people.conseiller1])
    assert list(confirmed.attendees.all()) == [people.conseiller2]
    _audience, changed = services.audience_preparation_update(
        actor=people.chef_sp, audience=confirmed, attendees=[people.conseiller1]
    )
    assert changed


def _in_state(state, people, programmed, make_request) -> Audience:
    if state == "received":
        return make_request()
    if state == "refused":
        return services.audience_refuse(audience=make_request(), by=people.attache, reason="Hors attributions")
    audience = programmed()
    if state in ("cancelled", "postponed"):
        return services.audience_cancel(
            audience=audience, by=people.attache, reason="Empêchement", postpone=state == "postponed"
        )
    if state == "held":
        Audience.objects.filter(pk=audience.pk).update(state=AudienceState.HELD)
    if state == "past":
        start = timezone.now() - datetime.timedelta(hours=1)
        Audience.objects.filter(pk=audience.pk).update(starts_at=start, ends_at=start + datetime.timedelta(minutes=30))
    return Audience.objects.get(pk=audience.pk)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("received", "L'audience n'est pas à l'agenda : les participants du cabinet et les besoins du protocole"),
        ("postponed", "L'audience n'est pas à l'agenda : les participants du cabinet et les besoins du protocole"),
        ("refused", "L'audience est « Refusée » : ses participants du cabinet et les besoins du protocole"),
        ("cancelled", "L'audience est « Annulée » : ses participants du cabinet et les besoins du protocole"),
        ("held", "L'audience est « Tenue » : ses participants du cabinet et les besoins du protocole"),
        ("past", "L'audience du "),
    ],
)
def test_an_audience_not_ahead_in_the_agenda_is_refused_in_french(people, programmed, make_request, state, message):
    audience = _in_state(state, people, programmed, make_request)
    with pytest.raises(ValidationError) as exc:
        services.audience_preparation_update(
            actor=people.attache, audience=audience, attendees=[people.conseiller1], needs_press=True
        )
    assert exc.value.messages[0].startswith(message)
    if state == "past":
        assert exc.value.messages[0].endswith(
            "est passée : ses participants du cabinet et les besoins du protocole ne se modifient plus."
        )
    audience.refresh_from_db()
    assert not audience.attendees.exists() and not audience.needs_press
    assert not audience.events.filter(kind=AudienceEvent.Kind.PREPARATION).exists()


def test_a_confidential_audience_is_announced_only_to_who_may_see_it(people, programmed):
    audience = programmed(is_confidential=True, by=people.attache)
    services.audience_grant_access(audience=audience, by=people.attache, user=people.conseiller2)
    Notification.objects.all().delete()
    services.audience_preparation_update(
        actor=people.attache, audience=audience, attendees=[people.conseiller1, people.conseiller2]
    )
    # Mr DOGBE was not given access: for him the audience does not exist, so no notice names it.
    assert set(notices()) == {"conseiller2", "chef-sp"}
    assert notices()["conseiller2"][0].startswith("Vous participez à l'audience")
