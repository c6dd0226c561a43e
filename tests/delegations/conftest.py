"""Fixtures of the delegations tests: the act categories and helpers that build arrêtés,
items of the signature book and directives through the services."""

import datetime
import itertools

import pytest

from delegations import delegation_services, directive_services, services
from delegations.defaults import act_categories_ensure

SIGNED_ON = datetime.date(2025, 9, 10)
_numbers = itertools.count(1)


@pytest.fixture
def cats(db):
    return act_categories_ensure()


@pytest.fixture
def make_delegation(people, cats):
    def _make(
        *,
        codes=("correspondance-courante",),
        publish=True,
        conditional=False,
        valid_from=SIGNED_ON,
        valid_until=None,
        delegate=None,
        number=None,
    ):
        delegation = delegation_services.delegation_create(
            actor=people.attache,
            number=number or f"2025-{next(_numbers):03d}/MAE/CAB",
            signed_on=SIGNED_ON,
            delegator=people.ministre,
            delegate=delegate or people.directeur,
            categories=[cats[c] for c in codes],
            valid_from=valid_from,
            valid_until=valid_until,
            is_conditional=conditional,
        )
        if publish:
            delegation = delegation_services.delegation_put_in_force(
                delegation=delegation,
                actor=people.attache,
                publication_reference="Journal officiel n° 48",
                published_on=SIGNED_ON,
            )
        return delegation

    return _make


@pytest.fixture
def make_item(people, cats):
    def _make(*, code="correspondance-courante", drafter=None, visa_users=(), title="Réponse à l'Ambassade du Ghana"):
        return services.signature_item_submit(
            drafter=drafter or people.conseiller1,
            category=cats[code],
            title=title,
            body="Monsieur l'Ambassadeur,\n\nJ'ai l'honneur de vous faire connaître la position du Togo.",
            visa_users=visa_users,
        )

    return _make


@pytest.fixture
def make_directive(people):
    def _make(*, deadline=None, advisers=None, subject="Préparer la commission mixte Togo–Ghana"):
        import django.utils.timezone as tz

        today = tz.localdate()
        return directive_services.directive_create(
            actor=people.ministre,
            subject=subject,
            text="Le Ministre demande un rapport.",
            issued_on=today - datetime.timedelta(days=5),
            deadline=deadline or today + datetime.timedelta(days=10),
            domain="Afrique",
            advisers=advisers or [people.conseiller1],
        )

    return _make


def sign_holders(item):
    """Usernames holding the sign permission on ``item``."""
    from delegations.models import SignatureItemUserObjectPermission

    return set(
        SignatureItemUserObjectPermission.objects.filter(
            content_object=item, permission__codename="sign_signatureitem"
        ).values_list("user__username", flat=True)
    )


@pytest.fixture
def as_user(db):
    """``as_user(user)``: a test client of its own signed in as ``user`` (several people can
    act in one test without one login replacing the other)."""
    from django.test import Client

    def _as(user):
        client = Client()
        client.force_login(user)
        return client

    return _as
