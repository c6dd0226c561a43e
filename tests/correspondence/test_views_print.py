import io

import pytest
import segno
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from correspondence.models import Instruction
from correspondence.printing import QR_SCALE

from .outputs_data import correspondent, incoming, outgoing, route

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # Table cells wrap: compare on words, not on line breaks.
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_size(response, index=0):
    box = PdfReader(io.BytesIO(response.content)).pages[index].mediabox
    return round(float(box.width)), round(float(box.height))


# --- Fiche d'imputation ------------------------------------------------------------------------
def test_routing_slip_prints_number_details_instructions_and_qr(people, login):
    mail = incoming(people, subject="Invitation au sommet de la CEDEAO à Abuja")
    route(mail, people, instruction=Instruction.AVIS, comment="Préparer les éléments de langage")
    response = login(people.conseiller1).get(reverse("correspondence:print_routing_slip", args=[mail.pk]))
    assert response.status_code == 200
    text = pdf_text(response)
    assert mail.reference in text
    assert "Invitation au sommet de la CEDEAO à Abuja" in text
    assert "Ambassade de France au Togo" in text
    assert "NV/2026/0412/AMB" in text
    for label in ("Pour attribution", "Pour avis", "Pour information", "Pour suite à donner", "Pour signature"):
        assert label in text
    assert "Koffi DOGBE" in text  # the assignee
    assert "ANNOTATIONS DU MINISTRE" in text  # printed in capitals
    assert page_size(response) == (595, 842)
    # The QR code: one image, the size of the QR symbol of the mail's address.
    images = PdfReader(io.BytesIO(response.content)).pages[0].images
    assert len(images) == 1
    url = f"{settings.CABINET_SITE_URL}{reverse('correspondence:mail_detail', args=[mail.pk])}"
    expected = segno.make(url, error="m").symbol_size(scale=QR_SCALE, border=2)
    assert images[0].image.size == expected
    assert response["Content-Disposition"].startswith("inline;")


def test_routing_slip_of_hidden_confidential_mail_is_404(people, login):
    mail = incoming(people, confidentiality="confidentiel")
    route(mail, people, to=people.conseiller1)
    url = reverse("correspondence:print_routing_slip", args=[mail.pk])
    assert login(people.conseiller2).get(url).status_code == 404
    assert login(people.outsider).get(url).status_code == 404
    assert login(people.conseiller1).get(url).status_code == 200  # routed to him


def test_printing_restricted_mail_is_logged_as_a_consultation_ordinary_is_not(people, login):
    from correspondence.models import MailConsultation

    confidential = incoming(people, confidentiality="confidentiel")
    ordinary = incoming(people)
    client = login(people.attache)
    client.get(reverse("correspondence:print_routing_slip", args=[confidential.pk]))
    client.get(reverse("correspondence:print_acknowledgement", args=[confidential.pk]))
    client.get(reverse("correspondence:print_routing_slip", args=[ordinary.pk]))
    logged = MailConsultation.objects.filter(mail=confidential, user=people.attache)
    assert logged.count() == 2
    assert not MailConsultation.objects.filter(mail=ordinary).exists()


def test_refused_print_logs_nothing(people, login):
    from correspondence.models import MailConsultation

    secret = incoming(people, confidentiality="secret")
    assert login(people.attache).get(reverse("correspondence:print_routing_slip", args=[secret.pk])).status_code == 404
    assert not MailConsultation.objects.exists()


def test_routing_slip_of_secret_mail_is_404_for_the_attache(people, login):
    mail = incoming(people, confidentiality="secret", registered_by=people.chef_sp)
    url = reverse("correspondence:print_routing_slip", args=[mail.pk])
    assert login(people.attache).get(url).status_code == 404
    assert login(people.directeur).get(url).status_code == 200


def test_routing_slip_of_missing_mail_is_404(people, login):
    assert login(people.directeur).get(reverse("correspondence:print_routing_slip", args=[999999])).status_code == 404


def test_print_views_answer_get_only(people, login):
    mail = incoming(people)
    client = login(people.secretariat)
    for name in ("print_routing_slip", "print_acknowledgement"):
        assert client.post(reverse(f"correspondence:{name}", args=[mail.pk])).status_code == 405
    assert client.post(reverse("correspondence:print_register")).status_code == 405


