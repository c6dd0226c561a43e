"""The register in Chromium, as each role: a note verbale from arrival to reply."""

import pytest
from django.utils import timezone

from correspondence.models import Correspondent, Mail, MailKind
from tests.correspondence.conftest import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_PREFIX = "correspondence"  # the `shots` fixture (conftest) names the files with it


@pytest.fixture
def scan(tmp_path):
    path = tmp_path / "note-verbale-ambafrance.pdf"
    path.write_bytes(pdf_bytes())
    return path


@pytest.fixture
def lists(db):
    MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})
    MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})
    return Correspondent.objects.create(
        name="Ambassade de France au Togo", acronym="AMBAFRANCE", kind=Correspondent.Kind.EMBASSY, country="France"
    )


def test_note_verbale_from_arrival_to_reply(people, signed_in, lists, scan, shots):
    today = timezone.localdate()

    # 1. The secretariat registers the note verbale with its scan.
    page = signed_in(people.secretariat)
    page.goto(f"{page.base_url}/courrier/arrivee/nouveau/")
    page.get_by_role("searchbox", name="Expéditeur").fill("france")
    page.get_by_role("option", name="Ambassade de France au Togo (AMBAFRANCE)").click()
    page.get_by_label("Référence de l'expéditeur").fill("NV n° 118/AMBAFRANCE/2026")
    page.get_by_label("Date de la lettre").fill(today.isoformat())
    page.get_by_role("combobox", name="Nature", exact=True).select_option(label="Note verbale")
    page.get_by_role("textbox", name="Objet", exact=True).fill("Demande d'audience de l'Ambassadeur auprès du Ministre")
    page.get_by_label("Documents numérisés et pièces").set_input_files(str(scan))
    shots(page, "register-incoming")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/courrier/*/")
    mail = Mail.objects.get()
    assert page.get_by_role("heading", name=f"Courrier arrivé {mail.reference}").is_visible()
    assert page.get_by_role("link", name="note-verbale-ambafrance.pdf").is_visible()
    assert page.js_errors == []

    # 2. The directeur routes it to conseiller1 pour attribution.
    page = signed_in(people.directeur)
    page.goto(f"{page.base_url}/courrier/{mail.pk}/")
    page.get_by_role("link", name="Imputer").click()
    page.get_by_label("Personne").select_option(str(people.conseiller1.pk))
    page.get_by_label("Instruction").select_option("attribution")
    page.get_by_label("Commentaire").fill("Préparer un projet de réponse favorable.")
    shots(page, "route")
    page.get_by_role("button", name="Imputer").click()
    page.wait_for_url(f"**/courrier/{mail.pk}/")
    assert page.get_by_text("Courrier imputé.").is_visible()

    # 3. conseiller1 finds it in "à traiter", writes an opinion and a draft reply.
    page = signed_in(people.conseiller1)
    page.get_by_role("link", name="À traiter").first.click()
    shots(page, "my-work")
    page.get_by_role("link", name=mail.reference).first.click()
    shots(page, "detail")
    page.get_by_role("link", name="Notes, avis, projet de réponse").click()
    page.get_by_label("Avis").fill("Avis favorable : proposer une audience la semaine prochaine.")
    page.get_by_label("Projet de réponse").set_input_files(str(scan))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/courrier/{mail.pk}/")
    assert page.locator(".opinion", has_text="Avis favorable : proposer une audience").is_visible()
    mail.refresh_from_db()
    assert mail.state == Mail.State.EN_TRAITEMENT

    # 4. The secretariat registers the outgoing reply.
    page = signed_in(people.secretariat)
    page.goto(f"{page.base_url}/courrier/{mail.pk}/")
    page.get_by_role("link", name="Enregistrer la réponse").click()
    assert page.get_by_text("Ambassade de France au Togo (AMBAFRANCE)").first.is_visible()  # recipient prefilled
    page.get_by_role("combobox", name="Nature", exact=True).select_option(label="Lettre")
    page.get_by_label("Signataire").select_option(str(people.directeur.pk))
    shots(page, "register-outgoing")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/courrier/*/")
    reply = Mail.objects.get(register="depart")
    assert page.get_by_text(reply.administrative_reference).first.is_visible()

    # 5. The incoming letter shows répondu, with its reply.
    page.goto(f"{page.base_url}/courrier/{mail.pk}/")
    assert page.locator(".tag", has_text="Répondu").first.is_visible()
    assert page.get_by_role("link", name=reply.reference).is_visible()
    page.goto(f"{page.base_url}/courrier/")
    shots(page, "register")

    # 6. Made confidential, conseiller2 can no longer open it; conseiller1 (routed) still can.
    page.goto(f"{page.base_url}/courrier/{mail.pk}/modifier/")
    page.get_by_label("Confidentialité").select_option("confidentiel")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/courrier/{mail.pk}/")
    other = signed_in(people.conseiller2)
    response = other.goto(f"{other.base_url}/courrier/{mail.pk}/")
    assert response.status == 404
    other.goto(f"{other.base_url}/courrier/?q=audience")
    assert other.get_by_text(mail.reference).count() == 0
    routed = signed_in(people.conseiller1)
    assert routed.goto(f"{routed.base_url}/courrier/{mail.pk}/").status == 200


def test_bad_dates_keep_everything_typed_and_inline_creation(people, signed_in, lists, scan, shots):
    page = signed_in(people.secretariat)
    page.goto(f"{page.base_url}/courrier/arrivee/nouveau/")
    page.get_by_role("searchbox", name="Expéditeur").fill("Ambassade du Ghana")
    page.get_by_role("option", name="+ Créer « Ambassade du Ghana »").click()
    page.get_by_label("Catégorie").select_option("ambassade")
    page.get_by_role("button", name="Créer et choisir").click()
    page.get_by_text("Ambassade du Ghana", exact=True).wait_for()
    today = timezone.localdate()
    page.get_by_label("Date de la lettre").fill(today.isoformat())
    page.get_by_label("Date d'arrivée").fill((today - timezone.timedelta(days=1)).isoformat())
    page.get_by_role("combobox", name="Nature", exact=True).select_option(label="Note verbale")
    page.get_by_role("textbox", name="Objet", exact=True).fill("<b>Invitation</b> à la fête nationale")
    page.get_by_label("Documents numérisés et pièces").set_input_files(str(scan))
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("La date de la lettre ne peut pas être postérieure à sa date d'arrivée.").is_visible()
    assert (
        page.get_by_role("textbox", name="Objet", exact=True).input_value() == "<b>Invitation</b> à la fête nationale"
    )
    assert page.get_by_text("Ambassade du Ghana", exact=True).is_visible()
    # The scan that passed its checks is kept for the next submission.
    assert page.get_by_label("note-verbale-ambafrance.pdf").is_checked()
    shots(page, "bad-input")
    page.get_by_label("Date d'arrivée").fill(today.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/courrier/*/")
    mail = Mail.objects.get()
    assert mail.correspondent.name == "Ambassade du Ghana"
    assert [a.original_name for a in mail.attachments.all()] == ["note-verbale-ambafrance.pdf"]
    assert page.get_by_role("heading", name="<b>Invitation</b> à la fête nationale").is_visible()
    assert page.js_errors == []
