"""The link with the signature book (delegations): a draft reply goes to the parapheur, and
the signed item is registered au départ with its signed PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from correspondence import services
from correspondence.models import Instruction, Mail, MailEvent
from delegations.models import ActCategory, SignatureItem
from delegations.services import signature_item_sign

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(db):
    return ActCategory.objects.get_or_create(
        code="correspondance-courante", defaults={"name": "Correspondance courante"}
    )[0]


@pytest.fixture
def drafted(register_incoming, people):
    mail = register_incoming()
    imputation = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.ATTRIBUTION
    )
    services.imputation_annotate(
        imputation=imputation,
        actor=people.conseiller1,
        opinion="Répondre favorablement.",
        draft_reply=SimpleUploadedFile("projet.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    return mail, imputation


def _submit(client, imputation, category):
    return client.post(
        reverse("correspondence:imputation_submit_signature", args=[imputation.pk]),
        {
            "attachment": imputation.attachments.get().pk,
            "category": category.pk,
            "title": "Réponse à l'Ambassade de France",
            "body": "Projet de réponse favorable.",
        },
    )


def test_assignee_submits_the_draft_reply_to_the_signature_book(people, login, drafted, category):
    mail, imputation = drafted
    client = login(people.conseiller1)
    form = client.get(reverse("correspondence:imputation_submit_signature", args=[imputation.pk]))
    assert form.status_code == 200
    assert _submit(client, imputation, category).status_code == 302
    item = SignatureItem.objects.get()
    assert item.drafter == people.conseiller1
    assert item.source_url == reverse("correspondence:mail_detail", args=[mail.pk])
    assert item.document.read() == pdf_bytes()
    assert (item.document_name, item.document_size) == ("projet.pdf", len(pdf_bytes()))  # the draft's own name
    assert mail.events.filter(action=MailEvent.Action.SIGNATURE_BOOK).exists()
    detail = client.get(reverse("correspondence:mail_detail", args=[mail.pk])).content.decode()
    assert "Réponse à l&#x27;Ambassade de France" in detail


def test_only_the_assignee_submits(people, login, drafted, category):
    _mail, imputation = drafted
    assert _submit(login(people.conseiller2), imputation, category).status_code == 403
    assert _submit(login(people.protocole), imputation, category).status_code == 404
    assert (
        login(people.conseiller1)
        .delete(reverse("correspondence:imputation_submit_signature", args=[imputation.pk]))
        .status_code
        == 405
    )
    assert not SignatureItem.objects.exists()


def test_signed_item_is_registered_au_depart_and_answers_the_letter(people, login, drafted, category, lettre, embassy):
    mail, imputation = drafted
    _submit(login(people.conseiller1), imputation, category)
    item = SignatureItem.objects.get()
    client = login(people.secretariat)
    # Not signed yet: it cannot be registered.
    assert client.get(reverse("correspondence:register_outgoing"), {"parapheur": item.pk}).status_code == 403
    signature_item_sign(item=item, user=people.ministre)
    page = client.get(reverse("correspondence:register_outgoing"), {"parapheur": item.pk, "reponse_a": mail.pk})
    assert page.status_code == 200
    assert page.context["form"].initial["subject"] == item.title
    assert page.context["form"].initial["signatory"] == people.ministre.pk
    data = {
        "parapheur": item.pk,
        "recipients": [embassy.pk],
        "letter_date": timezone.localdate().isoformat(),
        "kind": lettre.pk,
        "subject": item.title,
        "signatory": people.ministre.pk,
        "pages": 1,
        "enclosures": 0,
        "priority": "normale",
        "confidentiality": "ordinaire",
        "replies_to": [mail.pk],
    }
    assert client.post(reverse("correspondence:register_outgoing"), data).status_code == 302
    reply = Mail.objects.get(register="depart")
    mail.refresh_from_db()
    assert reply.signature_item == item
    assert reply.attachments.get().original_name.startswith("acte-signe-")
    assert mail.state == Mail.State.REPONDU
    # Registered once only.
    assert client.post(reverse("correspondence:register_outgoing"), data).status_code == 403
    assert Mail.objects.filter(register="depart").count() == 1


def test_a_signature_item_of_a_hidden_mail_answers_404(people, login, register_incoming, category):
    mail = register_incoming(confidentiality=Mail.Confidentiality.CONFIDENTIEL)
    imputation = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.ATTRIBUTION
    )
    services.imputation_annotate(
        imputation=imputation,
        actor=people.conseiller1,
        draft_reply=SimpleUploadedFile("projet.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    _submit(login(people.conseiller1), imputation, category)
    item = SignatureItem.objects.get()
    signature_item_sign(item=item, user=people.ministre)
    url = reverse("correspondence:register_outgoing")
    # The secretariat registers, but may not see this confidential mail nor the item.
    assert login(people.secretariat).get(url, {"parapheur": item.pk}).status_code == 404
    assert login(people.attache).get(url, {"parapheur": item.pk}).status_code == 200
    assert login(people.attache).get(url, {"parapheur": 999999}).status_code == 404


def test_the_draft_reply_shows_under_its_imputation_with_the_submit_link(people, login, drafted, register_incoming):
    mail, imputation = drafted
    other = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller2, instruction=Instruction.AVIS
    )
    submit = reverse("correspondence:imputation_submit_signature", args=[imputation.pk])
    detail = login(people.conseiller1).get(reverse("correspondence:mail_detail", args=[mail.pk]))
    page = detail.content.decode()
    assert page.count("Projet de réponse :") == 1 and submit in page
    drafts = {i.pk: [a.original_name for a in i.reply_drafts] for i in detail.context["imputations"]}
    assert drafts == {imputation.pk: ["projet.pdf"], other.pk: []}
    # The adviser who did not write it sees it, without the link to submit it.
    page = login(people.conseiller2).get(reverse("correspondence:mail_detail", args=[mail.pk])).content.decode()
    assert "Projet de réponse :" in page and submit not in page
