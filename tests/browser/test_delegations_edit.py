"""« Modifier le projet » in Chromium: the attachée corrects a draft arrêté (a typo in its
number, a category forgotten, its term), is stopped by a rule on the way, sees the
corrected arrêté and its history; once published, the arrêté no longer offers the page."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile

from delegations import delegation_services
from delegations.defaults import act_categories_ensure
from delegations.models import Delegation, DelegationEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_PREFIX = "delegations"  # the `shots` fixture (conftest) names the files with it


def test_the_attachee_corrects_a_draft_arrete_and_sees_the_change(people, signed_in, live_server, shots):
    cats = act_categories_ensure()
    draft = delegation_services.delegation_create(
        actor=people.attache,
        number="2025-31/MAE/CAB",  # the typo: 031
        signed_on=datetime.date(2025, 9, 15),
        delegator=people.ministre,
        delegate=people.directeur,
        categories=[cats["correspondance-courante"]],
        valid_from=datetime.date(2025, 9, 16),
    )
    draft.scan.save("arrete.pdf", ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"), save=True)
    page = signed_in(people.attache)
    page.goto(f"{live_server.url}/delegations/arretes/{draft.pk}/")
    page.get_by_role("link", name="Modifier le projet").click()
    page.wait_for_url(re.compile(rf".*/delegations/arretes/{draft.pk}/modifier/$"))
    assert page.get_by_label("Numéro de l'arrêté").input_value() == "2025-31/MAE/CAB"
    assert page.get_by_label("Correspondance courante").is_checked()
    assert page.get_by_text("Arrêté scanné actuel").is_visible()  # kept unless another file is chosen

    # A non-delegable category is refused with the rule's words; what was typed stays.
    page.get_by_label("Numéro de l'arrêté").fill("2025-031/MAE/CAB")
    page.get_by_label("Notes verbales").check()
    page.get_by_label("Décrets (non délégable)").check()
    page.get_by_label("Jusqu'au").fill("2026-09-15")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    assert (
        page.get_by_role("alert")
        .get_by_text("Catégorie non délégable, seul le ministre la signe : Décrets.")
        .is_visible()
    )
    assert page.get_by_label("Numéro de l'arrêté").input_value() == "2025-031/MAE/CAB"
    assert page.get_by_label("Notes verbales").is_checked()
    assert page.get_by_label("Jusqu'au").input_value() == "2026-09-15"
    shots(page, "modifier-projet-erreur")

    page.get_by_label("Décrets (non délégable)").uncheck()
    shots(page, "modifier-projet")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_url(re.compile(rf".*/delegations/arretes/{draft.pk}/$"))
    assert page.get_by_text("Projet d'arrêté modifié").is_visible()
    assert page.get_by_role("heading", name="Arrêté n° 2025-031/MAE/CAB").is_visible()
    assert page.get_by_role("listitem").filter(has_text="Notes verbales").first.is_visible()
    assert page.get_by_text("15/09/2026").first.is_visible()
    assert page.get_by_text("Numéro de l'arrêté : 2025-31/MAE/CAB → 2025-031/MAE/CAB").is_visible()
    shots(page, "projet-modifie")
    draft.refresh_from_db()
    assert (draft.number, draft.state) == ("2025-031/MAE/CAB", Delegation.State.PROJET)
    assert draft.events.filter(action=DelegationEvent.Action.UPDATED, actor=people.attache).count() == 1
    assert draft.scan.name.endswith("arrete.pdf")

    # Published, it is a legal act: no more link, and the address answers with the reason.
    page.get_by_label("Référence de publication").fill("JORT n° 48")
    page.get_by_label("Publié le").fill("2025-09-16")
    page.get_by_role("button", name="Mettre en vigueur").click()
    assert page.get_by_text("Arrêté publié").is_visible()
    assert page.get_by_role("link", name="Modifier le projet").count() == 0
    page.goto(f"{live_server.url}/delegations/arretes/{draft.pk}/modifier/")
    page.wait_for_url(re.compile(rf".*/delegations/arretes/{draft.pk}/$"))
    assert page.get_by_text("est publié et en vigueur : c'est un acte juridique, il ne se modifie plus").is_visible()
    shots(page, "modifier-refuse")
    assert page.js_errors == []
