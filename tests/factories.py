"""factory_boy factories for the cabinet app. Domain apps add theirs in
tests/<app>/factories.py."""

import datetime

import factory
from django.contrib.auth import get_user_model

from cabinet.models import Mandate, OrgUnit, Position
from cabinet.roles import Role

TEST_PASSWORD = "mot-de-passe-de-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@diplomatie.gouv.tg")
    password = factory.django.Password(TEST_PASSWORD)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Direction n° {n}")
    kind = OrgUnit.Kind.DIRECTION


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    title = factory.Sequence(lambda n: f"Poste {n}")
    kind = Role.CONSEILLER
    unit = factory.SubFactory(OrgUnitFactory)


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    user = factory.SubFactory(UserFactory)
    position = factory.SubFactory(PositionFactory)
    start_date = datetime.date(2025, 1, 1)
    end_date = None
