"""« Fichier déjà reçu » in the delegations forms (delegations.views.held_file): a scan or an
attachment chosen in a form that comes back with an error is kept, shown, and saved by the
next valid submission with the same bytes; it can be dropped; it belongs to its uploader
only; a refused file is not kept; an abandoned one is purged."""

import datetime
import os
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delegations import tasks
from delegations.files import HELD_FILES
from delegations.models import Delegation, DelegationEvent, SignatureItem, Transmission

from .test_views_edit import form_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
OTHER_PDF = b"%PDF-1.4\n%\xe2\xe3\n2 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 executable"
FORMAT_REFUSED = "Format refusé : seuls les fichiers PDF, PNG et JPEG sont acceptés."


def url(name, *args):
    return reverse(f"delegations:{name}", args=args)


def pdf(name="arrete-2026-044.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def creation_data(people, cats, **overrides) -> dict:
    data = {
        "number": "2026-044/MAE/CAB",
        "signed_on": "2025-09-10",
        "delegator": people.ministre.pk,
        "delegate": people.directeur.pk,
        "categories": [cats["correspondance-courante"].pk],
        "valid_from": "2025-09-10",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def held_paths() -> list[str]:
    if not default_storage.exists(HELD_FILES.folder):
        return []
    return [f"{HELD_FILES.folder}/{name}" for name in default_storage.listdir(HELD_FILES.folder)[1]]


def first_post_with_an_error(client, people, cats, **overrides):
    """The creation form posted with a scan and a missing date: it comes back."""
    response = client.post(
        url("delegation_create"), creation_data(people, cats, valid_from="", scan=pdf(), **overrides)
    )
    assert response.status_code == 200 and "valid_from" in response.context["form"].errors
    return response


# --- Recording an arrêté ---------------------------------------------------------------------


def test_a_scan_chosen_before_a_form_error_is_kept_and_saved_by_the_next_submission(people, as_user, cats):
    client = as_user(people.attache)
    first = first_post_with_an_error(client, people, cats)
    held = first.context["held"]
    assert [(f["name"], f["size"]) for f in held] == [("arrete-2026-044.pdf", len(PDF))]
    page = first.content.decode()
    assert re.search(r"Fichier déjà reçu : arrete-2026-044\.pdf \(\d+\W+octets\)", page)
    assert 'name="keep_held" value="0" checked' in page and f'value="{first.context["held_token"]}"' in page
    assert default_storage.open(held[0]["path"]).read() == PDF
    assert not Delegation.objects.exists()

    fixed = creation_data(people, cats, held_files=first.context["held_token"], keep_held=["0"])
    response = client.post(url("delegation_create"), fixed)
    delegation = Delegation.objects.get()
    assert response.status_code == 302 and response["Location"] == url("delegation_detail", delegation.pk)
    with delegation.scan.open("rb") as stored:
        assert stored.read() == PDF
    assert delegation.scan.name.endswith(".pdf")
    assert (delegation.scan_name, delegation.scan_size) == ("arrete-2026-044.pdf", len(PDF))  # shown on its page
    assert held_paths() == []  # released once saved with the arrêté
    detail = client.get(response["Location"]).content.decode()
    assert url("delegation_scan", delegation.pk) in detail
    scan = client.get(url("delegation_scan", delegation.pk))
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == PDF


def test_a_scan_is_kept_when_a_rule_of_the_service_refuses_the_arrete(people, as_user, cats):
    """The form is valid but a non-delegable category is refused by the service."""
    client = as_user(people.attache)
    first = client.post(
        url("delegation_create"),
        creation_data(people, cats, categories=[cats["decrets"].pk], scan=pdf()),
    )
    assert "Catégorie non délégable, seul le ministre la signe : Décrets." in first.context["form"].errors["categories"]
    assert [f["name"] for f in first.context["held"]] == ["arrete-2026-044.pdf"]
    fixed = creation_data(people, cats, held_files=first.context["held_token"], keep_held=["0"])
    assert client.post(url("delegation_create"), fixed).status_code == 302
    with Delegation.objects.get().scan.open("rb") as stored:
        assert stored.read() == PDF


def test_an_unticked_held_scan_is_dropped(people, as_user, cats):
    client = as_user(people.attache)
    first = first_post_with_an_error(client, people, cats)
    path = first.context["held"][0]["path"]
    response = client.post(
        url("delegation_create"), creation_data(people, cats, held_files=first.context["held_token"])
    )
    assert response.status_code == 302
    assert not Delegation.objects.get().scan
    assert not default_storage.exists(path)


def test_an_unticked_held_scan_is_dropped_even_if_the_form_comes_back_again(people, as_user, cats):
    client = as_user(people.attache)
    first = first_post_with_an_error(client, people, cats)
    again = client.post(
        url("delegation_create"), creation_data(people, cats, valid_from="", held_files=first.context["held_token"])
    )
    assert again.status_code == 200 and again.context["held"] == [] and again.context["held_token"] == ""
    assert "Fichier déjà reçu" not in again.content.decode()
    assert held_paths() == []


def test_a_held_scan_survives_a_second_error_until_the_arrete_is_saved(people, as_user, cats):
    client = as_user(people.attache)
    token = first_post_with_an_error(client, people, cats).context["held_token"]
    again = client.post(
        url("delegation_create"), creation_data(people, cats, signed_on="", held_files=token, keep_held=["0"])
    )
    assert [f["name"] for f in again.context["held"]] == ["arrete-2026-044.pdf"]
    fixed = creation_data(people, cats, held_files=again.context["held_token"], keep_held=["0"])
    assert client.post(url("delegation_create"), fixed).status_code == 302
    with Delegation.objects.get().scan.open("rb") as stored:
        assert stored.read() == PDF


def test_a_file_chosen_again_replaces_the_held_scan(people, as_user, cats):
    client = as_user(people.attache)
    first = first_post_with_an_error(client, people, cats)
    old_path = first.context["held"][0]["path"]
    data = creation_data(
        people,
        cats,
        held_files=first.context["held_token"],
        keep_held=["0"],
        scan=pdf("arrete-corrige.pdf", OTHER_PDF),
    )
    assert client.post(url("delegation_create"), data).status_code == 302
    with Delegation.objects.get().scan.open("rb") as stored:
        assert stored.read() == OTHER_PDF
    assert not default_storage.exists(old_path) and held_paths() == []


def test_a_held_scan_of_someone_else_gives_nothing(people, as_user, cats):
    token = first_post_with_an_error(as_user(people.attache), people, cats).context["held_token"]
    [path] = held_paths()
    other = as_user(people.directeur)  # may record arrêtés too
    response = other.post(url("delegation_create"), creation_data(people, cats, held_files=token, keep_held=["0"]))
    assert response.status_code == 302
    assert not Delegation.objects.get().scan
    assert default_storage.exists(path)  # nor can the other person drop it


def test_a_forged_or_tampered_token_gives_nothing(people, as_user, cats):
    client = as_user(people.attache)
    token = first_post_with_an_error(client, people, cats).context["held_token"]
    forged = creation_data(people, cats, held_files=token + "x", keep_held=["0"], valid_from="")
    response = client.post(url("delegation_create"), forged)
    assert response.context["held"] == []


def test_a_renamed_executable_is_refused_in_french_and_not_kept(people, as_user, cats):
    response = as_user(people.attache).post(
        url("delegation_create"), creation_data(people, cats, valid_from="", scan=pdf("arrete.pdf", EXE))
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["scan"] == [FORMAT_REFUSED] and "valid_from" in errors
    assert FORMAT_REFUSED.replace("'", "&#x27;") in response.content.decode()
    assert response.context["held"] == [] and held_paths() == []
    assert not Delegation.objects.exists()


def test_a_renamed_executable_is_refused_even_when_the_rest_is_valid(people, as_user, cats):
    response = as_user(people.attache).post(
        url("delegation_create"), creation_data(people, cats, scan=pdf("arrete.pdf", EXE))
    )
    assert response.status_code == 200 and response.context["form"].errors["scan"] == [FORMAT_REFUSED]
    assert not Delegation.objects.exists() and held_paths() == []


def test_an_oversize_scan_is_refused_and_not_kept(people, as_user, cats, settings):
    settings.CABINET_UPLOAD_MAX_BYTES = 10
    response = first_post_with_an_error(as_user(people.attache), people, cats)
    assert response.context["form"].errors["scan"] == ["Fichier trop volumineux (0 Mo au plus)."]
    assert response.context["held"] == [] and held_paths() == []


def test_a_held_scan_is_checked_again_when_it_is_saved(people, as_user, cats, settings):
    client = as_user(people.attache)
    token = first_post_with_an_error(client, people, cats).context["held_token"]
    settings.CABINET_UPLOAD_MAX_BYTES = 10  # the limit was lowered meanwhile
    response = client.post(url("delegation_create"), creation_data(people, cats, held_files=token, keep_held=["0"]))
    assert response.status_code == 200 and "trop volumineux" in response.context["form"].errors["scan"][0]
    assert not Delegation.objects.exists()


def test_abandoned_held_scans_are_purged_by_the_nightly_task(people, as_user, cats):
    first_post_with_an_error(as_user(people.attache), people, cats)
    [path] = held_paths()
    assert tasks.purge_held_uploads() == 0  # less than a day old: the form may still be sent
    two_days_ago = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(path), (two_days_ago, two_days_ago))
    assert tasks.purge_held_uploads() == 1
    assert not default_storage.exists(path)


def test_the_form_page_shows_no_held_file_on_a_first_visit(people, as_user):
    page = as_user(people.attache).get(url("delegation_create"))
    assert page.context["held"] == [] and "Fichier déjà reçu" not in page.content.decode()


# --- Correcting a projet (« Modifier le projet ») ---------------------------------------------


def test_edit_keeps_a_new_scan_through_an_error_and_replaces_the_old_one_with_it(
    people, as_user, cats, make_delegation
):
    delegation = make_delegation(publish=False)
    delegation.scan.save("ancien.pdf", SimpleUploadedFile("ancien.pdf", OTHER_PDF), save=True)
    client = as_user(people.attache)
    first = client.post(
        url("delegation_edit", delegation.pk),
        form_data(delegation, categories=[cats["decrets"].pk], scan=pdf("arrete-signe.pdf")),
    )
    assert first.status_code == 200 and "categories" in first.context["form"].errors
    page = first.content.decode()
    assert "Fichier déjà reçu : arrete-signe.pdf" in page and "Arrêté scanné actuel" in page
    delegation.refresh_from_db()
    with delegation.scan.open("rb") as stored:
        assert stored.read() == OTHER_PDF  # nothing saved yet
    fixed = form_data(delegation, held_files=first.context["held_token"], keep_held=["0"])
    assert client.post(url("delegation_edit", delegation.pk), fixed).status_code == 302
    delegation.refresh_from_db()
    with delegation.scan.open("rb") as stored:
        assert stored.read() == PDF
    assert "Arrêté scanné : remplacé" in delegation.events.get(action=DelegationEvent.Action.UPDATED).note
    assert held_paths() == []


def test_edit_with_the_held_scan_dropped_keeps_the_current_one(people, as_user, cats, make_delegation):
    delegation = make_delegation(publish=False)
    delegation.scan.save("ancien.pdf", SimpleUploadedFile("ancien.pdf", OTHER_PDF), save=True)
    current = delegation.scan.name
    client = as_user(people.attache)
    first = client.post(url("delegation_edit", delegation.pk), form_data(delegation, valid_from="", scan=pdf()))
    fixed = form_data(delegation, number="2025-900/MAE/CAB", held_files=first.context["held_token"])
    assert client.post(url("delegation_edit", delegation.pk), fixed).status_code == 302
    delegation.refresh_from_db()
    assert delegation.number == "2025-900/MAE/CAB" and delegation.scan.name == current
    assert held_paths() == []


# --- The signature book and the execution reports ---------------------------------------------


def test_a_parapheur_attachment_is_kept_through_an_error(people, as_user, cats):
    client = as_user(people.conseiller1)
    data = {"title": "Réponse au Ghana", "category": cats["correspondance-courante"].pk, "body": ""}
    first = client.post(url("item_create"), {**data, "document": pdf("projet.pdf")})
    assert "body" in first.context["form"].errors
    assert "Fichier déjà reçu : projet.pdf" in first.content.decode()
    kept = {**data, "body": "Monsieur l'Ambassadeur,", "held_files": first.context["held_token"], "keep_held": "0"}
    assert client.post(url("item_create"), kept).status_code == 302
    item = SignatureItem.objects.get()
    with item.document.open("rb") as stored:
        assert stored.read() == PDF
    assert (item.document_name, item.document_size) == ("projet.pdf", len(PDF))  # shown on its page
    assert held_paths() == []


def test_a_corrected_parapheur_item_keeps_its_new_attachment_through_an_error(people, as_user, cats, make_item):
    item = make_item(visa_users=[people.directeur])
    as_user(people.directeur).post(url("item_visa", item.pk), {"decision": "reject", "comment": "Revoir le ton."})
    client = as_user(people.conseiller1)
    data = {"title": item.title, "category": cats["correspondance-courante"].pk, "body": ""}
    first = client.post(url("item_correct", item.pk), {**data, "document": pdf("projet-v2.pdf")})
    assert first.status_code == 200 and [f["name"] for f in first.context["held"]] == ["projet-v2.pdf"]
    kept = {**data, "body": "Texte revu.", "held_files": first.context["held_token"], "keep_held": "0"}
    assert client.post(url("item_correct", item.pk), kept).status_code == 302
    item.refresh_from_db()
    assert item.state == SignatureItem.State.EN_VISA
    with item.document.open("rb") as stored:
        assert stored.read() == PDF
    assert (item.document_name, item.document_size) == ("projet-v2.pdf", len(PDF))


def test_an_execution_report_keeps_its_attachment_through_an_error(people, as_user, make_directive):
    from delegations import directive_services

    directive = make_directive()
    directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique], note=""
    )
    transmission = Transmission.objects.get()
    directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    client = as_user(people.dir_afrique)
    first = client.post(url("transmission_report", transmission.pk), {"text": "", "attachment": pdf("cr.pdf")})
    assert "text" in first.context["form"].errors
    assert "Fichier déjà reçu : cr.pdf" in first.content.decode()
    kept = {"text": "Fait.", "held_files": first.context["held_token"], "keep_held": "0"}
    assert client.post(url("transmission_report", transmission.pk), kept).status_code == 302
    report = transmission.reports.get()
    with report.attachment.open("rb") as stored:
        assert stored.read() == PDF
    assert (report.attachment_name, report.attachment_size) == ("cr.pdf", len(PDF))  # shown on the directive's page


def test_a_held_file_of_one_form_is_not_attached_by_someone_else_s_report(people, as_user, cats, make_directive):
    from delegations import directive_services

    token = first_post_with_an_error(as_user(people.attache), people, cats).context["held_token"]
    directive = make_directive()
    directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique], note=""
    )
    transmission = Transmission.objects.get()
    directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    response = as_user(people.dir_afrique).post(
        url("transmission_report", transmission.pk), {"text": "Fait.", "held_files": token, "keep_held": "0"}
    )
    assert response.status_code == 302
    assert not transmission.reports.get().attachment
