"""Dates are shown and typed as jj/mm/aaaa in any browser (cabinet.widgets.FrenchDateInput):
Debian's Chromium is English, and its own date input would show mm/dd/yyyy."""

import datetime

import pytest

from tests.browser.test_correspondence_outputs import pdf_text
from tests.correspondence.outputs_data import incoming

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dates_are_french_with_a_calendar_and_a_french_error(people, signed_in, tmp_path):
    from django.utils import timezone

    letter = incoming(people, subject="Note verbale de l'ambassade du Bénin")
    today = timezone.localdate()
    page = signed_in(people.directeur)
    page.goto(f"{page.base_url}/courrier/imprimer/registre/")
    start = page.get_by_label("Du")
    assert start.input_value() == f"{today.replace(day=1):%d/%m/%Y}"
    assert start.get_attribute("placeholder") == "jj/mm/aaaa"
    # The calendar button writes the day chosen in the browser's picker back in French.
    calendar = page.get_by_role("button", name="Ouvrir le calendrier").first
    assert calendar.is_visible()
    page.locator(".date-field-picker").first.evaluate(
        "(p) => { p.value = '2026-03-07'; p.dispatchEvent(new Event('change')); }"
    )
    assert start.input_value() == "07/03/2026"

    start.fill("31/02/2026")
    page.get_by_role("button", name="Produire le PDF").click()
    assert page.get_by_text("Saisissez une date valide.").is_visible()
    assert start.input_value() == "31/02/2026"  # what was typed stays
    page.screenshot(path=str(tmp_path / "dates.png"), full_page=True)

    start.fill(f"{today - datetime.timedelta(days=1):%d/%m/%Y}")
    page.get_by_label("Au").fill(f"{today:%d/%m/%Y}")
    with page.expect_request("**/courrier/imprimer/registre/?*") as printed:
        page.get_by_role("button", name="Produire le PDF").click()
    response = page.request.get(printed.value.url)
    assert response.headers["content-type"] == "application/pdf"
    assert response.status == 200 and letter.reference in pdf_text(response.body())
    assert page.js_errors == []
