"""The assignee's work form (« Notes, avis et projet de réponse »): an avis saved meanwhile is
not overwritten."""

import pytest
from django.urls import reverse

from correspondence import services
from correspondence.models import Imputation, ImputationNote, Instruction, MailEvent

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
