"""« Fichier déjà reçu » on the assignee's work form, in Chromium: the conseiller chooses his
draft reply, is stopped because his avis was changed meanwhile (in another tab), finds the
draft kept under the form (no need to choose it again), corrects his avis and saves: the
draft reply is attached to his imputation."""

import datetime
import re

import pytest
from django.utils import timezone

from correspondence import services
from correspondence.models import Attachment, Correspondent, Imputation, Instruction, MailKind
from tests.correspondence.conftest import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_PREFIX = "correspondence"  # the `shots` fixture (conftest) names the files with it


@pytest.fixture
def routed(people):
    embassy = Correspondent.objects.create(
        name="Ambassade du Ghana", acronym="AMBAGHANA", kind=Correspondent.Kind.EMBASSY, country="Ghana"
    )
    kind = MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})[0]
    mail = services.mail_register_incoming(
        registered_by=people.secretariat,
        correspondent=embassy,
        subject="Commission mixte Togo-Ghana : proposition de dates",
        kind=kind,
        arrival_date=timezone.localdate(),
        letter_date=timezone.localdate() - datetime.timedelta(days=2),
        sender_reference="NV/2026/077",
    )
    return services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.ATTRIBUTION
    )


def test_the_draft_reply_chosen_before_an_error_is_kept_and_attached(people, signed_in, routed, tmp_path, shots):
    draft = tmp_path / "projet-reponse-ghana.pdf"
    draft.write_bytes(pdf_bytes())
    page = signed_in(people.conseiller1)
    page.goto(f"{page.base_url}/courrier/{routed.mail_id}/")
    page.get_by_role("link", name="Notes, avis, projet de réponse").click()

    # Meanwhile, in another tab, he saves a first avis.
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    other_tab.get_by_label("Avis").fill("Avis favorable.")
    other_tab.get_by_role("button", name="Enregistrer").click()
    other_tab.wait_for_url(f"**/courrier/{routed.mail_id}/")
    other_tab.close()

    page.get_by_label("Avis").fill("Avis favorable : proposer la semaine du 15.")
    page.get_by_label("Projet de réponse").set_input_files(str(draft))
    page.get_by_role("button", name="Enregistrer").click()

    # Stopped: the avis saved meanwhile is quoted, what he typed stays, and the draft is kept.
    assert page.get_by_role("alert").get_by_text("Il se lit maintenant : « Avis favorable. »").is_visible()
    assert page.get_by_label("Avis").input_value() == "Avis favorable : proposer la semaine du 15."
    assert page.get_by_text(re.compile(r"Fichier déjà reçu : projet-reponse-ghana\.pdf \(\d+\W+octets\)")).is_visible()
    assert page.get_by_label("Garder ce fichier").is_checked()
    assert page.get_by_label("Projet de réponse").input_value() == ""  # the browser forgot it
    shots(page, "draft-reply-kept")
    assert not Attachment.objects.exists()

    page.get_by_label("Avis").fill("Avis favorable : proposer la semaine du 15, sous réserve du protocole.")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/courrier/{routed.mail_id}/")
    assert page.get_by_text("Travail enregistré.").is_visible()
    assert page.locator(".opinion", has_text="sous réserve du protocole").is_visible()
    # Under his imputation, as its draft reply.
    link = page.locator("p", has_text="Projet de réponse :").get_by_role("link", name="projet-reponse-ghana.pdf")
    assert link.is_visible()
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.imputation_id) == (Attachment.Kind.DRAFT_REPLY, routed.pk)
    served = page.request.get(f"{page.base_url}{link.get_attribute('href')}")
    assert served.status == 200 and served.body() == draft.read_bytes()  # the very bytes chosen
    assert Imputation.objects.get(pk=routed.pk).opinion.endswith("sous réserve du protocole.")
    shots(page, "draft-reply-attached")
    assert page.js_errors == []
