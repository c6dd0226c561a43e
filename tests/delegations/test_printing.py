"""The signed PDF carries the right signature block (rules 7 and 9) and the verification code."""

import io

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from cabinet.services import mandate_create
from delegations import services

pytestmark = pytest.mark.django_db


def pdf_text(item) -> str:
    with item.signed_pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) >= 1
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_rule7_pdf_signed_by_delegation_reads_pour_le_ministre_et_par_delegation(people, make_delegation, make_item):
    delegation = make_delegation()
    item = services.signature_item_sign(item=make_item(), user=people.directeur)
    text = pdf_text(item)
    assert "Pour le Ministre et par délégation," in text
    assert "Directeur de cabinet" in text
    assert "M. Edem AKAKPO" in text
    assert f"arrêté n° {delegation.number}" in text
    assert item.verification_code in text
    assert "Objet : Réponse à l'Ambassade du Ghana" in text


def test_the_signed_act_is_in_french_whatever_the_signer_s_interface(people, make_delegation, make_item):
    """The PDF is made once, at signing, and kept: a directeur working in English still signs
    « Pour le Ministre et par délégation »."""
    make_delegation()
    with translation.override("en"):
        item = services.signature_item_sign(item=make_item(), user=people.directeur)
        assert translation.gettext("Le Ministre,") != "Le Ministre,"  # the catalogue is there
    text = pdf_text(item)
    assert "Pour le Ministre et par délégation," in text
    assert "For the Minister" not in text and " at " not in text
    with item.signed_pdf.open("rb") as handle:
        assert PdfReader(io.BytesIO(handle.read())).trailer["/Root"]["/Lang"] == "fr"


def test_pdf_signed_by_the_minister_carries_his_own_block(people, make_item):
    item = services.signature_item_sign(item=make_item(code="traites-accords"), user=people.ministre)
    text = pdf_text(item)
    assert "Le Ministre," in text
    assert "S.E.M. Yao Kossi AGBENOU" in text
    assert "par délégation" not in text


def test_rule9_pdf_signed_by_the_interim_holder_reads_le_ministre_par_interim(people, make_item):
    today = timezone.localdate()
    mandate_create(
        user=people.conseiller2,
        position=people.positions["ministre"],
        start_date=today,
        end_date=today,
        is_interim=True,
    )
    item = services.signature_item_sign(item=make_item(code="traites-accords"), user=people.conseiller2)
    text = pdf_text(item)
    assert "Le Ministre par intérim," in text
    assert "Mme Essi LAWSON" in text
    assert "par délégation" not in text


def test_register_pdf_names_who_could_sign_and_under_which_arrete(people, as_user, cats, make_delegation):
    delegation = make_delegation(conditional=True)
    response = as_user(people.attache).get(
        "/delegations/registre.pdf", {"category": cats["correspondance-courante"].pk, "day": "2026-01-15"}
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Signataires d'un acte « Correspondance courante » le 15/01/2026" in text
    assert "S.E.M. Yao Kossi AGBENOU" in text
    assert "Pour le Ministre et par délégation" in text
    assert f"Arrêté n° {delegation.number}" in text
    assert "Arrêtés de délégation en vigueur le 15/01/2026" in text
