"""The delegations journey in Chromium, as each role: draft → visa → signature under a
conditional delegation → PDF block → revocation → refused; then a directive transmitted,
acknowledged and reported."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from delegations import delegation_services, directive_services, services
from delegations.defaults import act_categories_ensure
from delegations.models import SignatureItem, Transmission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_letter_visa_signature_by_delegation_revocation_and_directive(people, signed_in, live_server):
    cats = act_categories_ensure()
    delegation = delegation_services.delegation_create(
        actor=people.attache,
        number="2025-031/MAE/CAB",
        signed_on=datetime.date(2025, 9, 15),
        delegator=people.ministre,
        delegate=people.directeur,
        categories=[cats["correspondance-courante"], cats["notes-verbales"]],
        valid_from=datetime.date(2025, 9, 16),
        is_conditional=True,
    )
    delegation_services.delegation_put_in_force(
        delegation=delegation,
        actor=people.attache,
        publication_reference="JORT n° 48",
        published_on=datetime.date(2025, 9, 16),
    )
    directive = directive_services.directive_create(
        actor=people.ministre,
        subject="Préparer la commission mixte Togo–Ghana",
        text="Réunir les éléments de la coopération bilatérale.",
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        advisers=[people.conseiller1],
    )
    base = live_server.url

    # conseiller1 drafts a reply, with the directeur's visa.
    page = signed_in(people.conseiller1)
    page.goto(f"{base}/delegations/parapheur/nouveau/")
    page.get_by_label("Objet").fill("Réponse à l'Ambassade du Ghana")
    page.get_by_label("Catégorie d'acte").select_option(label="Correspondance courante")
    page.get_by_label("Texte de la lettre ou de l'acte").fill(
        "Monsieur l'Ambassadeur,\n\nJ'ai l'honneur de vous confirmer la réunion."
    )
    page.get_by_label("1er visa").select_option(value=str(people.directeur.pk))
    page.get_by_role("button", name="Soumettre", exact=True).click()
    page.wait_for_url(re.compile(r".*/delegations/parapheur/\d+/$"))
    assert page.get_by_text("Pièce soumise au parapheur.").is_visible()
    item = SignatureItem.objects.get()
    assert item.state == SignatureItem.State.EN_VISA

    # The directeur gives his visa.
    directeur = signed_in(people.directeur)
    directeur.goto(f"{base}/delegations/")
    directeur.get_by_role("link", name="Réponse à l'Ambassade du Ghana").first.click()
    directeur.get_by_label("Viser").check()
    directeur.get_by_label("Observations").fill("Bon pour signature.")
    directeur.get_by_role("button", name="Enregistrer ma décision").click()
    assert directeur.get_by_text("Visa donné.").is_visible()

    # The minister being absent, the directeur signs under delegation, attesting the condition.
    directeur.get_by_role("link", name="Signer").click()
    assert directeur.get_by_text("Pour le Ministre et par délégation").first.is_visible()
    directeur.get_by_role("button", name="Signer").click()
    assert directeur.get_by_role("alert").get_by_text("attestez-le pour signer").is_visible()
    directeur.get_by_label("J'atteste l'absence ou l'empêchement du ministre.").check()
    directeur.get_by_role("button", name="Signer").click()
    assert directeur.get_by_text("Pièce signée.").is_visible()
    item.refresh_from_db()
    assert (item.state, item.delegation_id, item.condition_attested) == (SignatureItem.State.SIGNE, delegation.pk, True)
    response = directeur.request.get(f"{base}/delegations/parapheur/{item.pk}/acte-signe.pdf")
    assert response.status == 200
    text = " ".join(PdfReader(io.BytesIO(response.body())).pages[0].extract_text().split())
    assert "Pour le Ministre et par délégation," in text
    assert "M. Edem AKAKPO" in text and "Directeur de cabinet" in text

    # The attaché records the revocation; the directeur cannot sign the next letter.
    attache = signed_in(people.attache)
    attache.goto(f"{base}/delegations/arretes/{delegation.pk}/")
    attache.get_by_label("Arrêté d'abrogation (référence)").fill("Arrêté n° 2026-050/MAE/CAB")
    attache.get_by_label("Motif").fill("Retour du ministre.")
    attache.get_by_role("button", name="Abroger l'arrêté").click()
    assert attache.get_by_text("Arrêté abrogé").is_visible()
    nxt = services.signature_item_submit(
        drafter=people.conseiller1, category=cats["correspondance-courante"], title="Lettre suivante", body="Texte"
    )
    directeur.goto(f"{base}/delegations/")
    assert directeur.get_by_text("Rien à signer.").is_visible()
    forbidden = directeur.goto(f"{base}/delegations/parapheur/{nxt.pk}/signer/")
    assert forbidden.status == 403
    nxt.refresh_from_db()
    assert nxt.state == SignatureItem.State.A_SIGNER

    # conseiller1 transmits a directive to dir-afrique, who acknowledges and reports it.
    page.goto(f"{base}/delegations/directives/{directive.pk}/")
    page.get_by_role("link", name="Transmettre").click()
    page.get_by_label(re.compile("ESSO")).check()
    page.get_by_label("Instructions de transmission").fill("Rapport attendu avant l'échéance.")
    page.get_by_role("button", name="Transmettre").click()
    assert page.get_by_text("Directive transmise.").is_visible()
    director = signed_in(people.dir_afrique)
    director.goto(f"{base}/delegations/directives/{directive.pk}/")
    director.get_by_role("button", name="Accuser réception").click()
    assert director.get_by_text("Réception accusée.").is_visible()
    director.get_by_role("link", name="Rendre compte de l'exécution").click()
    director.get_by_label("Compte rendu d'exécution").fill("Les éléments ont été réunis et transmis au cabinet.")
    director.get_by_label("La directive est entièrement exécutée").check()
    director.get_by_role("button", name="Enregistrer le compte rendu").click()
    assert director.get_by_text("Compte rendu enregistré.").is_visible()
    assert Transmission.objects.get().state == Transmission.State.EXECUTEE
    for p in (page, directeur, attache, director):
        assert p.js_errors == []
