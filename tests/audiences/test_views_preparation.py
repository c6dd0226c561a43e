"""The « Modifier la préparation » page: success, rights (404 / 403), wrong method, a stale
form refused with what was typed kept, states where it is refused, and a constant number of
queries (the page and the audience's detail)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audiences import services
from audiences.models import Audience, AudienceEvent, AudienceState
from cabinet.models import Notification

pytestmark = pytest.mark.django_db


def prep_url(audience) -> str:
    return reverse("audiences:preparation", args=[audience.pk])


def detail_url(audience) -> str:
    return reverse("audiences:detail", args=[audience.pk])


def test_the_attache_changes_participants_and_needs_and_sees_it_in_the_timeline(login, people, programmed):
    audience = programmed(hour=10)
    audience.attendees.set([people.conseiller2])
    client = login(people.attache)
    assert prep_url(audience) in client.get(detail_url(audience)).content.decode()

    form = client.get(prep_url(audience)).context["form"]
    assert form["attendees"].value() == [people.conseiller2.pk]
    assert form["needs_interpreter"].value() is False
    assert form["seen_event"].value() == services.last_event(audience)
    # The cabinet's members are offered, nobody else.
    offered = set(form.fields["attendees"].queryset.values_list("username", flat=True))
    assert offered == {"directeur", "attache", "conseiller1", "conseiller2", "chef-sp"}

    response = client.post(
        prep_url(audience),
        {
            "attendees": [people.conseiller1.pk, people.conseiller2.pk],
            "needs_interpreter": "on",
            "protocol_notes": "Accueil au perron",
            "seen_event": form["seen_event"].value(),
        },
    )
    assert response.status_code == 302 and response["Location"] == detail_url(audience)
    audience = Audience.objects.get(pk=audience.pk)
    assert set(audience.attendees.all()) == {people.conseiller1, people.conseiller2}
    assert audience.needs_interpreter and audience.state == AudienceState.PROGRAMMED

    page = client.get(detail_url(audience)).content.decode()
    assert "Préparation modifiée ; le protocole en est averti." in page  # the message
    assert "M. Koffi DOGBE, Mme Essi LAWSON" in page  # « Cabinet » on the detail
    assert "<strong>Préparation modifiée</strong> — Mme Afi MENSAH" in page  # who, in the timeline
    assert "Participant du cabinet ajouté : M. Koffi DOGBE" in page
    assert "Notes de protocole (préséance…) : — → Accueil au perron" in page
    assert Notification.objects.filter(recipient=people.protocole, subject__startswith="Préparation").exists()


def test_saving_the_form_unchanged_records_nothing(login, people, programmed):
    audience = programmed()
    client = login(people.chef_sp)
    response = client.post(prep_url(audience), {"seen_event": services.last_event(audience)}, follow=True)
    assert "Aucune modification à enregistrer." in response.content.decode()
    assert not audience.events.filter(kind=AudienceEvent.Kind.PREPARATION).exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_answers_405(login, people, programmed, method):
    audience = programmed()
    assert getattr(login(people.attache), method)(prep_url(audience)).status_code == 405


def test_a_hidden_or_missing_audience_answers_404(login, people, programmed):
    confidential = programmed(hour=10, by=people.attache, is_confidential=True)
    ordinary = programmed(hour=12)
    # Neither a confidential audience for the secretariat, nor an audience a counsellor does
    # not attend, nor anything for an outsider: as if missing, on GET and POST.
    for user, audience in (
        (people.secretariat, confidential),
        (people.protocole, confidential),
        (people.conseiller1, ordinary),
        (people.outsider, ordinary),
    ):
        client = login(user)
        assert client.get(prep_url(audience)).status_code == 404
        assert client.post(prep_url(audience), {"attendees": [user.pk]}).status_code == 404
    assert login(people.attache).get(reverse("audiences:preparation", args=[999999])).status_code == 404
    assert not confidential.attendees.exists() and not ordinary.attendees.exists()


def test_who_sees_but_does_not_programme_gets_403_and_no_button(login, people, programmed):
    audience = programmed()
    audience.attendees.set([people.conseiller1])
    for user in (people.ministre, people.directeur, people.protocole, people.secretariat, people.conseiller1):
        client = login(user)
        assert client.get(prep_url(audience)).status_code == 403
        response = client.post(prep_url(audience), {"attendees": [people.conseiller2.pk], "needs_press": "on"})
        assert response.status_code == 403
        assert prep_url(audience) not in client.get(detail_url(audience)).content.decode()
    audience = Audience.objects.get(pk=audience.pk)
    assert list(audience.attendees.all()) == [people.conseiller1] and not audience.needs_press


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (AudienceState.CANCELLED, "L&#x27;audience est « Annulée » : ses participants du cabinet"),
        (AudienceState.HELD, "L&#x27;audience est « Tenue » : ses participants du cabinet"),
        (AudienceState.ACCEPTED, "L&#x27;audience n&#x27;est pas à l&#x27;agenda"),
        ("past", "est passée : ses participants du cabinet et les besoins du protocole ne se modifient plus."),
    ],
)
def test_an_audience_not_ahead_in_the_agenda_is_refused_with_a_french_message(
    login, people, programmed, state, message
):
    audience = programmed()
    if state == "past":
        start = timezone.now() - datetime.timedelta(hours=2)
        Audience.objects.filter(pk=audience.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    else:
        Audience.objects.filter(pk=audience.pk).update(state=state)
    client = login(people.attache)
    assert prep_url(audience) not in client.get(detail_url(audience)).content.decode()
    response = client.get(prep_url(audience), follow=True)
    assert response.redirect_chain == [(detail_url(audience), 302)]
    assert message in response.content.decode()
    response = client.post(prep_url(audience), {"attendees": [people.conseiller1.pk], "needs_press": "on"})
    assert response.status_code == 302
    audience = Audience.objects.get(pk=audience.pk)
    assert not audience.attendees.exists() and not audience.needs_press


def test_a_change_made_since_the_form_was_opened_is_not_overwritten(login, people, programmed):
    """The attaché opens the page; meanwhile the chef du SP names another counsellor; the
    attaché's save is refused, naming that change, with what she ticked kept; saving again
    then confirms her values."""
    audience = programmed()
    attache = login(people.attache)
    seen = attache.get(prep_url(audience)).context["form"]["seen_event"].value()
    services.audience_preparation_update(actor=people.chef_sp, audience=audience, attendees=[people.conseiller2])

    typed = {"attendees": [people.conseiller1.pk], "needs_vehicles": "on", "seen_event": seen}
    response = attache.post(prep_url(audience), typed)
    assert response.status_code == 200
    body = response.content.decode()
    assert "L&#x27;audience a été modifiée depuis que vous avez ouvert ce formulaire" in body
    assert "préparation modifiée, par Mme Akouvi TCHALLA" in body
    form = response.context["form"]
    assert form["attendees"].value() == [str(people.conseiller1.pk)]  # what she ticked is kept
    assert form["needs_vehicles"].value() is True
    newest = services.last_event(audience)
    assert f'name="seen_event" value="{newest}"' in body
    audience = Audience.objects.get(pk=audience.pk)
    assert list(audience.attendees.all()) == [people.conseiller2] and not audience.needs_vehicles

    confirmed = attache.post(prep_url(audience), {**typed, "seen_event": newest})
    assert confirmed.status_code == 302
    audience = Audience.objects.get(pk=audience.pk)
    assert list(audience.attendees.all()) == [people.conseiller1] and audience.needs_vehicles


def test_a_participant_whose_mandate_ended_is_shown_not_dropped_unseen(login, people, programmed):
    from cabinet.models import Mandate

    audience = programmed()
    audience.attendees.set([people.conseiller1])
    Mandate.objects.filter(user=people.conseiller1).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    form = login(people.attache).get(prep_url(audience)).context["form"]
    assert people.conseiller1 in form.fields["attendees"].queryset
    assert form["attendees"].value() == [people.conseiller1.pk]


def queries_for(client, url) -> int:
    client.get(url)  # warm-up: session and per-request caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_preparation_and_detail_pages_run_a_constant_number_of_queries(
    login, people, programmed, django_assert_num_queries
):
    client = login(people.attache)
    few = programmed(hour=10)
    many = programmed(hour=14)
    many.attendees.set([people.directeur, people.conseiller1, people.conseiller2, people.chef_sp])
    for hour in (8, 9):
        services.audience_preparation_update(
            actor=people.attache, audience=many, protocol_notes=f"Accueil à {hour} h", needs_press=hour == 9
        )
    for url_of in (prep_url, detail_url):
        expected = queries_for(client, url_of(few))
        client.get(url_of(many))
        with django_assert_num_queries(expected):
            assert client.get(url_of(many)).status_code == 200
