"""Every page: success, forbidden (403), hidden (404), wrong method (405); forged requests
record nothing; list pages run a constant number of queries."""

import datetime
import re
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabinet import freshness
from cabinet.models import Mandate
from cabinet.services import mandate_end
from delegations import delegation_services, directive_services, services
from delegations.models import Delegation, SignatureItem, Transmission

from .conftest import sign_holders

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def url(name, *args):
    return reverse(f"delegations:{name}", args=args)


# --- Signature book --------------------------------------------------------------------------


def test_book_lists_exactly_what_the_directeur_may_sign(people, as_user, make_delegation, make_item):
    make_delegation(codes=("correspondance-courante",))
    in_scope = make_item(title="Lettre dans le champ")
    out_of_scope = make_item(code="notes-verbales", title="Note verbale hors champ")
    in_visa = make_item(title="Lettre encore en visa", visa_users=[people.conseiller2])
    response = as_user(people.directeur).get(url("book"))
    assert response.status_code == 200
    assert list(response.context["to_sign"]) == [in_scope]
    assert out_of_scope not in response.context["to_sign"]
    assert in_visa not in response.context["to_sign"]
    minister = as_user(people.ministre).get(url("book"))
    assert set(minister.context["to_sign"]) == {in_scope, out_of_scope}
    assert list(minister.context["take_back"]) == [in_visa]


def test_book_wrong_method(people, as_user):
    assert as_user(people.directeur).post(url("book")).status_code == 405


def _count_queries(client, path) -> int:
    freshness.bump()  # the navigation's counts computed, not read from the cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_book_runs_a_constant_number_of_queries(people, as_user, make_delegation, make_item):
    make_delegation()
    client = as_user(people.directeur)
    make_item(title="Une")
    make_item(title="Visa", visa_users=[people.directeur])
    one = _count_queries(client, url("book"))
    for n in range(4):
        make_item(title=f"Lettre {n}")
        make_item(title=f"Visa {n}", visa_users=[people.directeur])
    services.signature_item_sign(item=make_item(title="Signée"), user=people.directeur)
    assert _count_queries(client, url("book")) == one


def test_item_create_success_keeps_nothing_lost_on_error_and_forbids_outsiders(people, as_user, cats):
    client = as_user(people.conseiller1)
    assert client.get(url("item_create")).status_code == 200
    bad = client.post(
        url("item_create"), {"title": "Réponse au Ghana", "category": cats["correspondance-courante"].pk, "body": ""}
    )
    assert bad.status_code == 200
    assert "body" in bad.context["form"].errors
    assert 'value="Réponse au Ghana"' in bad.content.decode()
    ok = client.post(
        url("item_create"),
        {
            "title": "Réponse au Ghana",
            "category": cats["correspondance-courante"].pk,
            "body": "Monsieur l'Ambassadeur,",
            "visa_1": people.directeur.pk,
            "document": SimpleUploadedFile("projet.pdf", PDF, "application/pdf"),
        },
    )
    item = SignatureItem.objects.get()
    assert ok.status_code == 302 and ok["Location"] == url("item_detail", item.pk)
    assert item.state == SignatureItem.State.EN_VISA
    assert as_user(people.outsider).get(url("item_create")).status_code == 403
    assert client.put(url("item_create")).status_code == 405


