"""Arrêtés: each state change, bad input (a field error, nothing saved), and the row-level
sign permission that follows the arrêtés in force."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cabinet.models import Mandate, Notification, OrgUnit, Position
from cabinet.roles import Role
from cabinet.services import mandate_end
from delegations import delegation_services, permissions, services
from delegations.models import Delegation, DelegationEvent
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
        delegation_services.delegation_create(
            **create_kwargs(people, cats, valid_until=SIGNED_ON - datetime.timedelta(days=1))
        )
    assert "valid_until" in field_errors(exc)
    assert Delegation.objects.count() == 0


def test_non_delegable_category_in_scope_is_a_field_error_and_nothing_is_saved(people, cats):
    with pytest.raises(ValidationError) as exc:
        delegation_services.delegation_create(
            **create_kwargs(people, cats, categories=[cats["correspondance-courante"], cats["traites-accords"]])
        )
    assert "Traités et accords" in field_errors(exc)["categories"][0]
    assert Delegation.objects.count() == 0


def test_delegate_without_a_mandate_is_a_field_error_and_nothing_is_saved(people, cats):
    with pytest.raises(ValidationError) as exc:
        delegation_services.delegation_create(**create_kwargs(people, cats, delegate=people.outsider))
    assert "aucun mandat" in field_errors(exc)["delegate"][0]
    assert Delegation.objects.count() == 0


def test_delegate_outside_the_ministry_is_a_field_error_and_nothing_is_saved(people, cats):
    other = OrgUnit.objects.create(name="Ministère de l'économie", kind=OrgUnit.Kind.DIRECTION)
    post = Position.objects.create(title="Directeur du budget", kind=Role.DIRECTEUR, unit=other)
    Mandate.objects.create(user=people.outsider, position=post, start_date=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        delegation_services.delegation_create(**create_kwargs(people, cats, delegate=people.outsider))
    assert "subordonné" in field_errors(exc)["delegate"][0]
    assert Delegation.objects.count() == 0


def test_rule4_a_delegate_cannot_delegate_further(people, cats):
    with pytest.raises(ValidationError) as exc:
        delegation_services.delegation_create(
            **create_kwargs(people, cats, delegator=people.directeur, delegate=people.conseiller1)
        )
    assert "subdélégation" in field_errors(exc)["delegator"][0]
    assert Delegation.objects.count() == 0


def test_empty_scope_is_refused(people, cats):
    with pytest.raises(ValidationError) as exc:
        delegation_services.delegation_create(**create_kwargs(people, cats, categories=[]))
    assert "categories" in field_errors(exc)
    assert Delegation.objects.count() == 0


# --- State changes ---------------------------------------------------------------------------


def test_new_arrete_is_a_projet_with_its_history(people, cats):
    delegation = delegation_services.delegation_create(**create_kwargs(people, cats))
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
        delegation_services.delegation_put_in_force(
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
        delegation_services.delegation_put_in_force(
            delegation=delegation, actor=people.attache, publication_reference="JO", published_on=SIGNED_ON
        )


def test_en_vigueur_to_abroge_withdraws_the_sign_permission_on_every_pending_item_at_once(
    people, make_delegation, make_item
):
    delegation = make_delegation(codes=("correspondance-courante", "notes-verbales"))
    items = [make_item(), make_item(code="notes-verbales"), make_item(title="Deuxième lettre")]
    assert all("directeur" in sign_holders(i) for i in items)
    delegation_services.delegation_revoke(
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
        delegation_services.delegation_revoke(
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
        delegation_services.delegation_revoke(
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
    delegation_services.delegations_nightly()
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.CADUC


def test_warning_15_days_before_the_end_is_sent_once(people, make_delegation):
    delegation = make_delegation(valid_until=timezone.localdate() + datetime.timedelta(days=10))
    far = make_delegation(valid_until=timezone.localdate() + datetime.timedelta(days=40), codes=("attestations",))
    counts = delegation_services.delegations_nightly()
    assert counts["warned"] == 1
    subject = f"La délégation de l'arrêté n° {delegation.number} prend fin"
    assert Notification.objects.filter(recipient=people.directeur, subject__startswith=subject).count() == 1
    assert delegation_services.delegations_nightly()["warned"] == 0
    assert Notification.objects.filter(recipient=people.directeur, subject__startswith=subject).count() == 1
    far.refresh_from_db()
    assert far.end_warning_sent_on is None


def test_warning_also_when_the_delegates_mandate_is_about_to_end(people, make_delegation):
    delegation = make_delegation()
    mandate_end(
        mandate=Mandate.objects.get(user=people.directeur), end_date=timezone.localdate() + datetime.timedelta(days=5)
    )
    assert delegation_services.delegations_nightly()["warned"] == 1
    delegation.refresh_from_db()
    assert delegation.end_warning_sent_on == timezone.localdate()


def test_a_delegation_starting_later_gets_its_permission_from_the_nightly_task(people, make_delegation, make_item):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    make_delegation(valid_from=tomorrow)
    item = make_item()
    assert sign_holders(item) == {"ministre"}
    granted, _withdrawn = permissions.sign_permissions_sync(day=tomorrow)
    assert granted == 1
    assert sign_holders(item) == {"ministre", "directeur"}
