"""The « Modifier la demande » page: success, rights (404 / 403), wrong method, French errors
that keep what was typed, states where it is refused, and a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audiences import services
from audiences.models import Audience, AudienceEvent, AudienceState

pytestmark = pytest.mark.django_db

MISSPELT = [{"name": "S.E. Kwame Mensa", "title": "Ambassadeur", "nationality": "ghanéenne"}]


def edit_url(audience) -> str:
    return reverse("audiences:edit", args=[audience.pk])


def form_data(audience, **changes) -> dict:
    """What the pre-filled form posts back when the user changes only ``changes``."""
    data = {
        "requester": audience.requester_id,
        "letter": audience.letter.reference if audience.letter_id else "",
        "on_behalf_of": audience.on_behalf_of,
        "purpose": audience.purpose,
        "wished_from": audience.wished_from.isoformat(),
        "wished_until": audience.wished_until.isoformat() if audience.wished_until else "",
        "participants_count": "",
        "languages": audience.languages,
        "participants_text": "\n".join(
            " ; ".join(part for part in (p.name, p.title, p.nationality)) for p in audience.participants.all()
        ),
    }
    if audience.interpreter_needed:
        data["interpreter_needed"] = "on"
    if audience.is_confidential:
        data["is_confidential"] = "on"
    data.update(changes)
    return data


def test_the_attache_corrects_a_name_and_adds_a_member_of_the_delegation(login, people, make_request):
    audience = make_request(participants=MISSPELT)
    client = login(people.attache)
    detail = client.get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert edit_url(audience) in detail and "Modifier la demande" in detail

    form = client.get(edit_url(audience)).context["form"]
    assert form["participants_text"].value() == "S.E. Kwame Mensa ; Ambassadeur ; ghanéenne"
    assert form["purpose"].value() == "Préparation de la commission mixte"
    assert "files" not in form.fields

    text = "S.E. Kwame Mensah ; Ambassadeur ; ghanéenne\nMme Ama Owusu ; Première secrétaire"
    response = client.post(edit_url(audience), form_data(audience, participants_text=text))
    assert response.status_code == 302 and response["Location"] == reverse("audiences:detail", args=[audience.pk])
    assert [(p.name, p.order) for p in audience.participants.all()] == [("S.E. Kwame Mensah", 0), ("Mme Ama Owusu", 1)]
    assert Audience.objects.get(pk=audience.pk).participants_count == 2

    page = client.get(response["Location"]).content.decode()
    assert "Demande modifiée." in page  # the message
    assert "<li>S.E. Kwame Mensah, Ambassadeur (ghanéenne)</li>" in page and "<li>S.E. Kwame Mensa," not in page
    # The timeline says who changed what.
    assert "Participant : S.E. Kwame Mensa, Ambassadeur, ghanéenne → S.E. Kwame Mensah" in page
    assert "Participant ajouté : Mme Ama Owusu, Première secrétaire" in page


def test_saving_the_form_unchanged_records_nothing(login, people, make_request):
    audience = make_request()
    client = login(people.secretariat)
    response = client.post(edit_url(audience), form_data(audience), follow=True)
    assert "Aucune modification à enregistrer." in response.content.decode()
    assert not audience.events.filter(kind=AudienceEvent.Kind.MODIFIED).exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_answers_405(login, people, make_request, method):
    audience = make_request()
    assert getattr(login(people.attache), method)(edit_url(audience)).status_code == 405


def test_a_hidden_or_missing_audience_answers_404(login, people, make_request):
    confidential = make_request(by=people.attache, is_confidential=True)
    ordinary = make_request()
    # The secretariat records requests but does not see confidential ones: as if missing.
    assert login(people.secretariat).get(edit_url(confidential)).status_code == 404
    assert login(people.secretariat).post(edit_url(confidential), form_data(confidential)).status_code == 404
    assert login(people.outsider).get(edit_url(ordinary)).status_code == 404
    assert login(people.attache).get(reverse("audiences:edit", args=[999999])).status_code == 404


def test_who_sees_but_does_not_record_gets_403_and_no_button(login, people, programmed):
    audience = programmed()
    for user in (people.ministre, people.directeur, people.protocole):
        client = login(user)
        assert client.get(edit_url(audience)).status_code == 403
        response = client.post(edit_url(audience), form_data(audience, purpose="Autre objet"))
        assert response.status_code == 403
        assert edit_url(audience) not in client.get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert Audience.objects.get(pk=audience.pk).purpose == "Préparation de la commission mixte"


def test_bad_input_gets_the_creation_messages_and_keeps_what_was_typed(login, people, make_request):
    audience = make_request()
    client = login(people.attache)
    typed = "S.E. Kwame Mensah ; Ambassadeur ; ghanéenne\nM. Kofi ; Conseiller ; ghanéenne ; en trop"
    response = client.post(edit_url(audience), form_data(audience, participants_text=typed, purpose="Objet retapé"))
    assert response.status_code == 200
    assert response.context["form"].errors["participants_text"] == ["Ligne 2 : écrivez « nom ; titre ; nationalité »."]
    page = response.content.decode()
    assert "M. Kofi ; Conseiller ; ghanéenne ; en trop" in page and "Objet retapé" in page

    today = timezone.localdate()
    response = client.post(
        edit_url(audience),
        form_data(
            audience,
            wished_from=(today + datetime.timedelta(days=5)).isoformat(),
            wished_until=today.isoformat(),
            participants_text=typed.splitlines()[0],
        ),
    )
    assert response.context["form"].errors["wished_until"] == [
        "La fin de la période souhaitée ne peut pas précéder son début."
    ]
    response = client.post(
        edit_url(audience), form_data(audience, wished_from=(today - datetime.timedelta(days=1)).isoformat())
    )
    assert response.context["form"].errors["wished_from"] == ["La date souhaitée ne peut pas être passée."]
    assert Audience.objects.get(pk=audience.pk).purpose == "Préparation de la commission mixte"
    assert not audience.events.filter(kind=AudienceEvent.Kind.MODIFIED).exists()


@pytest.mark.parametrize("state", [AudienceState.HELD, AudienceState.CANCELLED, AudienceState.REFUSED])
def test_a_request_held_cancelled_or_refused_is_not_edited(login, people, programmed, state):
    audience = programmed()
    Audience.objects.filter(pk=audience.pk).update(state=state)
    client = login(people.attache)
    assert edit_url(audience) not in client.get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    response = client.get(edit_url(audience), follow=True)
    assert response.redirect_chain == [(reverse("audiences:detail", args=[audience.pk]), 302)]
    assert "Action impossible : l&#x27;audience est" in response.content.decode()
    response = client.post(edit_url(audience), form_data(audience, purpose="Autre objet"))
    assert response.status_code == 302
    assert Audience.objects.get(pk=audience.pk).purpose == "Préparation de la commission mixte"


def test_in_the_agenda_only_the_delegation_and_the_purpose_are_offered(login, people, programmed, day):
    audience = programmed(hour=10)
    client = login(people.attache)
    response = client.get(edit_url(audience))
    form = response.context["form"]
    offered = {bound.name for bound in form.visible_fields()}
    assert offered == {"letter", "purpose", "participants_text", "participants_count", "languages"}
    assert [bound.name for bound in form.hidden_fields()] == ["seen_event"]
    assert "Déplacer" in response.content.decode()
    response = client.post(
        edit_url(audience),
        {"purpose": audience.purpose, "participants_text": "S.E. Kwame Mensah ; Ambassadeur ; ghanéenne\nM. Kofi"},
    )
    assert response.status_code == 302
    # The week and day agendas show the delegation as corrected.
    for name in ("audiences:week", "audiences:day"):
        page = client.get(reverse(name), {"jour": day.isoformat()}).content.decode()
        assert "S.E. Kwame Mensah (Ambassadeur), M. Kofi" in page


def test_a_letter_the_editor_may_not_see_is_kept(login, people, make_request, requester):
    from correspondence.models import Mail, MailKind
    from correspondence.services import mail_register_incoming

    letter = mail_register_incoming(
        registered_by=people.attache,
        correspondent=requester,
        subject="Note verbale confidentielle",
        kind=MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})[0],
        arrival_date=timezone.localdate(),
        confidentiality=Mail.Confidentiality.CONFIDENTIEL,
    )
    audience = make_request(by=people.attache, letter=letter)
    client = login(people.secretariat)
    response = client.get(edit_url(audience))
    assert "letter" not in response.context["form"].fields
    assert (
        letter.reference not in response.content.decode() and "Courrier d&#x27;origine" not in response.content.decode()
    )
    data = form_data(audience, purpose="Objet corrigé")
    # A forged blank number does not unlink it either: the form has no such field.
    data["letter"] = ""
    assert client.post(edit_url(audience), data).status_code == 302
    audience.refresh_from_db()
    assert audience.purpose == "Objet corrigé" and audience.letter_id == letter.pk


def queries_for(client, url) -> int:
    client.get(url)  # warm-up: session and per-request caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_edit_page_runs_a_constant_number_of_queries(login, people, make_request):
    client = login(people.attache)
    few = make_request()
    many = make_request(
        participants=[{"name": f"Membre {n}", "title": "Conseiller", "nationality": "ghanéenne"} for n in range(8)]
    )
    services.audience_update(actor=people.attache, audience=many, purpose="Autre objet")
    assert queries_for(client, edit_url(many)) == queries_for(client, edit_url(few))


def test_a_change_made_since_the_form_was_opened_is_not_overwritten(login, people, make_request):
    """Two people (or two tabs) open the same request; the first saves a correction; the
    second's save is refused, naming the first change, with what the second typed kept; saving
    again then confirms the second's values."""
    from audiences import services

    audience = make_request()
    attache = login(people.attache)
    page = attache.get(edit_url(audience))
    seen = page.context["form"]["seen_event"].value()
    assert seen == services.last_event(audience) and f'name="seen_event" value="{seen}"' in page.content.decode()

    # Meanwhile the secretariat corrects the purpose.
    services.audience_update(
        actor=people.secretariat, audience=audience, purpose="Coopération sanitaire", seen_event=seen
    )

    typed = form_data(audience, purpose="Coopération portuaire", seen_event=seen)
    response = attache.post(edit_url(audience), typed)
    assert response.status_code == 200
    body = response.content.decode()
    assert "La demande a été modifiée depuis que vous l&#x27;avez ouverte" in body
    assert people.secretariat.display_name in body
    assert "Coopération portuaire" in body  # what the attaché typed is kept
    audience.refresh_from_db()
    assert audience.purpose == "Coopération sanitaire"  # nothing overwritten
    newest = services.last_event(audience)
    assert f'name="seen_event" value="{newest}"' in body

    # Saving again, having read the message, confirms the attaché's values.
    confirmed = attache.post(edit_url(audience), {**typed, "seen_event": newest})
    assert confirmed.status_code == 302
    audience.refresh_from_db()
    assert audience.purpose == "Coopération portuaire"
