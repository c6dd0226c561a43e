import datetime

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from cabinet.models import Mandate
from cabinet.roles import Role
from cabinet.selectors import holders_of, minister_in_office, roles_of
from cabinet.services import mandate_create, mandate_end
from tests.factories import UserFactory


@pytest.mark.django_db
def test_roles_follow_mandates_in_force(people):
    assert roles_of(people.directeur) == {Role.DIRECTEUR_CABINET}
    assert roles_of(people.outsider) == frozenset()


@pytest.mark.django_db
def test_mandate_ended_yesterday_gives_no_role_today(people):
    mandate = Mandate.objects.get(user=people.attache)
    with freeze_time("2026-03-10 09:00"):
        mandate_end(mandate=mandate, end_date=datetime.date(2026, 3, 9))
        fresh = type(people.attache).objects.get(pk=people.attache.pk)
        assert roles_of(fresh) == frozenset()
        assert not fresh.has_perm("cabinet.view_organisation")
        assert roles_of(fresh, day=datetime.date(2026, 3, 9)) == {Role.ATTACHE}


@pytest.mark.django_db
def test_rights_end_at_midnight_without_editing_groups(people):
    Mandate.objects.filter(user=people.attache).update(end_date=datetime.date(2026, 3, 9))
    with freeze_time("2026-03-09 23:59"):
        fresh = type(people.attache).objects.get(pk=people.attache.pk)
        assert fresh.has_perm("cabinet.view_organisation")
    with freeze_time("2026-03-10 00:01"):
        fresh = type(people.attache).objects.get(pk=people.attache.pk)
        assert not fresh.has_perm("cabinet.view_organisation")


@pytest.mark.django_db
def test_single_holder_post_refuses_overlapping_ordinary_mandate(people):
    newcomer = UserFactory(username="nouveau")
    with pytest.raises(ValidationError) as excinfo:
        mandate_create(user=newcomer, position=people.positions["dircab"], start_date=datetime.date(2026, 1, 1))
    message = " ".join(excinfo.value.message_dict["start_date"])
    assert "AKAKPO" in message and "01/09/2025" in message
    assert not Mandate.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_single_holder_post_accepts_successor_after_end(people):
    current = Mandate.objects.get(user=people.directeur)
    mandate_end(mandate=current, end_date=datetime.date(2026, 6, 30))
    successor = UserFactory(username="successeur")
    mandate = mandate_create(user=successor, position=people.positions["dircab"], start_date=datetime.date(2026, 7, 1))
    assert mandate.pk


@pytest.mark.django_db
def test_mandate_cannot_end_before_it_starts(people):
    with pytest.raises(ValidationError) as excinfo:
        mandate_create(
            user=people.outsider,
            position=people.positions["ct-afrique"],
            start_date=datetime.date(2026, 5, 1),
            end_date=datetime.date(2026, 4, 1),
        )
    assert "end_date" in excinfo.value.message_dict


@pytest.mark.django_db
def test_several_advisers_may_hold_the_same_kind_of_post(people):
    mandate_create(user=people.outsider, position=people.positions["ct-afrique"], start_date=datetime.date(2026, 1, 1))
    assert Role.CONSEILLER in roles_of(people.outsider)


@pytest.mark.django_db
def test_interim_gives_the_posts_powers_for_its_period(people):
    with freeze_time("2026-08-05"):
        mandate_create(
            user=people.directeur,
            position=people.positions["ministre"],
            start_date=datetime.date(2026, 8, 1),
            end_date=datetime.date(2026, 8, 15),
            is_interim=True,
        )
        assert Role.MINISTRE in roles_of(type(people.directeur).objects.get(pk=people.directeur.pk))
        assert set(holders_of(Role.MINISTRE)) == {people.ministre, people.directeur}
        assert minister_in_office() == people.ministre
    with freeze_time("2026-08-16"):
        assert Role.MINISTRE not in roles_of(type(people.directeur).objects.get(pk=people.directeur.pk))


@pytest.mark.django_db
def test_two_interims_on_one_post_cannot_overlap(people):
    kwargs = {"position": people.positions["ministre"], "is_interim": True}
    mandate_create(
        user=people.directeur, start_date=datetime.date(2026, 8, 1), end_date=datetime.date(2026, 8, 15), **kwargs
    )
    with pytest.raises(ValidationError):
        mandate_create(
            user=people.attache, start_date=datetime.date(2026, 8, 10), end_date=datetime.date(2026, 8, 20), **kwargs
        )


@pytest.mark.django_db
def test_model_permissions_from_the_person_and_the_groups_in_one_query(people):
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cabinet.backends import ModelBackend

    User = type(people.outsider)
    group = Group.objects.create(name="Lecteurs des lieux")
    group.permissions.add(Permission.objects.get(codename="view_holiday"))
    people.outsider.groups.add(group)
    people.outsider.user_permissions.add(Permission.objects.get(codename="change_holiday"))
    outsider = User.objects.get(pk=people.outsider.pk)
    with CaptureQueriesContext(connection) as queries:
        perms = ModelBackend().get_all_permissions(outsider)
        assert outsider.has_perm("cabinet.view_holiday") and outsider.has_perm("cabinet.change_holiday")
    assert perms == {"cabinet.view_holiday", "cabinet.change_holiday"}
    # The same answer as Django's own backend, in one query.
    assert perms == django_model_backend_permissions(User.objects.get(pk=outsider.pk))
    assert len([q for q in queries.captured_queries if "auth_permission" in q["sql"]]) == 1
    assert not outsider.has_perm("cabinet.delete_holiday")
    inactive = User.objects.get(pk=outsider.pk)
    inactive.is_active = False
    assert ModelBackend().get_all_permissions(inactive) == set()
    superuser = User.objects.create_superuser("racine", password="x")
    assert ModelBackend().get_all_permissions(superuser) == django_model_backend_permissions(
        User.objects.get(pk=superuser.pk)
    )


def django_model_backend_permissions(user):
    from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

    return DjangoModelBackend().get_all_permissions(user)
