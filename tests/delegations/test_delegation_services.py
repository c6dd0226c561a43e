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


# --- Correcting a projet before its publication ----------------------------------------------


def update_kwargs(people, cats, delegation, **overrides):
    """The projet's terms as the form would send them back, with ``overrides``."""
    kwargs = {
        "actor": people.attache,
        "delegation": delegation,
        "number": delegation.number,
        "signed_on": delegation.signed_on,
        "delegator": delegation.delegator,
        "delegate": delegation.delegate,
        "categories": list(delegation.categories.all()),
        "valid_from": delegation.valid_from,
        "valid_until": delegation.valid_until,
        "is_conditional": delegation.is_conditional,
    }
    kwargs.update(overrides)
    return kwargs


def test_correcting_a_projet_changes_its_terms_and_records_each_change_in_its_history(people, cats, make_delegation):
    delegation = make_delegation(publish=False)
    until = SIGNED_ON + datetime.timedelta(days=90)
    corrected = delegation_services.delegation_update(
        **update_kwargs(
            people,
            cats,
            delegation,
            number=" 2025-099/MAE/CAB ",
            delegate=people.attache,
            categories=[cats["notes-verbales"], cats["correspondance-courante"]],
            valid_until=until,
            is_conditional=True,
        )
    )
    corrected.refresh_from_db()
    assert corrected.state == Delegation.State.PROJET
    assert (corrected.number, corrected.delegate, corrected.valid_until, corrected.is_conditional) == (
        "2025-099/MAE/CAB",
        people.attache,
        until,
        True,
    )
    assert set(corrected.categories.values_list("code", flat=True)) == {"notes-verbales", "correspondance-courante"}
    event = corrected.events.last()
    assert (event.action, event.actor) == (DelegationEvent.Action.UPDATED, people.attache)
    assert f"Numéro de l'arrêté : {delegation.number} → 2025-099/MAE/CAB" in event.note
    assert "Délégataire : Edem AKAKPO → Afi MENSAH" in event.note
    assert f"Valable jusqu'au : — → {until:%d/%m/%Y}" in event.note
    assert "Catégories d'actes : Correspondance courante → Correspondance courante, Notes verbales" in event.note
    assert "Signé le" not in event.note  # only what changed


def test_correcting_a_projet_with_nothing_changed_records_nothing(people, cats, make_delegation):
    delegation = make_delegation(publish=False)
    delegation_services.delegation_update(**update_kwargs(people, cats, delegation))
    assert list(delegation.events.values_list("action", flat=True)) == [DelegationEvent.Action.CREATED]


