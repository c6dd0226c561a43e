"""« Fichier déjà reçu » in Chromium: the attachée records an arrêté with its scan, is stopped
by a non-delegable category, finds the scan kept under the form (no need to choose it
again), corrects and saves, and opens the same scan from the arrêté's page."""

import re

import pytest

from delegations.defaults import act_categories_ensure
from delegations.models import Delegation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_PREFIX = "delegations"  # the `shots` fixture (conftest) names the files with it

SCAN = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_the_scan_chosen_before_an_error_is_kept_and_saved_with_the_arrete(people, signed_in, live_server, shots):
    act_categories_ensure()
    page = signed_in(people.attache)
    page.goto(f"{live_server.url}/delegations/arretes/nouveau/")
    page.get_by_label("Numéro de l'arrêté").fill("2026-044/MAE/CAB")
    page.get_by_label("Signé le").fill("10/09/2025")
    page.get_by_label("Délégataire").select_option(value=str(people.directeur.pk))
    page.get_by_label("Correspondance courante").check()
    page.get_by_label("Décrets (non délégable)").check()
    page.get_by_label("Valable du").fill("10/09/2025")
    page.get_by_label("Arrêté scanné (PDF, PNG ou JPEG)").set_input_files(
        {"name": "arrete-2026-044.pdf", "mimeType": "application/pdf", "buffer": SCAN}
    )
    page.get_by_role("button", name="Enregistrer le projet").click()

    # The rule's words, what was typed, and the scan: kept, not to be chosen again.
    assert (
        page.get_by_role("alert")
        .get_by_text("Catégorie non délégable, seul le ministre la signe : Décrets.")
        .is_visible()
    )
    assert page.get_by_label("Numéro de l'arrêté").input_value() == "2026-044/MAE/CAB"
    assert page.get_by_text(re.compile(r"Fichier déjà reçu : arrete-2026-044\.pdf \(\d+\W+octets\)")).is_visible()
    assert page.get_by_label("Garder ce fichier").is_checked()
    assert page.get_by_label("Arrêté scanné (PDF, PNG ou JPEG)").input_value() == ""  # the browser forgot it
    shots(page, "fichier-deja-recu")
    assert not Delegation.objects.exists()

    page.get_by_label("Décrets (non délégable)").uncheck()
    page.get_by_role("button", name="Enregistrer le projet").click()
    page.wait_for_url(re.compile(r".*/delegations/arretes/\d+/$"))
    assert page.get_by_text("Arrêté enregistré comme projet").is_visible()
    delegation = Delegation.objects.get()
    scan_link = (
        page.locator("dt", has_text="Arrêté scanné")
        .locator("xpath=following-sibling::dd[1]")
        .get_by_role("link", name="arrete-2026-044.pdf")
    )
    assert scan_link.get_attribute("href") == f"/delegations/arretes/{delegation.pk}/arrete-scanne/"
    served = page.request.get(f"{live_server.url}{scan_link.get_attribute('href')}")
    assert served.status == 200 and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == 'inline; filename="arrete-2026-044.pdf"'  # as it was chosen
    assert served.body() == SCAN  # the very bytes chosen before the error
    shots(page, "arrete-avec-scan")
    assert page.js_errors == []