def test_item_create_refuses_a_renamed_executable(people, as_user, cats):
    response = as_user(people.conseiller1).post(
        url("item_create"),
        {
            "title": "T",
            "category": cats["correspondance-courante"].pk,
            "body": "B",
            "document": SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00\x03 executable", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    assert SignatureItem.objects.count() == 0


def test_item_detail_success_hidden_and_method(people, as_user, make_item):
    item = make_item(visa_users=[people.directeur])
    assert as_user(people.conseiller1).get(url("item_detail", item.pk)).status_code == 200
    assert as_user(people.directeur).get(url("item_detail", item.pk)).status_code == 200
    assert as_user(people.conseiller2).get(url("item_detail", item.pk)).status_code == 404
    assert as_user(people.outsider).get(url("item_detail", item.pk)).status_code == 404
    assert as_user(people.conseiller1).get(url("item_detail", 999999)).status_code == 404
    assert as_user(people.conseiller1).post(url("item_detail", item.pk)).status_code == 405


def test_item_visa_success_forbidden_hidden_and_method(people, as_user, make_item):
    item = make_item(visa_users=[people.directeur])
    assert as_user(people.conseiller1).post(url("item_visa", item.pk), {"decision": "approve"}).status_code == 403
    assert as_user(people.conseiller2).post(url("item_visa", item.pk), {"decision": "approve"}).status_code == 404
    assert as_user(people.directeur).get(url("item_visa", item.pk)).status_code == 405
    rejected = as_user(people.directeur).post(url("item_visa", item.pk), {"decision": "reject", "comment": ""})
    assert rejected.status_code == 400
    assert "comment" in rejected.context["visa_form"].errors
    item.refresh_from_db()
    assert item.state == SignatureItem.State.EN_VISA
    ok = as_user(people.directeur).post(
        url("item_visa", item.pk), {"decision": "approve", "comment": "Bon pour signature"}
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.state == SignatureItem.State.A_SIGNER


def test_item_correct_success_forbidden_hidden_and_method(people, as_user, make_item):
    item = make_item(visa_users=[people.directeur])
    assert as_user(people.conseiller1).get(url("item_correct", item.pk)).status_code == 403  # not sent back yet
    services.visa_decide(item=item, user=people.directeur, approve=False, comment="Revoir le deuxième paragraphe")
    assert as_user(people.directeur).get(url("item_correct", item.pk)).status_code == 403
    assert as_user(people.conseiller2).get(url("item_correct", item.pk)).status_code == 404
    client = as_user(people.conseiller1)
    assert client.delete(url("item_correct", item.pk)).status_code == 405
    assert client.get(url("item_correct", item.pk)).status_code == 200
    response = client.post(
        url("item_correct", item.pk), {"title": "Corrigée", "category": item.category_id, "body": "Nouveau texte"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.visa_round) == (SignatureItem.State.EN_VISA, 2)


def test_the_item_page_names_its_attachment_as_chosen_with_its_size(people, as_user, cats):
    """Like the arrêté's scan: the file's own name (escaped), its size, and the link through
    the view that checks who asks; the correction form names the attachment it keeps."""
    client = as_user(people.conseiller1)
    chosen = SimpleUploadedFile("Projet n° 3 & annexe d'Accra.pdf", PDF, "application/pdf")
    data = {"title": "Réponse au Ghana", "category": cats["correspondance-courante"].pk, "body": "Monsieur,"}
    submitted = client.post(url("item_create"), {**data, "visa_1": people.directeur.pk, "document": chosen})
    assert submitted.status_code == 302
    item = SignatureItem.objects.get()
    link = f'<a href="{url("item_document", item.pk)}">Projet n° 3 &amp; annexe d&#x27;Accra.pdf</a>'
    size = f'<span class="muted">({len(PDF)}\xa0octets)</span>'
    assert f"{link} {size}" in client.get(url("item_detail", item.pk)).content.decode()
    services.visa_decide(item=item, user=people.directeur, approve=False, comment="Revoir le ton.")
    assert f"{link} {size}." in client.get(url("item_correct", item.pk)).content.decode()
    replaced = SimpleUploadedFile("projet-v2.pdf", PDF + b"\n", "application/pdf")
    assert client.post(url("item_correct", item.pk), {**data, "document": replaced}).status_code == 302
    page = client.get(url("item_detail", item.pk)).content.decode()
    assert f'projet-v2.pdf</a> <span class="muted">({len(PDF) + 1}\xa0octets)</span>' in page
    downloaded = client.get(url("item_document", item.pk))
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"] == 'inline; filename="projet-v2.pdf"'  # the name it was given


def test_item_sign_by_delegation_with_attestation(people, as_user, make_delegation, make_item):
    delegation = make_delegation(conditional=True)
    item = make_item()
    client = as_user(people.directeur)
    page = client.get(url("item_sign", item.pk))
    assert page.status_code == 200
    assert "Pour le Ministre et par délégation" in page.content.decode()
    refused = client.post(url("item_sign", item.pk), {})
    assert refused.status_code == 403
    assert "absence ou d&#x27;empêchement" in refused.content.decode()
    item.refresh_from_db()
    assert item.state == SignatureItem.State.A_SIGNER
    ok = client.post(url("item_sign", item.pk), {"attest": "on"})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.delegation, item.condition_attested) == (SignatureItem.State.SIGNE, delegation, True)
    pdf = client.get(url("item_pdf", item.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_item_sign_forbidden_hidden_and_method(people, as_user, make_delegation, make_item):
    make_delegation()
    item = make_item(visa_users=[people.conseiller2])
    assert as_user(people.conseiller1).get(url("item_sign", item.pk)).status_code == 403  # drafter, not signatory
    assert as_user(people.outsider).post(url("item_sign", item.pk)).status_code == 404
    assert as_user(people.directeur).post(url("item_sign", item.pk)).status_code == 403  # visas pending
    assert as_user(people.ministre).put(url("item_sign", item.pk)).status_code == 405
    item.refresh_from_db()
    assert item.state == SignatureItem.State.EN_VISA and item.events.count() == 1


def test_forged_sign_after_revocation_is_refused_and_records_nothing(people, as_user, make_delegation, make_item):
    delegation = make_delegation()
    item = make_item()
    delegation_services.delegation_revoke(
        delegation=delegation, actor=people.ministre, reference="A-2", revoked_on=timezone.localdate(), reason="Fin"
    )
    response = as_user(people.directeur).post(url("item_sign", item.pk))
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.state, item.signer_id, item.events.count()) == (SignatureItem.State.A_SIGNER, None, 1)


def test_stale_permission_after_mandate_end_never_produces_a_signature(people, as_user, make_delegation, make_item):
    make_delegation()
    item = make_item()
    mandate_end(
        mandate=Mandate.objects.get(user=people.directeur), end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert "directeur" in sign_holders(item)  # the nightly task has not run yet
    response = as_user(people.directeur).post(url("item_sign", item.pk))
    assert response.status_code == 403
    assert "Votre mandat" in response.content.decode()
    item.refresh_from_db()
    assert item.state == SignatureItem.State.A_SIGNER and item.signer_id is None


def test_item_pdf_and_document_hidden_and_method(people, as_user, make_item):
    item = make_item()
    assert as_user(people.ministre).get(url("item_pdf", item.pk)).status_code == 404  # not signed yet
    services.signature_item_sign(item=item, user=people.ministre)
    assert as_user(people.conseiller1).get(url("item_pdf", item.pk)).status_code == 200
    assert as_user(people.conseiller2).get(url("item_pdf", item.pk)).status_code == 404
    assert as_user(people.conseiller1).post(url("item_pdf", item.pk)).status_code == 405
    assert as_user(people.conseiller1).get(url("item_document", item.pk)).status_code == 404  # none attached


def test_verify_page_checks_a_code(people, as_user, make_delegation, make_item):
    make_delegation()
    item = services.signature_item_sign(item=make_item(), user=people.directeur)
    client = as_user(people.outsider)  # anyone signed in may check a code
    found = client.get(url("verify"), {"code": item.verification_code.lower()})
    assert found.status_code == 200 and found.context["found"] == item
    assert "Pour le compte de" in found.content.decode()
    unknown = client.get(url("verify"), {"code": "AAAA-BBBB-CCCC"})
    assert unknown.context["found"] is None and "Code inconnu" in unknown.content.decode()
    assert client.post(url("verify")).status_code == 405


def test_the_signature_check_and_the_item_page_in_english_say_at_not_a(people, as_user, make_delegation, make_item):
    """A reader who chose English read « 29/11/2026 à 10:00 »: the time of a signature follows
    the language, in Lomé time (10:00 at UTC+1 is 09:00 in Lomé)."""
    make_delegation()
    item = services.signature_item_sign(item=make_item(title="Note verbale au Ghana"), user=people.directeur)
    utc_plus_one = datetime.timezone(datetime.timedelta(hours=1))
    SignatureItem.objects.filter(pk=item.pk).update(
        signed_at=datetime.datetime(2026, 11, 29, 10, 0, tzinfo=utc_plus_one)
    )
    client = as_user(people.conseiller1)  # the drafter, who may open the item's page
    french = client.get(url("item_detail", item.pk)).content.decode()
    assert "29/11/2026 à 09:00" in french
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for page in (client.get(url("verify"), {"code": item.verification_code}), client.get(url("item_detail", item.pk))):
        content = page.content.decode()
        assert '<html lang="en">' in content and "29/11/2026 at 09:00" in content
        assert "à" not in content  # the item's title is typed without one


# --- Arrêtés ---------------------------------------------------------------------------------


def test_delegation_list_and_detail_visibility(people, as_user, make_delegation):
    delegation = make_delegation()
    assert as_user(people.attache).get(url("delegation_list")).status_code == 200
    assert as_user(people.directeur).get(url("delegation_detail", delegation.pk)).status_code == 200
    outsider = as_user(people.outsider)
    assert list(outsider.get(url("delegation_list")).context["delegations"]) == []
    assert outsider.get(url("delegation_detail", delegation.pk)).status_code == 404
    assert outsider.post(url("delegation_list")).status_code == 405
    assert as_user(people.attache).post(url("delegation_detail", delegation.pk)).status_code == 405


def test_delegation_list_runs_a_constant_number_of_queries(people, as_user, make_delegation):
    make_delegation()
    client = as_user(people.attache)
    one = _count_queries(client, url("delegation_list"))
    for code in ("notes-verbales", "attestations", "ordres-de-mission"):
        make_delegation(codes=(code, "correspondance-courante"))
    assert _count_queries(client, url("delegation_list")) == one


def test_delegation_create_field_errors_keep_the_input(people, as_user, cats):
    client = as_user(people.attache)
    assert client.get(url("delegation_create")).status_code == 200
    data = {
        "number": "2026-044/MAE/CAB",
        "signed_on": "2025-09-10",
        "delegator": people.ministre.pk,
        "delegate": people.outsider.pk,
        "categories": [cats["correspondance-courante"].pk, cats["decrets"].pk],
        "valid_from": "2025-09-10",
        "valid_until": "2025-09-01",
    }
    response = client.post(url("delegation_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"delegate", "categories", "valid_until"} <= set(errors)
    assert "Décrets" in errors["categories"][0]
    assert 'value="2026-044/MAE/CAB"' in response.content.decode()
    assert Delegation.objects.count() == 0
    data.update(delegate=people.directeur.pk, categories=[cats["correspondance-courante"].pk], valid_until="")
    created = client.post(url("delegation_create"), data)
    delegation = Delegation.objects.get()
    assert created.status_code == 302 and created["Location"] == url("delegation_detail", delegation.pk)


def test_delegation_create_forbidden_and_method(people, as_user):
    assert as_user(people.conseiller1).get(url("delegation_create")).status_code == 403
    assert as_user(people.directeur).get(url("delegation_create")).status_code == 200
    assert as_user(people.attache).delete(url("delegation_create")).status_code == 405


def test_delegation_publish_and_revoke_views(people, as_user, make_delegation, make_item):
    delegation = make_delegation(publish=False)
    item = make_item()
    assert as_user(people.directeur).get(url("delegation_publish", delegation.pk)).status_code == 405
    assert as_user(people.outsider).post(url("delegation_publish", delegation.pk)).status_code == 404
    # conseiller1 reads the register (sees the arrêté) but may not manage arrêtés.
    assert as_user(people.conseiller1).post(url("delegation_publish", delegation.pk)).status_code == 403
    client = as_user(people.attache)
    bad = client.post(url("delegation_publish", delegation.pk), {"publication_reference": "", "published_on": ""})
    assert bad.status_code == 400
    ok = client.post(
        url("delegation_publish", delegation.pk), {"publication_reference": "JO n° 3", "published_on": "2025-09-12"}
    )
    assert ok.status_code == 302
    assert "directeur" in sign_holders(item)
    bad = client.post(url("delegation_revoke", delegation.pk), {"reference": "A", "revoked_on": "", "reason": ""})
    assert bad.status_code == 400 and "reason" in bad.context["revoke_form"].errors
    assert as_user(people.conseiller1).post(url("delegation_revoke", delegation.pk), {}).status_code == 403
    assert as_user(people.outsider).post(url("delegation_revoke", delegation.pk), {}).status_code == 404
    today = timezone.localdate().isoformat()
    ok = client.post(
        url("delegation_revoke", delegation.pk), {"reference": "A-9", "revoked_on": today, "reason": "Fin"}
    )
    assert ok.status_code == 302
    assert sign_holders(item) == {"ministre"}
    assert as_user(people.attache).get(url("delegation_revoke", delegation.pk)).status_code == 405


def test_delegation_scan_is_private(people, as_user, make_delegation):
    delegation = make_delegation()
    assert as_user(people.attache).get(url("delegation_scan", delegation.pk)).status_code == 404  # no scan
    delegation.scan.save("arrete.pdf", SimpleUploadedFile("arrete.pdf", PDF), save=True)
    response = as_user(people.attache).get(url("delegation_scan", delegation.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert as_user(people.outsider).get(url("delegation_scan", delegation.pk)).status_code == 404
    assert as_user(people.attache).post(url("delegation_scan", delegation.pk)).status_code == 405


def test_register_answers_who_could_sign_and_prints_a_pdf(people, as_user, cats, make_delegation):
    delegation = make_delegation()
    client = as_user(people.conseiller1)
    day = timezone.localdate().isoformat()
    response = client.get(url("register"), {"category": cats["correspondance-courante"].pk, "day": day})
    assert response.status_code == 200
    assert [s.user for s in response.context["signers"]] == [people.ministre, people.directeur]
    assert list(response.context["in_force"]) == [delegation]
    pdf = client.get(url("register_pdf"), {"category": cats["correspondance-courante"].pk, "day": day})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert as_user(people.outsider).get(url("register")).status_code == 403
    assert as_user(people.outsider).get(url("register_pdf")).status_code == 403
    assert client.post(url("register")).status_code == 405


# --- Directives ------------------------------------------------------------------------------


def test_directive_list_detail_and_hidden(people, as_user, make_directive):
    directive = make_directive()
    assert as_user(people.conseiller1).get(url("directive_detail", directive.pk)).status_code == 200
    assert as_user(people.ministre).get(url("directive_detail", directive.pk)).status_code == 200
    assert as_user(people.conseiller2).get(url("directive_detail", directive.pk)).status_code == 404
    assert list(as_user(people.conseiller2).get(url("directive_list")).context["directives"]) == []
    assert as_user(people.conseiller1).post(url("directive_list")).status_code == 405
    assert as_user(people.conseiller1).post(url("directive_detail", directive.pk)).status_code == 405


def test_directive_list_runs_a_constant_number_of_queries(people, as_user, make_directive):
    client = as_user(people.directeur)
    first = make_directive(subject="Une")
    directive_services.directive_transmit(directive=first, actor=people.directeur, recipients=[people.dir_afrique])
    one = _count_queries(client, url("directive_list"))
    for n in range(3):
        d = make_directive(subject=f"Directive {n}")
        directive_services.directive_transmit(directive=d, actor=people.directeur, recipients=[people.dir_afrique])
    assert _count_queries(client, url("directive_list")) == one
    board_one = _count_queries(client, url("execution_board"))
    d = make_directive(subject="Encore une")
    directive_services.directive_transmit(directive=d, actor=people.directeur, recipients=[people.dir_afrique])
    assert _count_queries(client, url("execution_board")) == board_one


def test_directive_create_view(people, as_user):
    client = as_user(people.ministre)
    today = timezone.localdate()
    bad = client.post(
        url("directive_create"),
        {
            "subject": "Sahel",
            "text": "T",
            "issued_on": today.isoformat(),
            "deadline": (today - datetime.timedelta(days=1)).isoformat(),
            "advisers": [people.conseiller1.pk],
        },
    )
    assert bad.status_code == 200 and "deadline" in bad.context["form"].errors
    ok = client.post(
        url("directive_create"),
        {
            "subject": "Sahel",
            "text": "T",
            "issued_on": today.isoformat(),
            "deadline": today.isoformat(),
            "advisers": [people.conseiller1.pk],
        },
    )
    assert ok.status_code == 302
    assert as_user(people.conseiller1).get(url("directive_create")).status_code == 403
    assert client.put(url("directive_create")).status_code == 405


def test_forged_transmit_answers_404_or_403_and_records_nothing(people, as_user, make_directive):
    directive = make_directive()
    data = {"recipients": [people.dir_afrique.pk]}
    assert as_user(people.conseiller2).post(url("directive_transmit", directive.pk), data).status_code == 404
    directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    # dir-afrique sees it (a recipient) but may not transmit it.
    assert as_user(people.dir_afrique).post(url("directive_transmit", directive.pk), data).status_code == 403
    assert Transmission.objects.count() == 1
    assert as_user(people.conseiller1).put(url("directive_transmit", directive.pk)).status_code == 405


def test_transmit_acknowledge_and_report_views(people, as_user, make_directive):
    directive = make_directive()
    client = as_user(people.conseiller1)
    assert client.get(url("directive_transmit", directive.pk)).status_code == 200
    assert (
        client.post(
            url("directive_transmit", directive.pk), {"recipients": [people.dir_afrique.pk], "note": "Vite"}
        ).status_code
        == 302
    )
    transmission = Transmission.objects.get()
    assert client.post(url("transmission_acknowledge", transmission.pk)).status_code == 403  # not the recipient
    assert as_user(people.conseiller2).post(url("transmission_acknowledge", transmission.pk)).status_code == 404
    recipient = as_user(people.dir_afrique)
    assert recipient.get(url("transmission_acknowledge", transmission.pk)).status_code == 405
    assert recipient.post(url("transmission_acknowledge", transmission.pk)).status_code == 302
    transmission.refresh_from_db()
    assert transmission.state == Transmission.State.ACCUSEE
    assert recipient.get(url("transmission_report", transmission.pk)).status_code == 200
    assert client.get(url("transmission_report", transmission.pk)).status_code == 403
    assert as_user(people.conseiller2).get(url("transmission_report", transmission.pk)).status_code == 404
    ok = recipient.post(
        url("transmission_report", transmission.pk),
        {"text": "Fait.", "executed": "on", "attachment": SimpleUploadedFile("cr.pdf", PDF, "application/pdf")},
    )
    assert ok.status_code == 302
    transmission.refresh_from_db()
    assert transmission.state == Transmission.State.EXECUTEE
    report = transmission.reports.get()
    assert client.get(url("report_attachment", report.pk)).status_code == 200
    assert as_user(people.conseiller2).get(url("report_attachment", report.pk)).status_code == 404
    assert client.post(url("report_attachment", report.pk)).status_code == 405
    assert recipient.delete(url("transmission_report", transmission.pk)).status_code == 405


def test_the_directive_page_names_a_report_s_attachment_as_chosen_with_its_size(people, as_user, make_directive):
    """Like the arrêté's scan and the parapheur's attachment: the file's own name (escaped), its
    size, and the link through the view that checks who asks."""
    (transmission,) = directive_services.directive_transmit(
        directive=make_directive(), actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    chosen = SimpleUploadedFile("Rapport n° 3 & annexe d'Accra.pdf", PDF, "application/pdf")
    recipient = as_user(people.dir_afrique)
    posted = recipient.post(url("transmission_report", transmission.pk), {"text": "En cours.", "attachment": chosen})
    assert posted.status_code == 302
    report = transmission.reports.get()
    link = f'<a href="{url("report_attachment", report.pk)}">Rapport n° 3 &amp; annexe d&#x27;Accra.pdf</a>'
    size = f'<span class="muted">({len(PDF)}\xa0octets)</span>'
    follower = as_user(people.conseiller1)
    assert f"{link} {size}" in follower.get(url("directive_detail", transmission.directive_id)).content.decode()
    downloaded = follower.get(url("report_attachment", report.pk))
    assert downloaded.status_code == 200
    # Downloaded under the name it was given, not a made-up one.
    assert downloaded["Content-Disposition"] == f"inline; filename*=utf-8''{quote(chosen.name)}"
    without = directive_services.transmission_report(
        transmission=transmission, user=people.dir_afrique, text="Fait.", executed=True
    )
    page = follower.get(url("directive_detail", transmission.directive_id)).content.decode()
    assert url("report_attachment", without.pk) not in page  # nothing to name


def test_execution_board_for_directeur_and_minister_only(people, as_user, make_directive):
    directive = make_directive(deadline=timezone.localdate())
    directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    response = as_user(people.ministre).get(url("execution_board"))
    assert response.status_code == 200
    assert response.context["counts"]["transmise"] == 1
    assert as_user(people.directeur).get(url("execution_board")).status_code == 200
    assert as_user(people.conseiller1).get(url("execution_board")).status_code == 403
    assert as_user(people.ministre).post(url("execution_board")).status_code == 405


# --- Shared pages ----------------------------------------------------------------------------


def test_dashboard_panels_and_navigation(people, as_user, make_delegation, make_item, make_directive):
    make_delegation(valid_until=timezone.localdate() + datetime.timedelta(days=10))
    make_item()
    directive = make_directive()
    directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    home = as_user(people.directeur).get("/")
    content = home.content.decode()
    assert "Réponse à l&#x27;Ambassade du Ghana" in content
    assert "Délégations qui prennent fin" in content
    assert "Parapheur" in content
    assert "À accuser réception" in as_user(people.dir_afrique).get("/").content.decode()


def test_book_badge_counts_items_to_sign_and_current_visa_steps(people, make_delegation, make_item):
    from delegations import selectors

    make_delegation()
    make_item(title="À signer")  # no visa: straight to the signatories
    make_item(title="Visa du directeur", visa_users=[people.directeur])
    make_item(title="Visa du conseiller d'abord", visa_users=[people.conseiller2, people.directeur])
    # (person, expected count, queries: two, a third only with a visa step pending)
    for user, expected, statements in ((people.directeur, 2, 3), (people.conseiller2, 1, 3), (people.outsider, 0, 2)):
        with CaptureQueriesContext(connection) as queries:
            count = selectors.book_count(user)
        assert count == expected
        assert count == selectors.items_to_sign(user).count() + selectors.items_to_visa(user).count()
        assert len(queries.captured_queries) == statements


def test_dashboard_shows_late_directives_to_the_board_viewers(people, as_user, make_directive):
    directive = make_directive(deadline=timezone.localdate() - datetime.timedelta(days=1))
    directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    assert "1 transmission en retard" in as_user(people.ministre).get("/").content.decode()
    assert "transmission en retard" not in as_user(people.conseiller2).get("/").content.decode()


# --- Lists by pages --------------------------------------------------------------------------

PER_PAGE = 50


def _same_queries(client, path, params, expected, django_assert_num_queries):
    client.get(path, params)  # warm-up: the session
    freshness.bump()
    with django_assert_num_queries(expected):
        assert client.get(path, params).status_code == 200


def test_delegation_list_page_two_shows_the_next_arretes(people, as_user, make_delegation):
    made = [make_delegation(number=f"2025-{i:03d}/MAE/CAB") for i in range(PER_PAGE + 5)]
    client = as_user(people.attache)
    first = client.get(url("delegation_list"))
    page = first.context["delegations"]
    # Same signature date: the latest recorded first.
    assert [d.pk for d in page] == [d.pk for d in reversed(made)][:PER_PAGE]
    assert page.count == PER_PAGE + 5 and page.has_next
    assert 'href="?page=2">Suivante</a>' in first.content.decode()
    second = client.get(url("delegation_list"), {"page": "2"}).context["delegations"]
    assert [d.number for d in second] == [f"2025-{i:03d}/MAE/CAB" for i in range(4, -1, -1)]
    for asked, shown in (("deux", 1), ("0", 1), ("-1", 1), ("3", 2), ("1000000", 2)):
        response = client.get(url("delegation_list"), {"page": asked})
        assert response.status_code == 200 and response.context["delegations"].number == shown


def test_delegation_list_never_shows_nor_counts_an_arrete_of_someone_else(people, as_user, make_delegation):
    own = {make_delegation(delegate=people.dir_afrique).pk for _ in range(3)}
    for _ in range(PER_PAGE + 1):
        make_delegation()  # to the directeur de cabinet
    page = as_user(people.dir_afrique).get(url("delegation_list"), {"page": "2"}).context["delegations"]
    assert {d.pk for d in page} == own and page.number == 1 and page.count == 3 and not page.has_other_pages


def test_delegation_list_runs_the_same_queries_for_3_and_60_arretes(
    people, as_user, make_delegation, django_assert_num_queries
):
    for _ in range(3):
        make_delegation()
    client = as_user(people.attache)
    few = _count_queries(client, url("delegation_list"))
    for _ in range(57):
        make_delegation(codes=("notes-verbales", "correspondance-courante"))
    _same_queries(client, url("delegation_list"), {"page": "2"}, few, django_assert_num_queries)


def test_register_pages_the_arretes_in_force_and_keeps_the_search(people, as_user, cats, make_delegation):
    for _ in range(PER_PAGE + 2):
        make_delegation()
    make_delegation(publish=False)  # a projet is in force nowhere
    client = as_user(people.conseiller1)
    search = {"category": str(cats["notes-verbales"].pk), "day": timezone.localdate().isoformat()}
    first = client.get(url("register"), search)
    assert first.context["in_force"].count == PER_PAGE + 2
    assert first.context["category"] == cats["notes-verbales"]
    next_link = re.search(r'href="\?([^"]*)">Suivante</a>', first.content.decode())[1].replace("&amp;", "&")
    assert QueryDict(next_link) == QueryDict(urlencode({**search, "page": 2}))
    second = client.get(url("register"), {**search, "page": "2"})
    assert len(second.context["in_force"]) == 2 and second.context["category"] == cats["notes-verbales"]
    # The page number alone is not a search: the form stays as it opens, without errors.
    alone = client.get(url("register"), {"page": "2"})
    assert not alone.context["form"].is_bound and len(alone.context["in_force"]) == 2
    assert client.get(url("register"), {"page": "x"}).context["in_force"].number == 1
    # The printed register lists every arrêté in force, whatever page is shown.
    pdf = client.get(url("register_pdf"), {**search, "page": "2"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_register_runs_the_same_queries_for_3_and_60_arretes(
    people, as_user, cats, make_delegation, django_assert_num_queries
):
    # Searched for the category they all cover: the list of signers above the arrêtés checks
    # each of them against the law, on mandates read once for all.
    search = {"category": str(cats["correspondance-courante"].pk), "day": timezone.localdate().isoformat()}
    delegates = [people.directeur, people.dir_afrique, people.chef_sp]
    for delegate in delegates:
        make_delegation(delegate=delegate)
    client = as_user(people.conseiller1)
    client.get(url("register"), search)
    few = _count_queries(client, url("register") + "?" + urlencode(search))
    for n in range(57):
        make_delegation(delegate=delegates[n % 3], codes=("notes-verbales", "correspondance-courante"))
    _same_queries(client, url("register"), {**search, "page": "2"}, few, django_assert_num_queries)
    assert len(client.get(url("register"), search).context["signers"]) == 1 + 60


def test_book_pages_each_list_on_its_own(people, as_user, make_item):
    items = [make_item(title=f"Lettre {i:02d}") for i in range(PER_PAGE + 4)]
    client = as_user(people.ministre)
    first = client.get(url("book"))
    to_sign = first.context["to_sign"]
    # Oldest submitted first: the order in which they wait.
    assert [i.pk for i in to_sign] == [i.pk for i in items][:PER_PAGE] and to_sign.count == PER_PAGE + 4
    html = first.content.decode()
    assert f'<span class="badge">{PER_PAGE + 4}</span>' in html
    assert 'href="?a_signer=2#a-signer">Suivante</a>' in html
    second = client.get(url("book"), {"a_signer": "2"}).context["to_sign"]
    assert [i.title for i in second] == [f"Lettre {i:02d}" for i in range(PER_PAGE, PER_PAGE + 4)]
    assert client.get(url("book"), {"a_signer": "-4"}).context["to_sign"].number == 1
    assert client.get(url("book"), {"a_signer": "9"}).context["to_sign"].number == 2
    # The drafter's own pieces: all of them by pages (they were cut at 50 without a word).
    drafted = as_user(people.conseiller1).get(url("book"), {"mes_pieces": "2"}).context["drafted"]
    assert drafted.number == 2 and len(drafted) == 4 and drafted.count == PER_PAGE + 4


def test_book_never_shows_nor_counts_an_item_outside_the_directeur_s_scope(people, as_user, make_delegation, make_item):
    make_delegation(codes=("correspondance-courante",))
    in_scope = {make_item(title=f"Dans le champ {i}").pk for i in range(3)}
    for i in range(PER_PAGE + 1):
        make_item(code="notes-verbales", title=f"Hors champ {i}")
    response = as_user(people.directeur).get(url("book"), {"a_signer": "2"})
    to_sign = response.context["to_sign"]
    assert {i.pk for i in to_sign} == in_scope and to_sign.number == 1 and to_sign.count == 3
    assert "Hors champ" not in response.content.decode()


def test_book_runs_the_same_queries_for_3_and_60_items(people, as_user, make_item, django_assert_num_queries):
    for i in range(3):
        make_item(title=f"Lettre {i}")
    client = as_user(people.ministre)
    few = _count_queries(client, url("book"))
    for i in range(57):
        make_item(title=f"Lettre {i + 3}")
    _same_queries(client, url("book"), {"a_signer": "2"}, few, django_assert_num_queries)


def test_a_scan_missing_from_storage_says_so_instead_of_failing(people, as_user, make_delegation, caplog):
    """A restore of the database without its files, a disk fault: the person who may see the
    scan is told it is gone (404, in French), the operators find it in the log."""
    delegation = make_delegation()
    delegation.scan.save("arrete.pdf", SimpleUploadedFile("arrete.pdf", PDF), save=True)
    delegation.scan.storage.delete(delegation.scan.name)
    response = as_user(people.attache).get(url("delegation_scan", delegation.pk))
    assert response.status_code == 404
    assert "Fichier introuvable" in response.content.decode()
    assert any("Fichier absent du stockage" in record.getMessage() for record in caplog.records)
    # Someone who may not see it gets the ordinary 404, which says nothing of the file.
    hidden = as_user(people.outsider).get(url("delegation_scan", delegation.pk))
    assert hidden.status_code == 404 and "Fichier introuvable" not in hidden.content.decode()