def test_print_needs_login(people, client):
    mail = incoming(people)
    response = client.get(reverse("correspondence:print_routing_slip", args=[mail.pk]))
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


# --- Accusé de réception -----------------------------------------------------------------------
def test_acknowledgement_names_the_correspondent_their_reference_and_our_number(people, login):
    sender = correspondent("Ambassade de la République fédérale du Nigeria", address="311, boulevard du 13 Janvier")
    mail = incoming(people, correspondent=sender, subject="Demande d'audience de l'ambassadeur")
    response = login(people.secretariat).get(reverse("correspondence:print_acknowledgement", args=[mail.pk]))
    assert response.status_code == 200
    text = pdf_text(response)
    assert "Accusé de réception".upper() in text.upper()
    assert "Ambassade de la République fédérale du Nigeria" in text
    assert "311, boulevard du 13 Janvier" in text
    assert "NV/2026/0412/AMB" in text
    assert "Demande d'audience de l'ambassadeur" in text
    assert mail.reference in text
    assert f"{mail.arrival_date:%d/%m/%Y}" in text


def test_acknowledgement_is_printed_by_registrars_only(people, login):
    mail = incoming(people)
    url = reverse("correspondence:print_acknowledgement", args=[mail.pk])
    assert login(people.conseiller1).get(url).status_code == 403  # sees the mail, does not write outside
    assert login(people.chef_sp).get(url).status_code == 200


def test_acknowledgement_exists_only_for_incoming_mail(people, login):
    mail = outgoing(people)
    assert (
        login(people.secretariat).get(reverse("correspondence:print_acknowledgement", args=[mail.pk])).status_code
        == 404
    )


def test_acknowledgement_of_hidden_mail_is_404_not_403(people, login):
    mail = incoming(people, confidentiality="secret")
    url = reverse("correspondence:print_acknowledgement", args=[mail.pk])
    assert login(people.secretariat).get(url).status_code == 404


