"""Arrêtés (each state change, bad input), the signature book, and the row-level sign
permission that follows the arrêtés in force."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cabinet.models import Mandate, Notification, OrgUnit, Position
from cabinet.roles import Role
from cabinet.services import mandate_end
from delegations import services
from delegations.models import Delegation, DelegationEvent, SignatureItem, SignatureItemEvent, VisaStep
from delegations.rules import SigningRefused
from delegations.tasks import delegations_nightly_task

from .conftest import SIGNED_ON, sign_holders

pytestmark = pytest.mark.django_db


def create_kwargs(people, cats, **overrides):
    kwargs = {
        "actor": people.attache,
        "number": "2026-001/MAE/CAB",
        "signed_on": SIGNED_ON,
        "delegator": people.ministre,
        "delegate": people.directeur,
        "categories": [cats["correspondance-courante"]],
        "valid_from": SIGNED_ON,
    }
    kwargs.update(overrides)
    return kwargs


def field_errors(exc) -> dict:
    return exc.value.message_dict


# --- Bad input on an arrêté: a field error, nothing saved ------------------------------------


def test_end_date_before_start_is_a_field_error_and_nothing_is_saved(people, cats):
    with pytest.raises(ValidationError) as exc:
        services.delegation_create(**create_kwargs(people, cats, valid_until=SIGNED_ON - datetime.timedelta(days=1)))
    assert "valid_until" in field_errors(exc)
    assert Delegation.objects.count() == 0


def test_non_delegable_category_in_scope_is_a_field_error_and_nothing_is_saved(people, cats):
    with pytest.raises(ValidationError) as exc:
        services.delegation_create(
            **create_kwargs(people, cats, categories=[cats["correspondance-courante"], cats["traites-accords"]])
        )
    assert "Traités et accords" in field_errors(exc)["categories"][0]
    assert Delegation.objects.count() == 0


def test_delegate_without_a_mandate_is_a_field_error_and_nothing_is_saved(people, cats):
    with pytest.raises(ValidationError) as exc:
        services.delegation_create(**create_kwargs(people, cats, delegate=people.outsider))
    assert "aucun mandat" in field_errors(exc)["delegate"][0]
    assert Delegation.objects.count() == 0


def test_delegate_outside_the_ministry_is_a_field_error_and_nothing_is_saved(people, cats):
    other = OrgUnit.objects.create(name="Ministère de l'économie", kind=OrgUnit.Kind.DIRECTION)
    post = Position.objects.create(title="Directeur du budget", kind=Role.DIRECTEUR, unit=other)
    Mandate.objects.create(user=people.outsider, position=post, start_date=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.delegation_create(**create_kwargs(people, cats, delegate=people.outsider))
    assert "subordonné" in field_errors(exc)["delegate"][0]
    assert Delegation.objects.count() == 0


def test_rule4_a_delegate_cannot_delegate_further(people, cats):
    with pytest.raises(ValidationError) as exc:
        services.delegation_create(
            **create_kwargs(people, cats, delegator=people.directeur, delegate=people.conseiller1)
        )
    assert "subdélégation" in field_errors(exc)["delegator"][0]
    assert Delegation.objects.count() == 0


def test_empty_scope_is_refused(people, cats):
    with pytest.raises(ValidationError) as exc:
        services.delegation_create(**create_kwargs(people, cats, categories=[]))
    assert "categories" in field_errors(exc)
    assert Delegation.objects.count() == 0


# --- State changes ---------------------------------------------------------------------------


def test_new_arrete_is_a_projet_with_its_history(people, cats):
    delegation = services.delegation_create(**create_kwargs(people, cats))
    assert delegation.state == Delegation.State.PROJET
    assert list(delegation.events.values_list("action", flat=True)) == [DelegationEvent.Action.CREATED]


def test_projet_to_en_vigueur_on_publication_grants_the_sign_permission(people, make_delegation, make_item):
    item = make_item()
    assert sign_holders(item) == {"ministre"}
    delegation = make_delegation()
    assert delegation.state == Delegation.State.EN_VIGUEUR
    assert delegation.events.last().action == DelegationEvent.Action.PUBLISHED
    assert sign_holders(item) == {"ministre", "directeur"}
    assert Notification.objects.filter(recipient=people.directeur, subject__contains="en vigueur").exists()


def test_publication_needs_its_reference_and_no_future_date(people, make_delegation):
    delegation = make_delegation(publish=False)
    with pytest.raises(ValidationError) as exc:
        services.delegation_put_in_force(
            delegation=delegation,
            actor=people.attache,
            publication_reference=" ",
            published_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(field_errors(exc)) == {"publication_reference", "published_on"}
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.PROJET


def test_only_a_projet_can_be_published(people, make_delegation):
    delegation = make_delegation()
    with pytest.raises(ValidationError):
        services.delegation_put_in_force(
            delegation=delegation, actor=people.attache, publication_reference="JO", published_on=SIGNED_ON
        )


def test_en_vigueur_to_abroge_withdraws_the_sign_permission_on_every_pending_item_at_once(
    people, make_delegation, make_item
):
    delegation = make_delegation(codes=("correspondance-courante", "notes-verbales"))
    items = [make_item(), make_item(code="notes-verbales"), make_item(title="Deuxième lettre")]
    assert all("directeur" in sign_holders(i) for i in items)
    services.delegation_revoke(
        delegation=delegation,
        actor=people.ministre,
        reference="Arrêté n° 2026-009/MAE/CAB",
        revoked_on=timezone.localdate(),
        reason="Réorganisation du cabinet",
    )
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.ABROGE
    assert delegation.revocation_reference == "Arrêté n° 2026-009/MAE/CAB"
    assert all(sign_holders(i) == {"ministre"} for i in items)
    assert delegation.events.last().action == DelegationEvent.Action.REVOKED


def test_revocation_needs_reference_reason_and_a_date_not_in_the_future(people, make_delegation):
    delegation = make_delegation()
    with pytest.raises(ValidationError) as exc:
        services.delegation_revoke(
            delegation=delegation,
            actor=people.ministre,
            reference="",
            revoked_on=timezone.localdate() + datetime.timedelta(days=3),
            reason="",
        )
    assert set(field_errors(exc)) == {"reference", "revoked_on", "reason"}
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.EN_VIGUEUR


def test_only_an_arrete_in_force_can_be_revoked(people, make_delegation):
    delegation = make_delegation(publish=False)
    with pytest.raises(ValidationError):
        services.delegation_revoke(
            delegation=delegation, actor=people.ministre, reference="X", revoked_on=timezone.localdate(), reason="Y"
        )


def test_en_vigueur_to_expire_by_the_nightly_task(people, make_delegation, make_item):
    delegation = make_delegation(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    item = make_item()
    delegations_nightly_task.delay()
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.EXPIRE
    assert delegation.ended_on == timezone.localdate()
    assert delegation.events.last().action == DelegationEvent.Action.EXPIRED
    assert sign_holders(item) == {"ministre"}


def test_en_vigueur_to_caduc_when_the_delegates_mandate_ended_nightly_task_removes_the_permission(
    people, make_delegation, make_item
):
    delegation = make_delegation()
    item = make_item()
    assert "directeur" in sign_holders(item)
    mandate_end(
        mandate=Mandate.objects.get(user=people.directeur), end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    # Before the nightly task the permission is stale; it can never produce a signature.
    assert "directeur" in sign_holders(item)
    with pytest.raises(SigningRefused):
        services.signature_item_sign(item=item, user=people.directeur)
    delegations_nightly_task.delay()
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.CADUC
    assert "AKAKPO" in delegation.events.last().note
    assert sign_holders(item) == {"ministre"}


def test_en_vigueur_to_caduc_when_the_minister_leaves(people, make_delegation):
    delegation = make_delegation()
    mandate_end(
        mandate=Mandate.objects.get(user=people.ministre), end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    services.delegations_nightly()
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.CADUC


def test_warning_15_days_before_the_end_is_sent_once(people, make_delegation):
    delegation = make_delegation(valid_until=timezone.localdate() + datetime.timedelta(days=10))
    far = make_delegation(valid_until=timezone.localdate() + datetime.timedelta(days=40), codes=("attestations",))
    counts = services.delegations_nightly()
    assert counts["warned"] == 1
    subject = f"La délégation de l'arrêté n° {delegation.number} prend fin"
    assert Notification.objects.filter(recipient=people.directeur, subject__startswith=subject).count() == 1
    assert services.delegations_nightly()["warned"] == 0
    assert Notification.objects.filter(recipient=people.directeur, subject__startswith=subject).count() == 1
    far.refresh_from_db()
    assert far.end_warning_sent_on is None


def test_warning_also_when_the_delegates_mandate_is_about_to_end(people, make_delegation):
    delegation = make_delegation()
    mandate_end(
        mandate=Mandate.objects.get(user=people.directeur), end_date=timezone.localdate() + datetime.timedelta(days=5)
    )
    assert services.delegations_nightly()["warned"] == 1
    delegation.refresh_from_db()
    assert delegation.end_warning_sent_on == timezone.localdate()


def test_a_delegation_starting_later_gets_its_permission_from_the_nightly_task(people, make_delegation, make_item):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    make_delegation(valid_from=tomorrow)
    item = make_item()
    assert sign_holders(item) == {"ministre"}
    granted, _withdrawn = services.sign_permissions_sync(day=tomorrow)
    assert granted == 1
    assert sign_holders(item) == {"ministre", "directeur"}


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
