"""One test per rule checked at signing time (domain brief, « Signature delegation »)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cabinet.models import Mandate, OrgUnit, Position
from cabinet.roles import Role
from cabinet.services import mandate_create, mandate_end
from delegations.models import Delegation, SignatureItem
from delegations.rules import SigningRefused, signers_on, signing_authority
from tests.factories import MandateFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


def refusal(user, category, **kwargs) -> str:
    with pytest.raises(SigningRefused) as exc:
        signing_authority(user=user, category=category, **kwargs)
    return exc.value.reason


def interim_minister_today(people):
    """conseiller2 holds the minister's post par intérim today, beside the minister."""
    today = timezone.localdate()
    mandate_create(
        user=people.conseiller2,
        position=people.positions["ministre"],
        start_date=today,
        end_date=today,
        is_interim=True,
    )
    return today


def test_minister_in_office_always_signs_even_a_non_delegable_act(people, cats):
    authority = signing_authority(user=people.ministre, category=cats["traites-accords"])
    assert authority.mode == SignatureItem.Mode.MINISTRE
    assert authority.on_behalf_of == people.ministre
    assert authority.delegation is None


def test_interim_holder_of_the_ministers_post_signs_par_interim(people, cats):
    today = interim_minister_today(people)
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


# --- Who could sign: the register's answer, checked by the same rules --------------------------


def agent_in(unit: OrgUnit, *, username: str, post: str, title: str = ""):
    """A person holding a post in ``unit`` since before the arrêtés were signed."""
    mandate = MandateFactory(
        user=UserFactory(username=username, title=title),
        position=PositionFactory(title=post, kind=Role.DIRECTEUR, unit=unit),
    )
    return mandate.user


def bureau_three_levels_under_the_ministry(people) -> OrgUnit:
    direction = OrgUnit.objects.create(
        name="Direction des archives", kind=OrgUnit.Kind.DIRECTION, parent=people.units["mae"]
    )
    sub = OrgUnit.objects.create(name="Sous-direction des fonds", kind=OrgUnit.Kind.SERVICE, parent=direction)
    return OrgUnit.objects.create(name="Bureau des actes", kind=OrgUnit.Kind.SERVICE, parent=sub)


def described(signers) -> list[tuple]:
    return [(s.user, s.mode, s.on_behalf_of, s.delegation, s.title) for s in signers]


def test_signers_on_names_the_interim_minister_beside_the_minister_and_the_delegate(people, cats, make_delegation):
    today = interim_minister_today(people)
    delegation = make_delegation(conditional=True)
    assert described(signers_on(cats["correspondance-courante"], today)) == [
        (people.ministre, SignatureItem.Mode.MINISTRE, people.ministre, None, "Ministre des affaires étrangères"),
        (people.conseiller2, SignatureItem.Mode.INTERIM, people.ministre, None, "Ministre des affaires étrangères"),
        (people.directeur, SignatureItem.Mode.DELEGATION, people.ministre, delegation, "Directeur de cabinet"),
    ]
    # A non-delegable act: the minister and the acting minister alone.
    assert [s.user for s in signers_on(cats["traites-accords"], today)] == [people.ministre, people.conseiller2]


def test_signers_on_leaves_out_lapsed_revoked_not_yet_effective_and_sub_delegated_arretes(
    people, cats, make_delegation
):
    from delegations.delegation_services import delegation_revoke

    today = timezone.localdate()
    in_force = make_delegation(number="A-1")
    make_delegation(number="A-2", delegate=people.conseiller1)
    Mandate.objects.filter(user=people.conseiller1).update(end_date=today - datetime.timedelta(days=1))
    revoked = make_delegation(number="A-3", delegate=people.conseiller2)
    delegation_revoke(delegation=revoked, actor=people.attache, reference="A-R", revoked_on=today, reason="Fin")
    make_delegation(number="A-4", delegate=people.dir_afrique, valid_from=today + datetime.timedelta(days=1))
    make_delegation(number="A-5", delegate=people.chef_sp, publish=False)
    forged = Delegation.objects.create(
        number="A-6",
        signed_on=datetime.date(2025, 9, 10),
        published_on=datetime.date(2025, 9, 10),
        delegator=people.directeur,
        delegate=people.secretariat,
        valid_from=datetime.date(2025, 9, 10),
        state=Delegation.State.EN_VIGUEUR,
        created_by=people.directeur,
    )
    forged.categories.add(cats["correspondance-courante"])
    assert described(signers_on(cats["correspondance-courante"], today)) == [
        (people.ministre, SignatureItem.Mode.MINISTRE, people.ministre, None, "Ministre des affaires étrangères"),
        (people.directeur, SignatureItem.Mode.DELEGATION, people.ministre, in_force, "Directeur de cabinet"),
    ]


