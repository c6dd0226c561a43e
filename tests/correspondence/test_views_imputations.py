"""The assignee's work form (« Notes, avis et projet de réponse »): an avis saved meanwhile is
not overwritten; a draft reply chosen before an error is kept for the next submission."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from correspondence import services
from correspondence.models import Attachment, Imputation, ImputationNote, Instruction, MailEvent

from .conftest import EXE_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(register_incoming, people):
    mail = register_incoming()
    return services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
    )


def annotate_url(imputation):
    return reverse("correspondence:imputation_annotate", args=[imputation.pk])


def saved_in_another_tab(imputation, person, opinion):
    services.imputation_annotate(imputation=Imputation.objects.get(pk=imputation.pk), actor=person, opinion=opinion)


# --- An avis saved meanwhile ------------------------------------------------------------------
def test_an_avis_saved_meanwhile_is_not_overwritten_and_the_next_save_confirms(people, login, routed):
    client = login(people.conseiller1)
    shown = client.get(annotate_url(routed)).context["form"]
    saved_in_another_tab(routed, people.conseiller1, "Avis favorable.")

    data = {"note": "Relu.", "opinion": "Avis réservé.", "seen_opinion": shown["seen_opinion"].value()}
    response = client.post(annotate_url(routed), data)

    assert response.status_code == 200
    [error] = response.context["form"].errors["opinion"]
    assert error.startswith("L'avis a été modifié depuis que vous avez ouvert ce formulaire (par ")
    assert "Il se lit maintenant : « Avis favorable. »" in error
    assert response.context["form"]["opinion"].value() == "Avis réservé."  # what was typed stays
    routed.refresh_from_db()
    assert routed.opinion == "Avis favorable."
    assert not ImputationNote.objects.exists()  # nothing of this submission was recorded

    # Seen now: saving again confirms the avis typed.
    again = {**data, "seen_opinion": response.context["form"]["seen_opinion"].value()}
    assert client.post(annotate_url(routed), again).status_code == 302
    routed.refresh_from_db()
    assert routed.opinion == "Avis réservé."
    assert MailEvent.objects.filter(action=MailEvent.Action.OPINION).count() == 2


def test_an_avis_left_untouched_does_not_undo_one_saved_meanwhile(people, login, routed):
    saved_in_another_tab(routed, people.conseiller1, "Avis favorable.")
    client = login(people.conseiller1)
    shown = client.get(annotate_url(routed)).context["form"]
    saved_in_another_tab(routed, people.conseiller1, "Avis favorable, sous réserve du service juridique.")

    # The old text, as the form showed it, posted with a note: the note is saved, the avis kept.
    data = {"note": "Vu.", "opinion": "Avis favorable.", "seen_opinion": shown["seen_opinion"].value()}
    assert client.post(annotate_url(routed), data).status_code == 302
    routed.refresh_from_db()
    assert routed.opinion == "Avis favorable, sous réserve du service juridique."
    assert routed.notes.get().text == "Vu."


def test_the_same_avis_saved_meanwhile_is_no_conflict(people, login, routed):
    client = login(people.conseiller1)
    shown = client.get(annotate_url(routed)).context["form"]
    saved_in_another_tab(routed, people.conseiller1, "Avis favorable.")
    data = {"opinion": "Avis favorable.", "seen_opinion": shown["seen_opinion"].value(), "note": "Vu."}
    assert client.post(annotate_url(routed), data).status_code == 302
    assert MailEvent.objects.filter(action=MailEvent.Action.OPINION).count() == 1


def test_the_service_refuses_an_avis_over_one_saved_since_the_form_showed_it(people, routed):
    saved_in_another_tab(routed, people.conseiller1, "Avis favorable.")
    with pytest.raises(services.OpinionChangedMeanwhile) as exc:
        services.imputation_annotate(
            imputation=Imputation.objects.get(pk=routed.pk),
            actor=people.conseiller1,
            note="Relu.",
            opinion="Avis défavorable.",
            seen_opinion="",
        )
    assert exc.value.opinion == "Avis favorable."
    assert "(par M. Koffi DOGBE, le " in exc.value.message_dict["opinion"][0]
    routed.refresh_from_db()
    assert routed.opinion == "Avis favorable." and not routed.notes.exists()


# --- The draft reply kept after an error ------------------------------------------------------
def refused_with_a_draft(client, imputation, person, draft):
    """The form comes back with an error (an avis saved meanwhile) while a draft was chosen."""
    shown = client.get(annotate_url(imputation)).context["form"]
    saved_in_another_tab(imputation, person, "Avis favorable.")
    data = {"opinion": "Avis réservé.", "seen_opinion": shown["seen_opinion"].value(), "draft_reply": draft}
    response = client.post(annotate_url(imputation), data)
    assert response.status_code == 200 and response.context["form"].errors
    return response


def test_a_draft_reply_chosen_before_an_error_is_kept_and_attached_by_the_next_save(people, login, routed):
    client = login(people.conseiller1)
    response = refused_with_a_draft(client, routed, people.conseiller1, pdf_upload("projet-reponse.pdf"))

    [held] = response.context["held"]
    assert held["name"] == "projet-reponse.pdf"
    page = response.content.decode()
    assert "Fichier déjà reçu : projet-reponse.pdf" in page and 'name="keep_held" value="0" checked' in page
    assert "doit être joint de nouveau" not in page  # the old « files lost » warning is gone
    assert not Attachment.objects.exists()

    form = response.context["form"]
    again = {
        "opinion": "Avis réservé.",
        "seen_opinion": form["seen_opinion"].value(),
        "held_files": response.context["held_token"],
        "keep_held": ["0"],
    }
    assert client.post(annotate_url(routed), again).status_code == 302
    draft = Attachment.objects.get()
    assert (draft.kind, draft.imputation, draft.original_name) == (
        Attachment.Kind.DRAFT_REPLY,
        routed,
        "projet-reponse.pdf",
    )
    assert draft.uploaded_by == people.conseiller1 and draft.content_type == "application/pdf"
    assert draft.file.read() == pdf_upload().read()  # the very bytes chosen before the error
    assert not default_storage.exists(held["path"])  # released once attached


def test_a_held_draft_reply_alone_is_enough_to_save(people, login, routed):
    client = login(people.conseiller1)
    response = refused_with_a_draft(client, routed, people.conseiller1, pdf_upload("projet.pdf"))
    # The assignee keeps the avis saved meanwhile and sends only the draft kept for him.
    again = {
        "opinion": "Avis favorable.",
        "seen_opinion": response.context["form"]["seen_opinion"].value(),
        "held_files": response.context["held_token"],
        "keep_held": ["0"],
    }
    assert client.post(annotate_url(routed), again).status_code == 302
    assert routed.attachments.get().original_name == "projet.pdf"


def test_a_draft_chosen_again_replaces_the_held_one(people, login, routed):
    client = login(people.conseiller1)
    response = refused_with_a_draft(client, routed, people.conseiller1, pdf_upload("premier.pdf"))
    [held] = response.context["held"]
    again = {
        "opinion": "Avis réservé.",
        "seen_opinion": response.context["form"]["seen_opinion"].value(),
        "held_files": response.context["held_token"],
        "keep_held": ["0"],
        "draft_reply": pdf_upload("second.pdf"),
    }
    assert client.post(annotate_url(routed), again).status_code == 302
    assert [a.original_name for a in routed.attachments.all()] == ["second.pdf"]
    assert not default_storage.exists(held["path"])


def test_an_unticked_held_draft_is_not_attached(people, login, routed):
    client = login(people.conseiller1)
    response = refused_with_a_draft(client, routed, people.conseiller1, pdf_upload())
    [held] = response.context["held"]
    again = {
        "opinion": "Avis réservé.",
        "seen_opinion": response.context["form"]["seen_opinion"].value(),
        "held_files": response.context["held_token"],
    }
    assert client.post(annotate_url(routed), again).status_code == 302
    assert not routed.attachments.exists()
    assert not default_storage.exists(held["path"])


def test_a_refused_draft_is_not_held(people, login, routed):
    client = login(people.conseiller1)
    disguised = SimpleUploadedFile("projet.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post(annotate_url(routed), {"note": "Vu.", "draft_reply": disguised})
    assert response.status_code == 200
    assert "n'est pas un document accepté" in response.context["form"].errors["draft_reply"][0]
    assert response.context["held"] == [] and response.context["held_token"] == ""
    assert not routed.notes.exists()


def test_a_draft_held_for_someone_else_is_ignored(people, login, routed, register_incoming):
    token = refused_with_a_draft(login(people.conseiller1), routed, people.conseiller1, pdf_upload()).context[
        "held_token"
    ]
    theirs = services.imputation_create(
        mail=register_incoming(),
        created_by=people.directeur,
        assignee=people.conseiller2,
        instruction=Instruction.AVIS,
    )
    response = login(people.conseiller2).post(annotate_url(theirs), {"held_files": token, "keep_held": ["0"]})
    # Nothing of conseiller1's is attached; the form is as empty as it was posted.
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Attachment.objects.exists()
    forged = {"held_files": token + "x", "keep_held": ["0"]}
    assert login(people.conseiller1).post(annotate_url(routed), forged).status_code == 200
    assert not Attachment.objects.exists()