def test_correcting_a_projet_keeps_its_scan_unless_a_new_one_is_given(people, cats, make_delegation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    delegation = make_delegation(publish=False)
    delegation.scan.save("arrete.pdf", SimpleUploadedFile("arrete.pdf", pdf), save=True)
    first = delegation.scan.name
    delegation_services.delegation_update(**update_kwargs(people, cats, delegation, valid_until=None, number="N-1"))
    delegation.refresh_from_db()
    assert delegation.scan.name == first
    delegation_services.delegation_update(
        **update_kwargs(people, cats, delegation, scan=SimpleUploadedFile("arrete-signe.pdf", pdf))
    )
    delegation.refresh_from_db()
    assert delegation.scan.name != first and delegation.scan.name.endswith("arrete-signe.pdf")
    assert delegation.events.last().note == "Arrêté scanné : remplacé."


@pytest.mark.parametrize("state", ["en_vigueur", "abroge"])
def test_a_published_or_revoked_arrete_is_a_legal_act_and_cannot_be_corrected(people, cats, make_delegation, state):
    delegation = make_delegation()
    if state == "abroge":
        delegation = delegation_services.delegation_revoke(
            delegation=delegation, actor=people.attache, reference="A-1", revoked_on=timezone.localdate(), reason="Fin"
        )
    events = delegation.events.count()
    with pytest.raises(ValidationError) as exc:
        delegation_services.delegation_update(**update_kwargs(people, cats, delegation, delegate=people.attache))
    expected = "en vigueur" if state == "en_vigueur" else "abrogé"
    assert f"L'arrêté n° {delegation.number} est" in exc.value.messages[0]
    assert expected in exc.value.messages[0] and "ne se modifie plus" in exc.value.messages[0]
    delegation.refresh_from_db()
    assert (delegation.state, delegation.delegate) == (state, people.directeur)
    assert delegation.events.count() == events


def test_a_correction_loaded_before_the_publication_is_refused_after_it(people, cats, make_delegation):
    delegation = make_delegation(publish=False)
    loaded = Delegation.objects.get(pk=delegation.pk)  # the editing tab's copy, still a projet
    delegation_services.delegation_put_in_force(
        delegation=delegation, actor=people.directeur, publication_reference="JO n° 5", published_on=SIGNED_ON
    )
    with pytest.raises(ValidationError, match="publié et en vigueur"):
        delegation_services.delegation_update(**update_kwargs(people, cats, loaded, delegate=people.attache))
    delegation.refresh_from_db()
    assert delegation.delegate == people.directeur
    assert not delegation.events.filter(action=DelegationEvent.Action.UPDATED).exists()


def _outside_the_ministry(people):
    other = OrgUnit.objects.create(name="Ministère de l'économie", kind=OrgUnit.Kind.DIRECTION)
    post = Position.objects.create(title="Directeur du budget", kind=Role.DIRECTEUR, unit=other)
    Mandate.objects.create(user=people.outsider, position=post, start_date=datetime.date(2025, 1, 1))
    return people.outsider


BAD_TERMS = {
    "non_delegable_category": lambda p, c: {"categories": [c["correspondance-courante"], c["traites-accords"]]},
    "empty_scope": lambda p, c: {"categories": []},
    "delegate_without_a_mandate": lambda p, c: {"delegate": p.outsider},
    "delegate_outside_the_ministry": lambda p, c: {"delegate": _outside_the_ministry(p)},
    "rule4_sub_delegation": lambda p, c: {"delegator": p.directeur, "delegate": p.conseiller1},
    "minister_to_himself": lambda p, c: {"delegate": p.ministre},
    "end_before_start": lambda p, c: {"valid_until": SIGNED_ON - datetime.timedelta(days=1)},
    "effect_before_signature": lambda p, c: {"valid_from": SIGNED_ON - datetime.timedelta(days=1)},
}


@pytest.mark.parametrize("case", sorted(BAD_TERMS))
def test_the_rules_of_creation_apply_to_the_corrected_terms(people, cats, make_delegation, case):
    """The same input gives the same field errors whether it records an arrêté or corrects a projet."""
    delegation = make_delegation(publish=False)
    bad = BAD_TERMS[case](people, cats)
    with pytest.raises(ValidationError) as at_creation:
        delegation_services.delegation_create(**create_kwargs(people, cats, **bad))
    with pytest.raises(ValidationError) as at_correction:
        delegation_services.delegation_update(**update_kwargs(people, cats, delegation, **bad))
    assert field_errors(at_correction) == field_errors(at_creation)
    delegation.refresh_from_db()
    assert (delegation.delegator, delegation.delegate, delegation.valid_until) == (
        people.ministre,
        people.directeur,
        None,
    )
    assert list(delegation.categories.values_list("code", flat=True)) == ["correspondance-courante"]
    assert Delegation.objects.count() == 1
    assert delegation.events.count() == 1


def test_a_corrected_number_already_given_to_another_arrete_is_refused(people, cats, make_delegation):
    taken = make_delegation()
    delegation = make_delegation(publish=False)
    with pytest.raises(ValidationError) as exc:
        delegation_services.delegation_update(**update_kwargs(people, cats, delegation, number=taken.number))
    assert "number" in field_errors(exc)


@pytest.mark.parametrize("how", ["create", "update"])
def test_a_number_taken_between_the_check_and_the_save_gets_the_french_message(
    people, cats, make_delegation, monkeypatch, how
):
    """Two people record (or correct) an arrêté with the same number at once: both pass the
    uniqueness check, the database refuses the second save. It is told in French, on the
    number, like the check would have, and nothing of it is kept."""
    taken = make_delegation()
    draft = make_delegation(publish=False)
    monkeypatch.setattr(Delegation, "validate_unique", lambda self, exclude=None: None)  # the race
    with pytest.raises(ValidationError) as exc:
        if how == "update":
            delegation_services.delegation_update(**update_kwargs(people, cats, draft, number=taken.number))
        else:
            delegation_services.delegation_create(
                actor=people.attache,
                number=taken.number,
                signed_on=taken.signed_on,
                delegator=people.ministre,
                delegate=people.directeur,
                categories=[cats["correspondance-courante"]],
                valid_from=taken.valid_from,
            )
    assert field_errors(exc)["number"] == [
        "Un objet Délégation de signature avec ce champ Numéro de l'arrêté existe déjà."
    ]
    assert Delegation.objects.count() == 2
    assert Delegation.objects.get(pk=draft.pk).number == draft.number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_arrete_published_while_its_correction_waits_for_the_lock_is_not_corrected(people, cats, make_delegation):
    """Two tabs: one publishes (and holds the row), the other saves a correction loaded while
    it was a projet. The correction waits for the publication, then is refused."""
    import threading

    from django.db import connection, transaction

    delegation = make_delegation(publish=False)
    loaded = Delegation.objects.get(pk=delegation.pk)
    outcome: list[str] = []

    def correct():
        try:
            delegation_services.delegation_update(**update_kwargs(people, cats, loaded, delegate=people.attache))
            outcome.append("modifié")
        except ValidationError as exc:
            outcome.append(exc.messages[0])
        finally:
            connection.close()

    thread = threading.Thread(target=correct)
    with transaction.atomic():
        delegation_services.delegation_put_in_force(
            delegation=delegation, actor=people.directeur, publication_reference="JO n° 5", published_on=SIGNED_ON
        )
        thread.start()
        waiting = 0
        with connection.cursor() as cursor:
            for _attempt in range(200):  # up to 10 s for the correction to reach the lock
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                waiting = cursor.fetchone()[0]
                if waiting:
                    break
                threading.Event().wait(0.05)
        assert waiting == 1, "the correction did not wait for the publication's lock"
    thread.join(timeout=30)
    assert len(outcome) == 1 and "publié et en vigueur" in outcome[0]
    delegation.refresh_from_db()
    assert (delegation.state, delegation.delegate) == (Delegation.State.EN_VIGUEUR, people.directeur)
    assert not delegation.events.filter(action=DelegationEvent.Action.UPDATED).exists()
