"""One test per rule checked at signing time (domain brief, « Signature delegation »)."""

import datetime

import pytest
from django.utils import timezone

from cabinet.models import Mandate, OrgUnit, Position
from cabinet.roles import Role
from cabinet.services import mandate_create, mandate_end
from delegations.models import Delegation, SignatureItem
from delegations.rules import SigningRefused, signers_on, signing_authority

pytestmark = pytest.mark.django_db


def refusal(user, category, **kwargs) -> str:
    with pytest.raises(SigningRefused) as exc:
        signing_authority(user=user, category=category, **kwargs)
    return exc.value.reason


def test_minister_in_office_always_signs_even_a_non_delegable_act(people, cats):
    authority = signing_authority(user=people.ministre, category=cats["traites-accords"])
    assert authority.mode == SignatureItem.Mode.MINISTRE
    assert authority.on_behalf_of == people.ministre
    assert authority.delegation is None


def test_interim_holder_of_the_ministers_post_signs_par_interim(people, cats):
    today = timezone.localdate()
    mandate_create(
        user=people.conseiller2,
        position=people.positions["ministre"],
        start_date=today,
        end_date=today,
        is_interim=True,
    )
    authority = signing_authority(user=people.conseiller2, category=cats["traites-accords"])
    assert authority.mode == SignatureItem.Mode.INTERIM
    assert authority.on_behalf_of == people.ministre
    assert "par intérim" not in authority.title  # the printed block adds it
    # The day after, the intérim is over and so is the power.
    assert "seul le ministre en exercice" in refusal(
        people.conseiller2, cats["traites-accords"], day=today + datetime.timedelta(days=1)
    )


def test_delegate_signs_under_a_published_arrete_in_force_whose_scope_holds_the_category(people, cats, make_delegation):
    delegation = make_delegation()
    authority = signing_authority(user=people.directeur, category=cats["correspondance-courante"])
    assert authority.mode == SignatureItem.Mode.DELEGATION
    assert authority.delegation == delegation
    assert authority.on_behalf_of == people.ministre
    assert authority.title == "Directeur de cabinet"


def test_rule1_delegate_cannot_sign_before_publication(people, cats, make_delegation):
    make_delegation(publish=False)
    assert "n'est pas encore publié" in refusal(people.directeur, cats["correspondance-courante"])


def test_rule1_delegate_cannot_sign_before_the_publication_date(people, cats, make_delegation):
    delegation = make_delegation()
    day_before = delegation.published_on - datetime.timedelta(days=1)
    assert "n'est pas encore publié" in refusal(people.directeur, cats["correspondance-courante"], day=day_before)


def test_delegate_cannot_sign_before_the_arrete_takes_effect(people, cats, make_delegation):
    later = timezone.localdate() + datetime.timedelta(days=5)
    make_delegation(valid_from=later)
    assert "ne prend effet que le" in refusal(people.directeur, cats["correspondance-courante"])


def test_delegate_cannot_sign_after_the_arretes_term(people, cats, make_delegation):
    until = timezone.localdate() - datetime.timedelta(days=1)
    make_delegation(valid_until=until)
    assert "a expiré le" in refusal(people.directeur, cats["correspondance-courante"])


def test_rule2_delegate_cannot_sign_outside_scope(people, cats, make_delegation):
    make_delegation(codes=("notes-verbales",))
    reason = refusal(people.directeur, cats["correspondance-courante"])
    assert "n'est pas dans le champ" in reason
    assert "Correspondance courante" in reason


def test_rule2_non_delegable_category_is_refused_even_if_slipped_into_a_scope(people, cats, make_delegation):
    delegation = make_delegation()
    delegation.categories.add(cats["traites-accords"])  # bypassing the service, as a forged row would
    assert "n'est pas délégable" in refusal(people.directeur, cats["traites-accords"])


def test_rule2_category_made_non_delegable_later_is_checked_at_signing_time(people, cats, make_delegation):
    make_delegation(codes=("attestations",))
    cats["attestations"].is_delegable = False
    cats["attestations"].save()
    assert "n'est pas délégable" in refusal(people.directeur, cats["attestations"])


def test_rule3_delegation_lapses_when_the_delegates_mandate_ends(people, cats, make_delegation):
    make_delegation()
    mandate = Mandate.objects.get(user=people.directeur)
    mandate_end(mandate=mandate, end_date=timezone.localdate() - datetime.timedelta(days=1))
    assert "Votre mandat" in refusal(people.directeur, cats["correspondance-courante"])