def test_signers_on_finds_the_delegate_s_post_up_the_unit_tree(people, cats, make_delegation):
    today = timezone.localdate()
    bureau = bureau_three_levels_under_the_ministry(people)
    archivist = agent_in(bureau, username="archiviste", post="Chef du bureau des actes")
    outside = OrgUnit.objects.create(name="Primature", kind=OrgUnit.Kind.DIRECTION)
    cell = OrgUnit.objects.create(name="Cellule juridique", kind=OrgUnit.Kind.SERVICE, parent=outside)
    moved = agent_in(bureau, username="muté", post="Adjoint au chef du bureau", title="Adjoint")
    Mandate.objects.filter(user=moved).update(end_date=today - datetime.timedelta(days=30))
    in_bureau = make_delegation(number="B-1", delegate=archivist)
    make_delegation(number="B-2", delegate=moved)
    MandateFactory(user=moved, position=PositionFactory(unit=cell), start_date=today - datetime.timedelta(days=29))
    assert described(signers_on(cats["correspondance-courante"], today)) == [
        (people.ministre, SignatureItem.Mode.MINISTRE, people.ministre, None, "Ministre des affaires étrangères"),
        # No title of his own: the post's is printed.
        (archivist, SignatureItem.Mode.DELEGATION, people.ministre, in_bureau, "Chef du bureau des actes"),
    ]
    # Before the move, both were in the ministry.
    last_quarter = today - datetime.timedelta(days=90)
    assert [s.title for s in signers_on(cats["correspondance-courante"], last_quarter)][1:] == [
        "Chef du bureau des actes",
        "Adjoint",
    ]


def test_signers_on_answers_as_signing_authority_does_person_by_person(people, cats, make_delegation):
    # The register reads the mandates once for all arrêtés; signing reads them per check:
    # both must reach the same answer, since the checks are the same.
    today = interim_minister_today(people)
    bureau = bureau_three_levels_under_the_ministry(people)
    archivist = agent_in(bureau, username="archiviste", post="Chef du bureau des actes")
    make_delegation(delegate=archivist, conditional=True)
    make_delegation(delegate=people.dir_afrique, codes=("correspondance-courante", "attestations"))
    make_delegation(delegate=people.conseiller1)
    Mandate.objects.filter(user=people.conseiller1).update(end_date=today - datetime.timedelta(days=1))
    make_delegation(delegate=people.chef_sp, valid_from=today + datetime.timedelta(days=1))
    people_asked = [
        people.ministre,
        people.conseiller2,
        people.directeur,
        people.dir_afrique,
        people.conseiller1,
        people.chef_sp,
        archivist,
        people.outsider,
    ]
    for category in cats.values():
        for day in (today, today - datetime.timedelta(days=30), today + datetime.timedelta(days=1)):
            signers = {s.user: s for s in signers_on(category, day)}
            for person in people_asked:
                try:
                    authority = signing_authority(user=person, category=category, day=day, attested=True)
                except SigningRefused:
                    assert person not in signers, (person, category, day)
                    continue
                listed = signers[person]
                assert (listed.mode, listed.on_behalf_of, listed.delegation, listed.title) == (
                    authority.mode,
                    authority.on_behalf_of,
                    authority.delegation,
                    authority.title,
                ), (person, category, day)


def test_signers_on_runs_the_same_queries_for_3_and_30_arretes(
    people, cats, make_delegation, django_assert_num_queries
):
    today = timezone.localdate()
    category = cats["correspondance-courante"]
    bureau = bureau_three_levels_under_the_ministry(people)
    delegates = [people.directeur, people.dir_afrique, people.chef_sp] + [
        agent_in(bureau, username=f"agent-bureau-{n}", post=f"Chargé d'études n° {n}") for n in range(9)
    ]
    for delegate in delegates[:3]:
        make_delegation(delegate=delegate)
    with CaptureQueriesContext(connection) as few:
        assert len(signers_on(category, today)) == 1 + 3
    for n in range(27):
        make_delegation(delegate=delegates[n % len(delegates)], conditional=n % 2 == 0)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(signers_on(category, today)) == 1 + 30
