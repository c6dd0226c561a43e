"""Each page of the register: success, forbidden (403), hidden (404), wrong method (405);
bad input with French errors and nothing typed lost; constant query counts on lists."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabinet import freshness
from correspondence import selectors, services
from correspondence.models import Attachment, Correspondent, Imputation, Instruction, Mail, MailEvent

from .conftest import EXE_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(register_incoming, people):
    mail = register_incoming(files=[pdf_upload()])
    imputation = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.ATTRIBUTION
    )
    return mail, imputation


def incoming_data(embassy, kind, **overrides):
    today = timezone.localdate()
    data = {
        "correspondent": embassy.pk,
        "sender_reference": "NV 42/2026",
        "letter_date": (today - datetime.timedelta(days=3)).isoformat(),
        "arrival_date": today.isoformat(),
        "kind": kind.pk,
        "subject": "Invitation au sommet de l'Union africaine",
        "pages": 2,
        "enclosures": 1,
        "priority": "normale",
        "confidentiality": "ordinaire",
        "keywords": "sommet, UA",
    }
    data.update(overrides)
    return data


# --- Registering ----------------------------------------------------------------------------
def test_secretariat_registers_an_incoming_letter_with_a_scan(people, login, embassy, note_verbale):
    client = login(people.secretariat)
    response = client.post(
        reverse("correspondence:register_incoming"), {**incoming_data(embassy, note_verbale), "files": [pdf_upload()]}
    )
    mail = Mail.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("correspondence:mail_detail", args=[mail.pk])
    assert mail.reference.startswith("A-") and mail.attachments.count() == 1
    assert mail.registered_by == people.secretariat


def test_only_registrars_register(people, login, embassy, note_verbale):
    for user in (people.conseiller1, people.directeur, people.outsider):
        client = login(user)
        assert client.get(reverse("correspondence:register_incoming")).status_code == 403
        assert (
            client.post(reverse("correspondence:register_incoming"), incoming_data(embassy, note_verbale)).status_code
            == 403
        )
    assert not Mail.objects.exists()


def test_register_pages_refuse_other_methods(people, login):
    client = login(people.secretariat)
    assert client.put(reverse("correspondence:register_incoming")).status_code == 405
    assert client.delete(reverse("correspondence:register_outgoing")).status_code == 405


def test_letter_date_after_arrival_gives_a_french_error_and_keeps_the_input(people, login, embassy, note_verbale):
    today = timezone.localdate()
    data = incoming_data(
        embassy,
        note_verbale,
        letter_date=today.isoformat(),
        arrival_date=(today - datetime.timedelta(days=1)).isoformat(),
    )
    response = login(people.secretariat).post(reverse("correspondence:register_incoming"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["letter_date"] == [
        "La date de la lettre ne peut pas être postérieure à sa date d'arrivée."
    ]
    html = response.content.decode()
    assert "Invitation au sommet de l&#x27;Union africaine" in html and "NV 42/2026" in html
    assert str(embassy) in html  # the chosen correspondent is still chosen
    assert not Mail.objects.exists()


def test_future_arrival_date_is_refused(people, login, embassy, note_verbale):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = incoming_data(embassy, note_verbale, arrival_date=tomorrow.isoformat())
    response = login(people.secretariat).post(reverse("correspondence:register_incoming"), data)
    assert response.context["form"].errors["arrival_date"] == ["La date d'arrivée ne peut pas être dans le futur."]
    assert not Mail.objects.exists()


def test_an_executable_renamed_pdf_is_refused_and_the_form_kept(people, login, embassy, note_verbale):
    fake = SimpleUploadedFile("scan.pdf", EXE_BYTES, content_type="application/pdf")
    response = login(people.secretariat).post(
        reverse("correspondence:register_incoming"), {**incoming_data(embassy, note_verbale), "files": [fake]}
    )
    assert response.status_code == 200
    assert "n'est pas un document accepté" in response.context["form"].errors["files"][0]
    assert "Invitation au sommet" in response.content.decode()
    assert not response.context["held"]  # a refused file is not kept for the next submission
    assert not Mail.objects.exists() and not Attachment.objects.exists()


def test_an_oversize_file_is_refused(people, login, embassy, note_verbale, settings):
    settings.CABINET_UPLOAD_MAX_BYTES = 100
    response = login(people.secretariat).post(
        reverse("correspondence:register_incoming"), {**incoming_data(embassy, note_verbale), "files": [pdf_upload()]}
    )
    assert "trop volumineux" in response.context["form"].errors["files"][0]
    assert not Mail.objects.exists()


def test_html_in_the_subject_is_stored_as_typed_and_shown_escaped(people, login, embassy, note_verbale):
    subject = "<script>alert('x')</script> Objet"
    client = login(people.secretariat)
    client.post(reverse("correspondence:register_incoming"), incoming_data(embassy, note_verbale, subject=subject))
    mail = Mail.objects.get()
    assert mail.subject == subject
    for url in (reverse("correspondence:mail_detail", args=[mail.pk]), reverse("correspondence:mail_list")):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Objet" in html


@pytest.mark.parametrize(
    "text", ['"note verbale', "100%", "a_b", "ÉTATS", "?!.;:", "'; DROP TABLE x; --", "   ", "é" * 300]
)
def test_search_with_odd_text_works(people, login, register_incoming, text):
    register_incoming(subject="Note des États de l'Afrique de l'Ouest")
    response = login(people.directeur).get(reverse("correspondence:mail_list"), {"q": text})
    assert response.status_code == 200


def test_search_ignores_case_and_accents(people, login, register_incoming):
    wanted = register_incoming(subject="Coopération économique régionale", keywords="CEDEAO")
    register_incoming(subject="Visite officielle")
    client = login(people.directeur)
    for text in ("cooperation", "ÉCONOMIQUE", "cedeao", "ambassade de france", wanted.reference):
        rows = client.get(reverse("correspondence:mail_list"), {"q": text}).context["page"].rows
        assert wanted in rows, text
    rows = client.get(reverse("correspondence:mail_list"), {"q": "cooperation"}).context["page"].rows
    assert [m.subject for m in rows] == ["Coopération économique régionale"]


def test_outgoing_reply_registers_and_marks_the_incoming_answered(people, login, routed, embassy, lettre):
    incoming, imputation = routed
    client = login(people.secretariat)
    form_page = client.get(reverse("correspondence:register_outgoing"), {"reponse_a": incoming.pk})
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["replies_to"] == [incoming.pk]
    response = client.post(
        reverse("correspondence:register_outgoing"),
        {
            "recipients": [embassy.pk],
            "letter_date": timezone.localdate().isoformat(),
            "kind": lettre.pk,
            "subject": "Réponse à la demande d'audience",
            "signatory": people.directeur.pk,
            "pages": 1,
            "enclosures": 0,
            "priority": "normale",
            "confidentiality": "ordinaire",
            "replies_to": [incoming.pk],
        },
    )
    assert response.status_code == 302
    reply = Mail.objects.get(register="depart")
    incoming.refresh_from_db()
    imputation.refresh_from_db()
    assert reply.administrative_reference == "N° 00001/MAE/CAB"
    assert incoming.state == Mail.State.REPONDU and imputation.state == Imputation.State.TERMINEE
    detail = client.get(reverse("correspondence:mail_detail", args=[incoming.pk])).content.decode()
    assert reply.reference in detail


def test_outgoing_needs_a_recipient(people, login, lettre):
    response = login(people.secretariat).post(
        reverse("correspondence:register_outgoing"),
        {
            "kind": lettre.pk,
            "subject": "Sans destinataire",
            "pages": 1,
            "enclosures": 0,
            "priority": "normale",
            "confidentiality": "ordinaire",
        },
    )
    assert response.status_code == 200 and "recipients" in response.context["form"].errors
    assert not Mail.objects.exists()


# --- Detail, routing and the assignee's work ------------------------------------------------
def test_detail_shows_timeline_imputations_and_preview(people, login, routed):
    mail, _imputation = routed
    response = login(people.conseiller1).get(reverse("correspondence:mail_detail", args=[mail.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enregistrement" in html and "Imputation" in html and "Pour attribution" in html
    assert reverse("correspondence:attachment_preview", args=[mail.attachments.get().pk]) in html


def test_detail_404_for_missing_and_405_for_post(people, login, register_incoming):
    mail = register_incoming()
    client = login(people.directeur)
    assert client.get(reverse("correspondence:mail_detail", args=[999999])).status_code == 404
    assert client.post(reverse("correspondence:mail_detail", args=[mail.pk])).status_code == 405


def test_directeur_routes_to_an_adviser(people, login, register_incoming):
    mail = register_incoming()
    response = login(people.directeur).post(
        reverse("correspondence:mail_route", args=[mail.pk]),
        {"assignee": people.conseiller1.pk, "instruction": "attribution", "comment": "Préparer une réponse"},
    )
    assert response.status_code == 302
    imputation = mail.imputations.get()
    assert imputation.assignee == people.conseiller1 and imputation.deadline >= timezone.localdate()


def test_routing_needs_exactly_one_assignee(people, login, register_incoming):
    mail = register_incoming()
    client = login(people.directeur)
    response = client.post(reverse("correspondence:mail_route", args=[mail.pk]), {"instruction": "avis"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post(
        reverse("correspondence:mail_route", args=[mail.pk]),
        {"instruction": "avis", "assignee": people.conseiller1.pk, "assignee_unit": people.units["daai"].pk},
    )
    assert response.status_code == 200
    assert not mail.imputations.exists()


def test_forged_routing_is_refused_and_records_nothing(people, login, register_incoming, secret):
    mail = register_incoming()
    data = {"assignee": people.conseiller2.pk, "instruction": "attribution"}
    assert login(people.conseiller1).post(reverse("correspondence:mail_route", args=[mail.pk]), data).status_code == 403
    assert login(people.attache).post(reverse("correspondence:mail_route", args=[secret.pk]), data).status_code == 404
    assert login(people.directeur).delete(reverse("correspondence:mail_route", args=[mail.pk])).status_code == 405
    assert not Imputation.objects.exists()
    assert not MailEvent.objects.filter(action=MailEvent.Action.ROUTED).exists()


def test_assignee_acknowledges_annotates_and_completes(people, login, routed):
    mail, imputation = routed
    client = login(people.conseiller1)
    assert client.post(reverse("correspondence:imputation_acknowledge", args=[imputation.pk])).status_code == 302
    draft = SimpleUploadedFile("projet.pdf", pdf_upload().read(), content_type="application/pdf")
    response = client.post(
        reverse("correspondence:imputation_annotate", args=[imputation.pk]),
        {"note": "Reçu, j'examine.", "opinion": "Avis favorable sous réserve.", "draft_reply": draft},
    )
    assert response.status_code == 302
    imputation.refresh_from_db()
    assert imputation.opinion == "Avis favorable sous réserve."
    assert imputation.attachments.get().kind == Attachment.Kind.DRAFT_REPLY
    assert client.post(reverse("correspondence:imputation_complete", args=[imputation.pk])).status_code == 302
    imputation.refresh_from_db()
    assert imputation.state == Imputation.State.TERMINEE
    assert client.get(reverse("correspondence:imputation_complete", args=[imputation.pk])).status_code == 405


def test_empty_annotation_is_refused(people, login, routed):
    _mail, imputation = routed
    response = login(people.conseiller1).post(reverse("correspondence:imputation_annotate", args=[imputation.pk]), {})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not imputation.notes.exists()


def test_others_cannot_act_on_an_imputation(people, login, routed):
    _mail, imputation = routed
    for name in ("imputation_acknowledge", "imputation_complete"):
        assert (
            login(people.conseiller2).post(reverse(f"correspondence:{name}", args=[imputation.pk])).status_code == 403
        )
        assert login(people.protocole).post(reverse(f"correspondence:{name}", args=[imputation.pk])).status_code == 404
        assert login(people.conseiller1).post(reverse(f"correspondence:{name}", args=[999999])).status_code == 404
    imputation.refresh_from_db()
    assert imputation.state == Imputation.State.EN_ATTENTE


def test_reassign(people, login, routed):
    _mail, imputation = routed
    url = reverse("correspondence:imputation_reassign", args=[imputation.pk])
    assert login(people.conseiller1).get(url).status_code == 403
    response = login(people.attache).post(url, {"assignee": people.conseiller2.pk, "instruction": "avis"})
    assert response.status_code == 302
    imputation.refresh_from_db()
    assert imputation.state == Imputation.State.REAFFECTEE
    assert imputation.reassigned_to.assignee == people.conseiller2


def test_my_work_lists_my_imputations_only(people, login, routed, register_incoming):
    mail, _imputation = routed
    response = login(people.conseiller1).get(reverse("correspondence:my_work"))
    assert [i.mail for i in response.context["mine"]] == [mail]
    assert login(people.conseiller2).get(reverse("correspondence:my_work")).context["mine"] == []
    assert login(people.conseiller2).post(reverse("correspondence:my_work")).status_code == 405


def test_late_and_due_soon(people, login, register_incoming):
    mail = register_incoming()
    imputation = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
    )
    Imputation.objects.filter(pk=imputation.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert [i.pk for i in login(people.conseiller1).get(reverse("correspondence:my_work")).context["late"]] == [
        imputation.pk
    ]
    # The directeur follows every late imputation; the other adviser sees none.
    assert [i.pk for i in login(people.directeur).get(reverse("correspondence:my_work")).context["late"]] == [
        imputation.pk
    ]
    assert login(people.conseiller2).get(reverse("correspondence:my_work")).context["late"] == []


def test_my_work_shows_the_first_rows_of_each_list_and_a_link_to_see_them_all(
    people, login, register_incoming, monkeypatch
):
    from correspondence.views import register as register_views

    monkeypatch.setattr(register_views, "MY_WORK_ROWS", 2)
    imputations = [
        services.imputation_create(
            mail=register_incoming(), created_by=people.directeur, assignee=people.conseiller1, instruction="avis"
        )
        for _i in range(3)
    ]
    client = login(people.conseiller1)
    response = client.get(reverse("correspondence:my_work"))
    assert [i.pk for i in response.context["mine"]] == [i.pk for i in imputations[:2]]
    assert response.context["mine_more"] is True
    assert 'href="?tout=1#mes-imputations"' in response.content.decode()
    everything = client.get(reverse("correspondence:my_work") + "?tout=1")
    assert [i.pk for i in everything.context["mine"]] == [i.pk for i in imputations]
    assert 'href="?tout=1#mes-imputations"' not in everything.content.decode()


# --- Cancel, update, file, attachments ------------------------------------------------------
def test_cancel(people, login, register_incoming):
    mail = register_incoming()
    url = reverse("correspondence:mail_cancel", args=[mail.pk])
    assert login(people.conseiller1).post(url, {"reason": "x"}).status_code == 403
    response = login(people.secretariat).post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert login(people.secretariat).post(url, {"reason": "Enregistré deux fois"}).status_code == 302
    mail.refresh_from_db()
    assert mail.is_cancelled
    html = login(people.secretariat).get(reverse("correspondence:mail_detail", args=[mail.pk])).content.decode()
    assert "Entrée annulée" in html and "Enregistré deux fois" in html
    assert login(people.secretariat).get(reverse("correspondence:mail_cancel", args=[999999])).status_code == 404


def test_update(people, login, register_incoming):
    mail = register_incoming()
    url = reverse("correspondence:mail_update", args=[mail.pk])
    assert login(people.conseiller1).get(url).status_code == 403
    data = {"pages": 3, "enclosures": 2, "priority": "urgente", "confidentiality": "ordinaire", "keywords": "audience"}
    assert login(people.secretariat).post(url, data).status_code == 302
    mail.refresh_from_db()
    assert (mail.pages, mail.priority) == (3, "urgente")
    assert mail.events.filter(action=MailEvent.Action.UPDATED).exists()


def test_file_and_archive(people, login, register_incoming):
    mail = register_incoming()
    url = reverse("correspondence:mail_file", args=[mail.pk])
    assert login(people.secretariat).post(url).status_code == 403
    assert login(people.directeur).get(url).status_code == 405
    assert login(people.directeur).post(url).status_code == 302
    mail.refresh_from_db()
    assert mail.state == Mail.State.CLASSE
    login(people.directeur).post(url, {"archive": "1"})
    mail.refresh_from_db()
    assert mail.state == Mail.State.ARCHIVE


def test_attachment_upload_preview_and_download(people, login, register_incoming):
    mail = register_incoming()
    url = reverse("correspondence:attachment_upload", args=[mail.pk])
    assert login(people.conseiller1).post(url, {"files": [pdf_upload()]}).status_code == 403
    assert login(people.secretariat).post(url, {"files": [pdf_upload("lettre.pdf")]}).status_code == 302
    attachment = mail.attachments.get()
    preview = login(people.conseiller1).get(reverse("correspondence:attachment_preview", args=[attachment.pk]))
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    download = login(people.conseiller1).get(reverse("correspondence:attachment_download", args=[attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        login(people.conseiller1).get(reverse("correspondence:attachment_download", args=[999999])).status_code == 404
    )
    assert (
        login(people.conseiller1).post(reverse("correspondence:attachment_download", args=[attachment.pk])).status_code
        == 405
    )


def test_forged_upload_of_an_executable_records_nothing(people, login, register_incoming):
    mail = register_incoming()
    fake = SimpleUploadedFile("rapport.docx", EXE_BYTES)
    login(people.secretariat).post(reverse("correspondence:attachment_upload", args=[mail.pk]), {"files": [fake]})
    assert not mail.attachments.exists()


# --- Exports --------------------------------------------------------------------------------
def test_csv_export_follows_the_filters(people, login, register_incoming):
    urgent = register_incoming(subject='=HYPERLINK("http://x")', priority="urgente")
    register_incoming(subject="Normale")
    response = login(people.secretariat).get(reverse("correspondence:export_csv"), {"priority": "urgente"})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert urgent.reference in body and "Normale" not in body
    assert "'=HYPERLINK" in body  # no formula injection into spreadsheets


def test_xlsx_export(people, login, register_incoming):
    from io import BytesIO

    from openpyxl import load_workbook

    mail = register_incoming()
    response = login(people.directeur).get(reverse("correspondence:export_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "Numéro" and rows[1][0] == mail.reference
    assert login(people.conseiller1).get(reverse("correspondence:export_xlsx")).status_code == 403
    assert login(people.directeur).post(reverse("correspondence:export_xlsx")).status_code == 405


@pytest.mark.parametrize("export", ["correspondence:export_csv", "correspondence:export_xlsx"])
def test_an_export_is_written_to_the_consultation_log_for_each_restricted_letter(
    people, login, register_incoming, export
):
    from correspondence.models import MailConsultation

    ordinary = register_incoming(subject="Ordinaire")
    confidential = register_incoming(subject="Confidentiel", confidentiality=Mail.Confidentiality.CONFIDENTIEL)
    secret = register_incoming(subject="Secret", confidentiality=Mail.Confidentiality.SECRET)
    register_incoming(subject="Hors filtre", confidentiality=Mail.Confidentiality.SECRET, priority="urgente")
    client = login(people.directeur)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(export), {"priority": "normale"})
        b"".join(response.streaming_content)
    logged = MailConsultation.objects.filter(what=MailConsultation.What.EXPORT)
    assert sorted(logged.values_list("mail_id", flat=True)) == sorted([confidential.pk, secret.pk])
    assert set(logged.values_list("user_id", flat=True)) == {people.directeur.pk}
    assert not MailConsultation.objects.filter(mail=ordinary).exists()
    assert (
        sum(
            'INSERT INTO "correspondence_mailconsultation"' in q["sql"]
            or "INSERT INTO correspondence_mailconsultation" in q["sql"]
            for q in ctx.captured_queries
        )
        == 1
    )
    # The router reads it on the letter's page.
    page = client.get(reverse("correspondence:mail_detail", args=[secret.pk])).content.decode()
    assert "Export du registre" in page
    # Refused exports log nothing.
    assert login(people.conseiller1).get(reverse(export)).status_code == 403
    assert logged.count() == 2


# --- Query counts ---------------------------------------------------------------------------
def _queries(client, url, params=None) -> int:
    freshness.bump()  # the navigation's counts computed, not read from the cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user_key", ["directeur", "secretariat", "conseiller1"])
def test_register_list_queries_do_not_grow_with_data(people, login, register_incoming, user_key):
    def add(n):
        for i in range(n):
            mail = register_incoming(subject=f"Lettre {i}")
            services.imputation_create(
                mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
            )

    client = login(getattr(people, user_key))
    url = reverse("correspondence:mail_list")
    add(2)
    few = _queries(client, url, {"q": "lettre", "state": "impute"})
    add(8)
    assert _queries(client, url, {"q": "lettre", "state": "impute"}) == few
    work = _queries(client, reverse("correspondence:my_work"))
    add(5)
    assert _queries(client, reverse("correspondence:my_work")) == work


def test_correspondent_directory_queries_do_not_grow(people, login):
    client = login(people.secretariat)
    url = reverse("correspondence:correspondent_list")
    Correspondent.objects.create(name="A")
    few = _queries(client, url)
    Correspondent.objects.bulk_create([Correspondent(name=f"C{i}") for i in range(20)])
    assert _queries(client, url) == few


def test_correspondent_directory_page_past_the_end_opens_the_last_page_with_the_search_kept(people, login):
    from correspondence.models import normalise

    names = [f"Ambassade {i:03d}" for i in range(60)]
    Correspondent.objects.bulk_create([Correspondent(name=n, search_name=normalise(n)) for n in names])
    client = login(people.secretariat)
    url = reverse("correspondence:correspondent_list")
    last = client.get(url, {"q": "ambassade", "page": "9"})
    page = last.context["page"]
    assert page.number == 2 and [c.name for c in page.rows][-1] == "Ambassade 059"
    assert 'href="?q=ambassade&amp;page=1"' in last.content.decode()
    assert client.get(url, {"page": "deux"}).context["page"].number == 1


# --- Correspondents -------------------------------------------------------------------------
def test_lookup_matches_without_accents(people, login, ecowas):
    response = login(people.secretariat).get(reverse("correspondence:correspondent_lookup"), {"q": "etats ouest"})
    assert [r["id"] for r in response.json()["results"]] == [ecowas.pk]
    assert (
        login(people.secretariat).get(reverse("correspondence:correspondent_lookup"), {"q": "%_"}).json()["results"]
        == []
    )


def test_quick_create(people, login):
    url = reverse("correspondence:correspondent_quick_create")
    response = login(people.secretariat).post(url, {"name": "Ambassade du Ghana", "kind": "ambassade"})
    assert response.status_code == 201 and response.json()["label"] == "Ambassade du Ghana"
    assert login(people.secretariat).post(url, {"name": "", "kind": "ambassade"}).status_code == 400
    assert login(people.conseiller1).post(url, {"name": "X", "kind": "autre"}).status_code == 403
    assert login(people.secretariat).get(url).status_code == 405
    assert Correspondent.objects.count() == 1


def test_merge_duplicates(people, login, embassy, register_incoming):
    duplicate = services.correspondent_create(name="Ambassade de France")
    register_incoming(correspondent=duplicate)
    url = reverse("correspondence:correspondent_merge", args=[duplicate.pk])
    assert login(people.conseiller1).post(url, {"into": embassy.pk}).status_code == 403
    assert login(people.secretariat).post(url, {"into": embassy.pk}).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == embassy
    # A merged duplicate cannot be merged again nor picked any more.
    assert login(people.secretariat).get(url).status_code == 404
    lookup = login(people.secretariat).get(reverse("correspondence:correspondent_lookup"), {"q": "ambassade"}).json()
    assert [r["id"] for r in lookup["results"]] == [embassy.pk]


def test_correspondent_create_and_update(people, login, embassy):
    assert login(people.conseiller1).get(reverse("correspondence:correspondent_create")).status_code == 403
    response = login(people.secretariat).post(
        reverse("correspondence:correspondent_create"), {"name": "PNUD", "kind": "organisation_internationale"}
    )
    assert response.status_code == 302
    url = reverse("correspondence:correspondent_update", args=[embassy.pk])
    assert (
        login(people.secretariat)
        .post(url, {"name": "Ambassade de France", "kind": "ambassade", "acronym": "AMBAFRANCE"})
        .status_code
        == 302
    )
    embassy.refresh_from_db()
    assert embassy.search_name == "ambassade de france ambafrance"
    assert (
        login(people.secretariat).get(reverse("correspondence:correspondent_update", args=[999999])).status_code == 404
    )


# --- Files kept between two submissions -----------------------------------------------------
def _bad_date_post(client, embassy, kind, **extra):
    today = timezone.localdate()
    data = incoming_data(
        embassy, kind, letter_date=today.isoformat(), arrival_date=(today - datetime.timedelta(days=1)).isoformat()
    )
    data.update(extra)
    return client.post(reverse("correspondence:register_incoming"), data)


def test_accepted_files_are_kept_when_the_form_comes_back(people, login, embassy, note_verbale):
    from django.core.files.storage import default_storage

    client = login(people.secretariat)
    first = _bad_date_post(client, embassy, note_verbale, files=[pdf_upload("scan-nv.pdf")])
    held = first.context["held"]
    assert [f["name"] for f in held] == ["scan-nv.pdf"]
    assert "scan-nv.pdf" in first.content.decode()
    token = first.context["held_token"]
    fixed = incoming_data(embassy, note_verbale, held_files=token, keep_held=["0"])
    assert client.post(reverse("correspondence:register_incoming"), fixed).status_code == 302
    mail = Mail.objects.get()
    assert [a.original_name for a in mail.attachments.all()] == ["scan-nv.pdf"]
    assert not default_storage.exists(held[0]["path"])  # released once registered


def test_an_unticked_held_file_is_not_attached(people, login, embassy, note_verbale):
    client = login(people.secretariat)
    token = _bad_date_post(client, embassy, note_verbale, files=[pdf_upload()]).context["held_token"]
    client.post(reverse("correspondence:register_incoming"), incoming_data(embassy, note_verbale, held_files=token))
    assert Mail.objects.get().attachments.count() == 0


def test_held_files_of_someone_else_are_ignored(people, login, embassy, note_verbale):
    token = _bad_date_post(login(people.secretariat), embassy, note_verbale, files=[pdf_upload()]).context["held_token"]
    other = login(people.chef_sp)
    other.post(
        reverse("correspondence:register_incoming"),
        incoming_data(embassy, note_verbale, held_files=token, keep_held=["0"]),
    )
    assert Mail.objects.get().attachments.count() == 0
    forged = incoming_data(embassy, note_verbale, held_files=token + "x", keep_held=["0"])
    login(people.secretariat).post(reverse("correspondence:register_incoming"), forged)
    assert not Attachment.objects.exists()


def test_abandoned_held_files_are_purged(people, login, embassy, note_verbale):
    import datetime as dt

    from django.core.files.storage import default_storage

    from correspondence.holding import purge

    held = _bad_date_post(login(people.secretariat), embassy, note_verbale, files=[pdf_upload()]).context["held"]
    assert purge() == 0
    assert purge(older_than=dt.timedelta(seconds=-1)) == 1
    assert not default_storage.exists(held[0]["path"])


def test_the_directory_is_for_staff_only(people, login, embassy):
    for name in ("correspondent_list", "correspondent_lookup"):
        assert login(people.outsider).get(reverse(f"correspondence:{name}"), {"q": "france"}).status_code == 403
        assert login(people.dir_afrique).get(reverse(f"correspondence:{name}"), {"q": "france"}).status_code == 200


def test_a_registrar_registers_a_confidential_envelope_without_reading_it(people, login, embassy, note_verbale):
    client = login(people.secretariat)
    data = incoming_data(embassy, note_verbale, confidentiality="confidentiel", subject="Pli confidentiel")
    response = client.post(reverse("correspondence:register_incoming"), data)
    mail = Mail.objects.get()
    # Registered and numbered, but the registrar is sent back to the register, not to the mail.
    assert response.status_code == 302 and response["Location"] == reverse("correspondence:mail_list")
    assert client.get(reverse("correspondence:mail_detail", args=[mail.pk])).status_code == 404
    assert mail not in client.get(reverse("correspondence:mail_list")).context["page"].rows


def test_navigation_badge_counts_my_open_imputations_up_to_its_limit(people, login, register_incoming):
    for i in range(4):
        mail = register_incoming(subject=f"Lettre {i}")
        services.imputation_create(
            mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
        )
    services.mail_cancel(mail=mail, actor=people.directeur, reason="Doublon")  # no longer to process
    expected = selectors.my_imputations(people.conseiller1).count()
    assert expected == 3
    assert selectors.my_imputations_count(people.conseiller1, limit=100) == expected
    assert selectors.my_imputations_count(people.conseiller1, limit=2) == 2
    assert selectors.my_imputations_count(people.secretariat, limit=100) == 0
    page = login(people.conseiller1).get("/")
    badge = re.search(r"À traiter\s*<span[^>]*>(\d+)<", page.content.decode())
    assert badge and int(badge.group(1)) == expected


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_over_its_limit_sends_back_to_the_register_with_the_filters(
    people, login, register_incoming, monkeypatch, kind
):
    """The whole register at a million letters took 46 s and 203 MB in CSV (Excel far more):
    over the format's limit the person is sent back, filters kept, and asked to narrow them."""
    from correspondence.models import MailConsultation
    from correspondence.views import exports

    monkeypatch.setitem(exports.EXPORT_LIMITS, kind, 2)
    for _n in range(3):
        register_incoming(confidentiality=Mail.Confidentiality.CONFIDENTIEL)
    client = login(people.directeur)
    url = reverse(f"correspondence:export_{kind}")
    response = client.get(url, {"priority": "normale"})
    assert response.status_code == 302
    assert response["Location"] == reverse("correspondence:mail_list") + "?priority=normale"
    page = client.get(response["Location"]).content.decode()
    assert "L&#x27;export est limité à 2 lignes dans ce format" in page
    assert not MailConsultation.objects.exists()  # nothing left the building
    # At the limit, it is exported, and logged.
    monkeypatch.setitem(exports.EXPORT_LIMITS, kind, 3)
    exported = client.get(url, {"priority": "normale"})
    assert exported.status_code == 200
    b"".join(exported.streaming_content)
    assert MailConsultation.objects.count() == 3


def test_odd_characters_in_addresses_get_pages_not_server_errors(people, login, register_incoming):
    """Found by submitting every form with bad values: a NUL typed in the directory's search
    (PostgreSQL refuses it in a query) and « ² » taken for a number (``str.isdigit``) were
    server errors."""
    incoming = register_incoming()
    client = login(people.secretariat)
    assert client.get(reverse("correspondence:correspondent_list"), {"q": "amb\x00assade"}).status_code == 200
    lookup = client.get(reverse("correspondence:correspondent_lookup"), {"q": "amb\x00"})
    assert lookup.status_code == 200 and "results" in lookup.json()
    page = client.get(reverse("correspondence:register_outgoing"), {"reponse_a": "²"})
    assert page.status_code == 200 and incoming.subject not in page.content.decode()
    posted = client.post(reverse("correspondence:register_outgoing"), {"replies_to": ["²"], "subject": ""})
    assert posted.status_code == 200 and "Ce champ est obligatoire." in posted.content.decode()
    # A page number beyond what PostgreSQL's offsets hold, or not a number: a page, empty or first.
    for number in ("99999999999999999999", "²", "abc"):
        assert client.get(reverse("correspondence:mail_list"), {"page": number}).status_code == 200
