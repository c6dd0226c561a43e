"""The audience journey in Chromium: the attaché programmes a request, the protocol confirms
it, the minister sees it in the week view, and the programme du jour PDF lists it."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audiences.models import Audience, AudienceState, Place
from correspondence.models import Correspondent, MailKind
from correspondence.services import mail_register_incoming
from tests.audiences.conftest import future_workday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT_PREFIX = "audiences"  # the `shots` fixture (conftest) names the files with it


def test_attache_programmes_protocol_confirms_minister_sees_it_and_the_pdf_lists_it(signed_in, people):
    Place.objects.create(name="Salon d'honneur")
    Correspondent.objects.create(name="Ambassade de France", kind=Correspondent.Kind.EMBASSY)
    ecowas = Correspondent.objects.create(name="Commission de la CEDEAO", kind=Correspondent.Kind.INTERNATIONAL)
    letter = mail_register_incoming(
        registered_by=people.secretariat,
        correspondent=ecowas,
        subject="Demande d'audience du président de la Commission",
        kind=MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})[0],
        arrival_date=timezone.localdate(),
    )
    day = future_workday()

    # The secretariat records the request, finding the requester by typing a few letters in
    # the directory's picker, and the letter that carried it by its register number.
    page = signed_in(people.secretariat)
    page.goto(f"{page.base_url}/audiences/nouvelle/")
    page.get_by_role("searchbox", name="Demandeur").fill("cedeao")
    page.get_by_role("option", name="Commission de la CEDEAO").click()
    page.get_by_label("Courrier d'origine").fill("A-2000-99999")
    page.get_by_label("Objet de l'audience").fill("Préparation du sommet des chefs d'État")
    page.get_by_label("Souhaitée à partir du").fill(timezone.localdate().isoformat())
    page.get_by_label("Participants", exact=True).fill("Dr Omar Touray ; Président de la Commission ; gambienne")
    page.get_by_role("button", name="Enregistrer la demande").click()
    # A number that no letter she may see carries: the form comes back as typed.
    page.wait_for_load_state()
    assert page.get_by_text("Aucun courrier arrivé portant ce numéro").is_visible()
    assert page.get_by_label("Courrier d'origine").input_value() == "A-2000-99999"
    assert page.locator("[data-picker-chosen]").inner_text().startswith("Commission de la CEDEAO")
    assert page.get_by_label("Objet de l'audience").input_value() == "Préparation du sommet des chefs d'État"
    page.get_by_label("Courrier d'origine").fill(letter.reference)
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url("**/audiences/*/")
    audience = Audience.objects.get()
    assert audience.requester == ecowas and audience.letter == letter
    assert page.get_by_role("link", name=letter.reference).is_visible()
    assert page.js_errors == []

    # The attaché programmes the request.
    page = signed_in(people.attache)
    page.goto(f"{page.base_url}/audiences/{audience.pk}/")
    page.get_by_role("link", name="Programmer").click()
    page.get_by_label("Jour").fill(day.isoformat())
    page.get_by_label("Début").fill("10:00")
    page.get_by_label("Fin").fill("10:45")
    page.get_by_label("Lieu").select_option(label="Salon d'honneur")
    page.get_by_label("Interprète").check()
    page.get_by_label("Notes de protocole (préséance…)").fill("Accueil au perron par le chef du protocole")
    page.get_by_role("button", name="Programmer").click()
    page.wait_for_url(f"**/audiences/{audience.pk}/")
    assert page.get_by_text("Programmée", exact=True).first.is_visible()
    assert page.js_errors == []

    # The protocol confirms it from its queue.
    page = signed_in(people.protocole)
    page.goto(f"{page.base_url}/audiences/protocole/")
    row = page.get_by_role("row", name="Commission de la CEDEAO")
    row.get_by_role("button", name="Confirmer").click()
    page.wait_for_load_state()
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.CONFIRMED

    # The minister sees it in the week view.
    page = signed_in(people.ministre)
    page.goto(f"{page.base_url}/audiences/agenda/semaine/?jour={day.isoformat()}")
    entry = page.locator(".aud-entry", has_text="Commission de la CEDEAO")
    assert entry.is_visible()
    assert "10:00–10:45" in entry.inner_text() and "Confirmée par le protocole" in entry.inner_text()

    # The programme du jour PDF lists it.
    response = page.request.get(f"{page.base_url}/audiences/agenda/programme-du-jour.pdf?jour={day.isoformat()}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Commission de la CEDEAO" in text and "10:00" in text and "Salon d'honneur" in text
    assert "Dr Omar Touray" in text and "Accueil au perron" in text


def test_attache_corrects_a_misspelt_participant_and_sees_it_on_the_detail_page(signed_in, people):
    from audiences import services

    requester = Correspondent.objects.create(name="Ambassade du Ghana", kind=Correspondent.Kind.EMBASSY)
    letter = mail_register_incoming(
        registered_by=people.secretariat,
        correspondent=requester,
        subject="Note verbale : demande d'audience",
        kind=MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})[0],
        arrival_date=timezone.localdate(),
    )
    audience = services.audience_request_create(
        by=people.secretariat,
        letter=letter,
        requester=requester,
        purpose="Préparation de la commission mixte",
        wished_from=timezone.localdate(),
        participants=[{"name": "S.E. Kwame Mensa", "title": "Ambassadeur", "nationality": "ghanéenne"}],
    )

    page = signed_in(people.attache)
    page.goto(f"{page.base_url}/audiences/{audience.pk}/")
    page.get_by_role("link", name="Modifier la demande").click()
    page.wait_for_url(f"**/audiences/{audience.pk}/modifier/")
    # The requester is shown chosen in the picker, the letter by its number.
    assert page.locator("[data-picker-chosen]").inner_text().startswith("Ambassade du Ghana")
    assert not page.get_by_role("searchbox", name="Demandeur").is_visible()
    assert page.get_by_label("Courrier d'origine").input_value() == letter.reference
    participants = page.get_by_label("Participants", exact=True)
    assert participants.input_value() == "S.E. Kwame Mensa ; Ambassadeur ; ghanéenne"
    participants.fill("S.E. Kwame Mensah ; Ambassadeur ; ghanéenne")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_url(f"**/audiences/{audience.pk}/")

    assert page.get_by_text("Demande modifiée.", exact=True).is_visible()
    assert page.locator("dd li", has_text="S.E. Kwame Mensah, Ambassadeur (ghanéenne)").is_visible()
    assert page.locator(".timeline li", has_text="Demande modifiée").is_visible()
    assert page.js_errors == []
    audience = Audience.objects.get(pk=audience.pk)
    assert [p.name for p in audience.participants.all()] == ["S.E. Kwame Mensah"]
    assert audience.requester == requester and audience.letter == letter


def test_attache_moves_the_council_by_an_hour_from_the_week(signed_in, people):
    from audiences import services
    from tests.audiences.conftest import at

    day = future_workday()
    block = services.unavailability_create(
        by=people.attache, title="Conseil des ministres", kind="conseil", starts_at=at(day, 8), ends_at=at(day, 9, 30)
    )

    page = signed_in(people.attache)
    page.goto(f"{page.base_url}/audiences/agenda/semaine/?jour={day.isoformat()}")
    entry = page.locator(".aud-entry", has_text="Conseil des ministres")
    entry.get_by_role("link", name="Modifier").click()
    page.wait_for_url(f"**/audiences/indisponibilites/{block.pk}/modifier/")
    assert page.get_by_label("Début").input_value() == f"{day:%d/%m/%Y} 08:00"
    page.get_by_label("Début").fill(f"{day:%d/%m/%Y} 09:00")
    page.get_by_label("Fin").fill(f"{day:%d/%m/%Y} 10:30")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/audiences/agenda/semaine/*")

    assert page.get_by_text("Indisponibilité modifiée.", exact=True).is_visible()
    assert "09:00–10:30" in page.locator(".aud-entry", has_text="Conseil des ministres").inner_text()
    assert page.js_errors == []


def test_attache_changes_the_participants_of_a_programmed_audience_and_sees_it_in_its_timeline(
    signed_in, people, shots
):
    from audiences import services
    from tests.audiences.conftest import at

    place = Place.objects.create(name="Salon d'honneur")
    requester = Correspondent.objects.create(name="Ambassade du Ghana", kind=Correspondent.Kind.EMBASSY)
    day = future_workday()
    audience = services.audience_request_create(
        by=people.secretariat,
        requester=requester,
        purpose="Préparation de la commission mixte",
        wished_from=timezone.localdate(),
    )
    audience = services.audience_programme(
        audience=audience,
        by=people.attache,
        starts_at=at(day, 10),
        ends_at=at(day, 10, 45),
        place=place,
        attendees=[people.conseiller2],
    )
    services.audience_confirm(audience=audience, by=people.protocole)

    page = signed_in(people.attache)
    page.goto(f"{page.base_url}/audiences/{audience.pk}/")
    page.get_by_role("link", name="Modifier la préparation").click()
    page.wait_for_url(f"**/audiences/{audience.pk}/preparation/")
    assert page.get_by_label("Essi LAWSON").is_checked()
    page.get_by_label("Koffi DOGBE").check()
    page.get_by_label("Essi LAWSON").uncheck()
    page.get_by_label("Interprète").check()
    page.get_by_label("Notes de protocole (préséance…)").fill("Accueil au perron par le chef du protocole")
    shots(page, "preparation-form")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_url(f"**/audiences/{audience.pk}/")

    assert page.get_by_text("Préparation modifiée ; le protocole en est averti.", exact=True).is_visible()
    cabinet = page.locator("dt", has_text="Cabinet").locator("xpath=following-sibling::dd[1]")
    assert cabinet.inner_text() == "M. Koffi DOGBE"
    change = page.locator(".timeline li", has_text="Préparation modifiée")
    assert change.is_visible()
    assert "Mme Afi MENSAH" in change.inner_text()
    assert "Participant du cabinet ajouté : M. Koffi DOGBE" in change.inner_text()
    assert "Participant du cabinet retiré : Mme Essi LAWSON" in change.inner_text()
    # Still confirmed, at the same time.
    assert page.get_by_text("Confirmée par le protocole", exact=True).first.is_visible()
    assert page.js_errors == []
    shots(page, "preparation")
    audience = Audience.objects.get(pk=audience.pk)
    assert list(audience.attendees.all()) == [people.conseiller1] and audience.needs_interpreter
    assert audience.state == AudienceState.CONFIRMED and audience.starts_at == at(day, 10)