# --- Bordereau d'envoi -------------------------------------------------------------------------
def test_transmission_slip_has_one_page_per_recipient_and_copy_with_items(people, login):
    question = incoming(people, subject="Demande d'appui à la candidature togolaise")
    union = correspondent("Commission de l'Union africaine", acronym="CUA")
    oif = correspondent("Organisation internationale de la Francophonie", acronym="OIF")
    mail = outgoing(
        people,
        subject="Soutien à la candidature togolaise",
        recipients=[union],
        copies=[oif],
        replies_to=[question],
        enclosures=2,
    )
    response = login(people.secretariat).get(reverse("correspondence:print_transmission_slip", args=[mail.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Commission de l'Union africaine" in first
    assert "Organisation internationale de la Francophonie" in second
    assert "Ampliation" in second
    for text in (first, second):
        assert mail.administrative_reference in text
        assert "Soutien à la candidature togolaise" in text
        assert "Désignation des pièces" in text
        assert "Autres pièces annexées" in text  # two enclosures without a scan
        assert "Original" in text


def test_transmission_slip_exists_only_for_outgoing_mail(people, login):
    mail = incoming(people)
    url = reverse("correspondence:print_transmission_slip", args=[mail.pk])
    assert login(people.secretariat).get(url).status_code == 404


def test_transmission_slip_is_printed_by_registrars_only(people, login):
    mail = outgoing(people)
    url = reverse("correspondence:print_transmission_slip", args=[mail.pk])
    assert login(people.conseiller2).get(url).status_code == 403


# --- Registre ----------------------------------------------------------------------------------
def register_url(**params):
    from urllib.parse import urlencode

    return f"{reverse('correspondence:print_register')}?{urlencode(params)}"


def test_register_of_a_period_is_landscape_with_the_usual_columns(people, login):
    from django.utils import timezone

    first = incoming(people, subject="Note verbale relative aux privilèges diplomatiques")
    route(first, people, to=people.conseiller2, instruction=Instruction.SUITE)
    second = incoming(people, subject="Rapport de l'ambassade du Togo à Paris")
    today = timezone.localdate()
    response = login(people.attache).get(
        register_url(register="arrivee", start=f"{today:%Y-%m-%d}", end=f"{today:%Y-%m-%d}")
    )
    assert response.status_code == 200
    width, height = page_size(response)
    assert width > height  # landscape
    text = pdf_text(response)
    assert "Registre du courrier arrivée".upper() in text.upper()
    for header in ("N° d'ordre", "Reçu le", "Date de la lettre", "Expéditeur", "Objet", "Imputé à", "Classement"):
        assert header in text
    assert first.reference in text and second.reference in text
    assert text.index(first.reference) < text.index(second.reference)  # in number order
    assert "Essi LAWSON" in text
    assert "2 entrées" in text


def test_register_shows_cancelled_entries_with_their_reason(people, login):
    from django.utils import timezone

    from correspondence.services import mail_cancel

    mail = incoming(people, subject="Lettre enregistrée deux fois")
    mail_cancel(mail=mail, actor=people.attache, reason="Doublon de l'entrée précédente")
    today = f"{timezone.localdate():%Y-%m-%d}"
    text = pdf_text(login(people.attache).get(register_url(register="arrivee", start=today, end=today)))
    assert mail.reference in text
    assert "ANNULÉ" in text
    assert "Doublon de l'entrée précédente" in text


def test_register_leaves_out_mail_the_reader_may_not_see(people, login):
    from django.utils import timezone

    ordinary = incoming(people, subject="Courrier ordinaire du jour")
    confidential = incoming(people, subject="Courrier confidentiel du jour", confidentiality="confidentiel")
    secret = incoming(people, subject="Courrier secret du jour", confidentiality="secret")
    today = f"{timezone.localdate():%Y-%m-%d}"
    text = pdf_text(login(people.conseiller2).get(register_url(register="arrivee", start=today, end=today)))
    assert ordinary.reference in text
    assert confidential.reference not in text and "confidentiel du jour" not in text
    assert secret.reference not in text and "secret du jour" not in text
    assert "1 entrée" in text
    minister_text = pdf_text(login(people.ministre).get(register_url(register="arrivee", start=today, end=today)))
    assert secret.reference in minister_text


def test_outgoing_register_lists_recipients_and_answered_letters(people, login):
    from django.utils import timezone

    question = incoming(people)
    reply = outgoing(people, replies_to=[question], recipients=[correspondent("Ambassade du Ghana")])
    today = f"{timezone.localdate():%Y-%m-%d}"
    text = pdf_text(login(people.attache).get(register_url(register="depart", start=today, end=today)))
    assert "Registre du courrier départ".upper() in text.upper()
    assert reply.reference in text
    assert reply.administrative_reference in text
    assert "Ambassade du Ghana" in text
    assert question.reference in text


def test_register_form_without_period_shows_the_form(people, login):
    response = login(people.attache).get(reverse("correspondence:print_register"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Imprimer le registre" in response.content.decode()


def test_register_with_reversed_period_gets_a_french_error_and_keeps_the_dates(people, login):
    response = login(people.attache).get(register_url(register="depart", start="2026-03-31", end="2026-03-01"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "La fin de la période ne peut pas précéder son début." in body
    assert 'value="2026-03-31"' in body and 'value="2026-03-01"' in body
    assert 'value="depart" selected' in body


def test_register_of_more_than_a_year_is_refused(people, login):
    response = login(people.attache).get(register_url(register="arrivee", start="2024-01-01", end="2026-01-01"))
    assert "Imprimez au plus une année à la fois." in response.content.decode()


def test_the_printed_register_writes_its_restricted_entries_to_the_consultation_log(people, login):
    from django.utils import timezone

    from correspondence.models import MailConsultation

    incoming(people, subject="Ordinaire")
    secret = incoming(people, subject="Télégramme réservé", confidentiality="secret")
    today = f"{timezone.localdate():%Y-%m-%d}"
    response = login(people.directeur).get(register_url(register="arrivee", start=today, end=today))
    assert response.status_code == 200 and secret.reference in pdf_text(response)
    logged = MailConsultation.objects.filter(what=MailConsultation.What.EXPORT)
    assert list(logged.values_list("mail_id", "user_id")) == [(secret.pk, people.directeur.pk)]
    # A refused print (no period) logs nothing more.
    login(people.directeur).get(reverse("correspondence:print_register"))
    assert logged.count() == 1