def test_rule3_delegation_lapses_when_the_minister_leaves(people, cats, make_delegation):
    make_delegation()
    mandate = Mandate.objects.get(user=people.ministre)
    mandate_end(mandate=mandate, end_date=timezone.localdate() - datetime.timedelta(days=1))
    assert "n'est plus ministre" in refusal(people.directeur, cats["correspondance-courante"])


def test_rule4_delegate_cannot_sign_after_revocation(people, cats, make_delegation):
    from delegations.delegation_services import delegation_revoke

    delegation = make_delegation()
    delegation_revoke(
        delegation=delegation,
        actor=people.attache,
        reference="Arrêté 2026-001",
        revoked_on=timezone.localdate(),
        reason="Fin",
    )
    assert "a été abrogé" in refusal(people.directeur, cats["correspondance-courante"])


def test_rule4_no_sub_delegation(people, cats):
    # A row the service would refuse (the directeur "delegating" to a conseiller), as forged data.
    forged = Delegation.objects.create(
        number="FAUX-1",
        signed_on=datetime.date(2025, 9, 10),
        published_on=datetime.date(2025, 9, 10),
        publication_reference="—",
        delegator=people.directeur,
        delegate=people.conseiller1,
        valid_from=datetime.date(2025, 9, 10),
        state=Delegation.State.EN_VIGUEUR,
        created_by=people.directeur,
    )
    forged.categories.add(cats["correspondance-courante"])
    assert "subdélégation" in refusal(people.conseiller1, cats["correspondance-courante"])


def test_rule6_delegate_outside_the_ministry_cannot_sign(people, cats, make_delegation):
    delegation = make_delegation(delegate=people.conseiller1)
    # conseiller1 leaves the cabinet for a post in another institution.
    Mandate.objects.filter(user=people.conseiller1).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    other = OrgUnit.objects.create(name="Primature", kind=OrgUnit.Kind.DIRECTION)
    post = Position.objects.create(title="Conseiller à la Primature", kind=Role.CONSEILLER, unit=other)
    Mandate.objects.create(user=people.conseiller1, position=post, start_date=timezone.localdate())
    assert delegation.state == Delegation.State.EN_VIGUEUR
    assert "au sein du ministère" in refusal(people.conseiller1, cats["correspondance-courante"])


def test_rule8_conditional_delegation_requires_the_condition_attested(people, cats, make_delegation):
    make_delegation(conditional=True)
    assert "absence ou d'empêchement" in refusal(people.directeur, cats["correspondance-courante"])
    authority = signing_authority(user=people.directeur, category=cats["correspondance-courante"], attested=True)
    assert authority.mode == SignatureItem.Mode.DELEGATION


def test_person_without_any_delegation_is_refused(people, cats):
    assert "ni le ministre en exercice ni délégataire" in refusal(people.conseiller1, cats["correspondance-courante"])


def test_signers_on_answers_who_could_sign_on_a_day(people, cats, make_delegation):
    delegation = make_delegation(conditional=True)
    signers = signers_on(cats["correspondance-courante"], timezone.localdate())
    assert [(s.user, s.mode, s.delegation) for s in signers] == [
        (people.ministre, SignatureItem.Mode.MINISTRE, None),
        (people.directeur, SignatureItem.Mode.DELEGATION, delegation),
    ]
    assert [s.user for s in signers_on(cats["traites-accords"], timezone.localdate())] == [people.ministre]
    before = datetime.date(2025, 9, 5)
    assert [s.user for s in signers_on(cats["correspondance-courante"], before)] == [people.ministre]


def test_signers_on_a_past_day_still_names_an_arrete_revoked_since(people, cats, make_delegation):
    from delegations.delegation_services import delegation_revoke

    delegation = make_delegation()
    today = timezone.localdate()
    delegation_revoke(delegation=delegation, actor=people.attache, reference="A-2", revoked_on=today, reason="Fin")
    last_month = today - datetime.timedelta(days=30)
    past = signers_on(cats["correspondance-courante"], last_month)
    assert [(s.user, s.delegation) for s in past] == [(people.ministre, None), (people.directeur, delegation)]
    assert [s.user for s in signers_on(cats["correspondance-courante"], today)] == [people.ministre]
    # Signing is always checked today: the revoked arrêté gives nothing now.
    assert "a été abrogé" in refusal(people.directeur, cats["correspondance-courante"])
