"""« Modifier la demande » on the service: what may be corrected, in which state, by whom, and
what the history and the notifications say."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audiences import services
from audiences.models import Audience, AudienceEvent, AudienceState
from cabinet.models import Notification

pytestmark = pytest.mark.django_db

MISSPELT = [{"name": "S.E. Kwame Mensa", "title": "Ambassadeur", "nationality": "ghanéenne"}]
CORRECTED = [
    {"name": "S.E. Kwame Mensah", "title": "Ambassadeur", "nationality": "ghanéenne"},
    {"name": "Mme Ama Owusu", "title": "Première secrétaire", "nationality": ""},
]


def rows(audience):
    return [(p.name, p.title, p.nationality, p.order) for p in audience.participants.all()]


def test_correcting_a_request_replaces_participants_in_order_and_the_history_says_what_changed(people, make_request):
    audience = make_request(participants=MISSPELT)
    Notification.objects.all().delete()
    later = timezone.localdate() + datetime.timedelta(days=10)

    audience, changed = services.audience_update(
        actor=people.attache,
        audience=audience,
        participants=CORRECTED,
        participants_count=None,
        wished_from=later,
        purpose="Préparation de la commission mixte",  # unchanged: not in the history
    )

    assert changed
    assert rows(Audience.objects.get(pk=audience.pk)) == [
        ("S.E. Kwame Mensah", "Ambassadeur", "ghanéenne", 0),
        ("Mme Ama Owusu", "Première secrétaire", "", 1),
    ]
    audience.refresh_from_db()
    assert audience.wished_from == later and audience.participants_count == 2
    event = audience.events.get(kind=AudienceEvent.Kind.MODIFIED)
    assert event.actor == people.attache
    assert event.comment.splitlines() == [
        f"Souhaitée à partir du : {timezone.localdate():%d/%m/%Y} → {later:%d/%m/%Y}",
        "Nombre de participants : 1 → 2",
        "Participant : S.E. Kwame Mensa, Ambassadeur, ghanéenne → S.E. Kwame Mensah, Ambassadeur, ghanéenne",
        "Participant ajouté : Mme Ama Owusu, Première secrétaire",
    ]
    # The other coordinator hears of it, not the one who made the change; not the protocol
    # (the request is not in the agenda).
    assert list(Notification.objects.values_list("recipient__username", "subject")) == [
        ("chef-sp", "Demande d'audience modifiée : Ambassade du Ghana")
    ]


def test_nothing_changed_records_nothing(people, make_request):
    audience = make_request()
    Notification.objects.all().delete()
    _audience, changed = services.audience_update(
        actor=people.secretariat,
        audience=audience,
        purpose=audience.purpose,
        participants=[{"name": "S.E. Kwame Mensah", "title": "Ambassadeur", "nationality": "ghanéenne"}],
    )
    assert not changed
    assert not audience.events.filter(kind=AudienceEvent.Kind.MODIFIED).exists()
    assert not Notification.objects.exists()


def test_participants_in_another_order_are_said_to_be_reordered(people, make_request):
    audience = make_request(participants=CORRECTED)
    services.audience_update(actor=people.attache, audience=audience, participants=list(reversed(CORRECTED)))
    event = audience.events.get(kind=AudienceEvent.Kind.MODIFIED)
    assert event.comment == (
        "Ordre des participants : Mme Ama Owusu, Première secrétaire ; S.E. Kwame Mensah, Ambassadeur, ghanéenne"
    )
    assert [r[0] for r in rows(audience)] == ["Mme Ama Owusu", "S.E. Kwame Mensah"]


def test_a_past_wished_date_is_kept_but_a_new_one_may_not_be_past(people, make_request):
    audience = make_request()
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    Audience.objects.filter(pk=audience.pk).update(wished_from=last_week, received_on=last_week)
    audience.refresh_from_db()
    # Correcting a name does not trip over the date the request was received with.
    _audience, changed = services.audience_update(
        actor=people.attache, audience=audience, wished_from=last_week, participants=MISSPELT
    )
    assert changed
    with pytest.raises(ValidationError) as exc:
        services.audience_update(
            actor=people.attache, audience=audience, wished_from=last_week + datetime.timedelta(days=1)
        )
    assert exc.value.message_dict["wished_from"] == ["La date souhaitée ne peut pas être passée."]


def test_a_programmed_audience_keeps_what_the_protocol_prepares_but_its_delegation_may_change(people, programmed):
    audience = programmed(hour=10)
    services.audience_confirm(audience=audience, by=people.protocole)
    Notification.objects.all().delete()
    before = Audience.objects.get(pk=audience.pk)

    with pytest.raises(ValidationError) as exc:
        services.audience_update(
            actor=people.attache,
            audience=audience,
            wished_from=timezone.localdate() + datetime.timedelta(days=3),
            on_behalf_of="Union africaine",
        )
    assert set(exc.value.message_dict) == {"wished_from", "on_behalf_of"}
    assert "Déplacer" in exc.value.message_dict["wished_from"][0]

    audience, changed = services.audience_update(
        actor=people.attache,
        audience=audience,
        purpose="Commission mixte et visite d'État",
        participants=CORRECTED,
        wished_from=before.wished_from,  # unchanged: allowed
    )
    assert changed
    audience.refresh_from_db()
    # Still confirmed, same time: the protocol is told, it may ask a change. A new revision:
    # the purpose is the feed's description (phones replace the event's text).
    assert audience.state == AudienceState.CONFIRMED
    assert (audience.starts_at, audience.sequence) == (before.starts_at, before.sequence + 1)
    assert audience.purpose == "Commission mixte et visite d'État"
    assert {n.recipient.username for n in Notification.objects.all()} == {"protocole", "chef-sp"}
    notice = Notification.objects.get(recipient=people.protocole)
    assert notice.subject.startswith("Audience modifiée : Ambassade du Ghana,")
    assert "Participant ajouté : Mme Ama Owusu" in notice.body


def test_notifications_of_a_correction_leave_after_commit(people, programmed, django_capture_on_commit_callbacks):
    audience = programmed()
    with django_capture_on_commit_callbacks() as callbacks:
        services.audience_update(actor=people.attache, audience=audience, participants=CORRECTED)
    # One e-mail per notice (protocol, chef du SP), sent only once the correction is committed.
    assert len(callbacks) == 2


@pytest.mark.parametrize("final_state", ["held", "cancelled", "refused"])
def test_a_request_held_cancelled_or_refused_is_no_longer_corrected(people, programmed, make_request, final_state):
    if final_state == "refused":
        audience = services.audience_refuse(audience=make_request(), by=people.attache, reason="Hors attributions")
    elif final_state == "cancelled":
        audience = services.audience_cancel(audience=programmed(), by=people.attache, reason="Empêchement")
    else:
        audience = programmed()
        Audience.objects.filter(pk=audience.pk).update(state=AudienceState.HELD)
    with pytest.raises(ValidationError) as exc:
        services.audience_update(actor=people.attache, audience=audience, participants=CORRECTED)
    assert exc.value.messages[0].startswith("Action impossible : l'audience est")
    assert [r[0] for r in rows(audience)] == ["S.E. Kwame Mensah"]
    assert not audience.events.filter(kind=AudienceEvent.Kind.MODIFIED).exists()


def test_a_postponed_audience_is_corrected_like_a_new_request(people, programmed):
    audience = services.audience_cancel(audience=programmed(), by=people.attache, reason="Report", postpone=True)
    later = timezone.localdate() + datetime.timedelta(days=20)
    audience, changed = services.audience_update(actor=people.chef_sp, audience=audience, wished_from=later)
    assert changed and Audience.objects.get(pk=audience.pk).wished_from == later


def test_only_those_who_record_requests_correct_them(people, make_request):
    audience = make_request()
    for user in (people.ministre, people.directeur, people.protocole, people.conseiller1, people.outsider):
        with pytest.raises(PermissionDenied):
            services.audience_update(actor=user, audience=audience, purpose="Autre objet")
    assert Audience.objects.get(pk=audience.pk).purpose == "Préparation de la commission mixte"
    # The secretariat, which recorded it, may.
    _audience, changed = services.audience_update(actor=people.secretariat, audience=audience, purpose="Autre objet")
    assert changed


def test_interpreter_wish_follows_into_the_protocol_need_before_programming(people, make_request):
    audience = make_request()
    audience, _changed = services.audience_update(actor=people.attache, audience=audience, interpreter_needed=True)
    audience.refresh_from_db()
    assert audience.interpreter_needed and audience.needs_interpreter
    comment = audience.events.get(kind=AudienceEvent.Kind.MODIFIED).comment
    assert comment == "Interprète nécessaire : non → oui"
