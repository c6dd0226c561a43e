"""The signature book: visas in order, rejection and correction, signature (who, on whose
behalf, under which arrêté, when), and refusals that record nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cabinet.models import Notification
from delegations import services
from delegations.models import SignatureItem, SignatureItemEvent, VisaStep
from delegations.rules import SigningRefused

from .conftest import sign_holders

pytestmark = pytest.mark.django_db


# --- The signature book ----------------------------------------------------------------------


def test_submit_with_visas_sets_the_order_and_view_rights(people, make_item):
    item = make_item(visa_users=[people.conseiller2, people.directeur])
    assert item.state == SignatureItem.State.EN_VISA
    assert list(item.visa_steps.values_list("user__username", "order")) == [("conseiller2", 1), ("directeur", 2)]
    assert Notification.objects.filter(recipient=people.conseiller2, subject__startswith="Visa demandé").exists()
    assert not Notification.objects.filter(recipient=people.directeur, subject__startswith="Visa demandé").exists()


def test_submit_public_interface_keeps_the_source(people, cats):
    item = services.signature_item_submit(
        drafter=people.secretariat,
        category=cats["correspondance-courante"],
        title="Réponse",
        body="Texte",
        source_label="Courrier départ n° 0123/MAE/CAB",
        source_url="/courrier/depart/123/",
    )
    assert (item.state, item.source_label, item.source_url) == (
        SignatureItem.State.A_SIGNER,
        "Courrier départ n° 0123/MAE/CAB",
        "/courrier/depart/123/",
    )


def test_submit_with_a_visa_holder_without_mandate_is_refused(people, cats):
    with pytest.raises(ValidationError) as exc:
        services.signature_item_submit(
            drafter=people.conseiller1,
            category=cats["notes-verbales"],
            title="T",
            body="B",
            visa_users=[people.outsider],
        )
    assert "visa_users" in exc.value.message_dict
    assert SignatureItem.objects.count() == 0


def test_visas_run_in_order(people, make_item):
    item = make_item(visa_users=[people.conseiller2, people.directeur])
    with pytest.raises(PermissionDenied):
        services.visa_decide(item=item, user=people.directeur, approve=True)
    services.visa_decide(item=item, user=people.conseiller2, approve=True)
    item.refresh_from_db()
    assert item.state == SignatureItem.State.EN_VISA
    services.visa_decide(item=item, user=people.directeur, approve=True)
    item.refresh_from_db()
    assert item.state == SignatureItem.State.A_SIGNER


def test_rejection_without_comment_is_refused_and_changes_nothing(people, make_item):
    item = make_item(visa_users=[people.directeur])
    with pytest.raises(ValidationError) as exc:
        services.visa_decide(item=item, user=people.directeur, approve=False, comment="  ")
    assert "comment" in exc.value.message_dict
    item.refresh_from_db()
    assert item.state == SignatureItem.State.EN_VISA
    assert item.visa_steps.get().state == VisaStep.State.EN_ATTENTE


def test_rejection_sends_back_to_the_drafter_who_corrects_and_resubmits(people, cats, make_delegation, make_item):
    make_delegation()
    item = make_item(visa_users=[people.conseiller2, people.directeur])
    services.visa_decide(item=item, user=people.conseiller2, approve=False, comment="Préciser la date de la réunion.")
    item.refresh_from_db()
    assert item.state == SignatureItem.State.RENVOYE
    assert sign_holders(item) == set()
    assert Notification.objects.filter(recipient=people.conseiller1, body="Préciser la date de la réunion.").exists()
    with pytest.raises(PermissionDenied):
        services.signature_item_resubmit(
            item=item, user=people.conseiller2, title="T", body="B", category=item.category
        )
    services.signature_item_resubmit(
        item=item, user=people.conseiller1, title="Réponse corrigée", body="Le 12/12.", category=item.category
    )
    item.refresh_from_db()
    assert (item.state, item.visa_round, item.title) == (SignatureItem.State.EN_VISA, 2, "Réponse corrigée")
    assert list(item.current_steps().values_list("user__username", "state")) == [
        ("conseiller2", VisaStep.State.EN_ATTENTE),
        ("directeur", VisaStep.State.EN_ATTENTE),
    ]
    # The first round stays in the history.
    assert item.visa_steps.filter(round=1, state=VisaStep.State.REJETE).count() == 1


def test_delegate_sign_records_who_on_whose_behalf_under_which_arrete_and_when(people, make_delegation, make_item):
    delegation = make_delegation(conditional=True)
    item = make_item(visa_users=[people.directeur])
    services.visa_decide(item=item, user=people.directeur, approve=True)
    assert "directeur" in sign_holders(item)
    item = services.signature_item_sign(item=item, user=people.directeur, attested=True)
    assert item.state == SignatureItem.State.SIGNE
    assert item.signer == people.directeur
    assert item.on_behalf_of == people.ministre
    assert item.delegation == delegation
    assert item.signing_mode == SignatureItem.Mode.DELEGATION
    assert item.condition_attested is True
    assert item.signed_at is not None
    assert len(item.verification_code) == 14
    assert item.signed_pdf.name.endswith(".pdf")
    assert sign_holders(item) == set()
    assert item.events.last().action == SignatureItemEvent.Action.SIGNED
    assert delegation.number in item.events.last().note


def test_a_refused_signature_records_nothing(people, make_delegation, make_item):
    make_delegation(conditional=True)
    item = make_item()
    events_before = item.events.count()
    with pytest.raises(SigningRefused):
        services.signature_item_sign(item=item, user=people.directeur, attested=False)
    item.refresh_from_db()
    assert (item.state, item.signer, item.verification_code, item.signed_pdf.name) == (
        SignatureItem.State.A_SIGNER,
        None,
        "",
        "",
    )
    assert item.events.count() == events_before


def test_delegate_cannot_sign_while_visas_are_pending(people, make_delegation, make_item):
    make_delegation()
    item = make_item(visa_users=[people.conseiller2])
    assert "directeur" not in sign_holders(item)
    with pytest.raises(SigningRefused):
        services.signature_item_sign(item=item, user=people.directeur)


def test_rule5_minister_takes_back_a_file_in_visa_and_signs_it(people, make_item):
    item = make_item(code="traites-accords", visa_users=[people.directeur])
    assert sign_holders(item) == {"ministre"}
    item = services.signature_item_sign(item=item, user=people.ministre)
    assert (item.state, item.signing_mode, item.delegation) == (
        SignatureItem.State.SIGNE,
        SignatureItem.Mode.MINISTRE,
        None,
    )


def test_an_item_is_signed_only_once(people, make_item):
    item = make_item()
    services.signature_item_sign(item=item, user=people.ministre)
    with pytest.raises(SigningRefused):
        services.signature_item_sign(item=item, user=people.ministre)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_signatories_at_the_same_moment_sign_once(people, make_delegation, make_item):
    import threading

    from django.db import connection as default_connection

    make_delegation()
    item = make_item()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign(user):
        try:
            barrier.wait(timeout=10)
            services.signature_item_sign(item=item, user=user)
            outcomes.append("signé")
        except SigningRefused as exc:
            outcomes.append(exc.reason)
        finally:
            default_connection.close()

    threads = [threading.Thread(target=sign, args=(u,)) for u in (people.ministre, people.directeur)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["Cette pièce est déjà signée.", "signé"]
    item.refresh_from_db()
    assert item.events.filter(action=SignatureItemEvent.Action.SIGNED).count() == 1
