"""Browser journey of the register's outputs: the dashboard as an adviser and as the
directeur, a printed routing slip and register from the pages, a hidden mail's slip 404."""

import datetime
import io

import pytest
from pypdf import PdfReader

from correspondence.models import Imputation
from tests.correspondence.outputs_data import incoming, route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(body)).pages)


def test_dashboard_tiles_open_the_work_and_the_prints_come_out(people, signed_in):
    from django.utils import timezone

    late = route(incoming(people, subject="Invitation au sommet de la CEDEAO"), people, to=people.conseiller1)
    Imputation.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=4))
    route(incoming(people, subject="Note verbale de l'ambassade du Japon"), people, to=people.conseiller1)
    secret = incoming(people, subject="Télégramme réservé", confidentiality="secret")

    adviser = signed_in(people.conseiller1)
    panel = adviser.locator(".correspondence-dashboard")
    assert panel.locator('[data-tile="a-traiter"] strong').inner_text() == "2"
    assert panel.locator('[data-tile="en-retard"] strong').inner_text() == "1"
    assert panel.locator('[data-tile="recus-semaine"] strong').inner_text() == "2"  # not the secret one
    assert panel.locator("svg").count() == 2
    panel.locator('[data-tile="en-retard"]').click()
    adviser.wait_for_url("**/courrier/a-traiter/#en-retard")
    assert adviser.get_by_text("Invitation au sommet de la CEDEAO").first.is_visible()
    hidden = adviser.request.get(f"{adviser.base_url}/courrier/{secret.pk}/imprimer/fiche-imputation/")
    assert hidden.status == 404

    directeur = signed_in(people.directeur)
    assert directeur.locator('.correspondence-dashboard [data-tile="recus-semaine"] strong').inner_text() == "3"
    directeur.goto(f"{directeur.base_url}/courrier/{late.mail.pk}/")
    # The browser shows PDFs in its viewer: fetch what the link points to with the same session.
    href = directeur.get_by_role("link", name="Fiche d'imputation").get_attribute("href")
    response = directeur.request.get(directeur.base_url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert late.mail.reference in pdf_text(response.body())

    directeur.goto(directeur.base_url + "/")
    directeur.get_by_role("link", name="Imprimer le registre").click()
    directeur.wait_for_url("**/courrier/imprimer/registre/")
    today = timezone.localdate()
    directeur.get_by_label("Du").fill(f"{today:%Y-%m-%d}")
    directeur.get_by_label("Au").fill(f"{today:%Y-%m-%d}")
    with directeur.expect_request("**/courrier/imprimer/registre/?*") as printed:
        directeur.get_by_role("button", name="Produire le PDF").click()
    response = directeur.request.get(printed.value.url)
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "REGISTRE DU COURRIER ARRIVÉE" in text
    assert secret.reference in text  # the directeur sees secret mail
    assert adviser.js_errors == [] and directeur.js_errors == []


def test_a_long_register_is_prepared_in_the_background_and_downloaded(people, signed_in, monkeypatch, tmp_path):
    from django.utils import timezone

    from correspondence.forms_print import RegisterPrintForm

    monkeypatch.setattr(RegisterPrintForm, "MAX_ROWS", 1)
    first = incoming(people, subject="Lettre de l'ambassade du Ghana")
    second = incoming(people, subject="Note verbale du Nigeria")

    directeur = signed_in(people.directeur)
    directeur.goto(f"{directeur.base_url}/courrier/imprimer/registre/")
    today = timezone.localdate()
    directeur.get_by_label("Du").fill(f"{today:%Y-%m-%d}")
    directeur.get_by_label("Au").fill(f"{today:%Y-%m-%d}")
    directeur.get_by_role("button", name="Produire le PDF").click()
    assert directeur.get_by_text("Registre trop long pour être produit tout de suite").is_visible()
    directeur.screenshot(path=str(tmp_path / "offre.png"))
    # Tasks run eagerly in the tests: the worker's part is done when the page comes back.
    directeur.get_by_role("button", name="Préparer le registre en arrière-plan").click()
    directeur.wait_for_url("**/courrier/imprimer/registres/")
    row = directeur.locator("tbody tr").first
    assert "Prête" in row.inner_text() and "2" in row.locator("td.num").inner_text()
    href = row.get_by_role("link", name="Télécharger le PDF").get_attribute("href")
    response = directeur.request.get(directeur.base_url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert first.reference in text and second.reference in text
    assert signed_in(people.attache).request.get(directeur.base_url + href).status == 404
    assert directeur.js_errors == []
