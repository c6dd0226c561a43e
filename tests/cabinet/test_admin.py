import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cabinet.models import Mandate
from tests.factories import UserFactory


@pytest.mark.django_db
def test_only_the_administrators_group_enters_the_admin(people, login, settings):
    assert login(people.directeur).get(reverse("admin:index")).status_code == 404
    member = UserFactory(username="gestionnaire")
    member.groups.add(Group.objects.get(name=settings.CABINET_ADMIN_GROUP))
    response = login(member).get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Cabinet — administration" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_admin_visit_goes_to_the_application_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == "/compte/connexion/?next=/admin/"
    assert "Connexion" in response.content.decode()


@pytest.mark.django_db
def test_admin_pages_for_roles_are_in_french(people, login):
    client = login(people.admin)
    for name in [
        "admin:cabinet_orgunit_changelist",
        "admin:cabinet_position_changelist",
        "admin:cabinet_mandate_changelist",
        "admin:cabinet_user_changelist",
        "admin:cabinet_holiday_changelist",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    content = client.get(reverse("admin:cabinet_mandate_changelist")).content.decode()
    assert "Sélectionnez l’objet mandat à changer" in content or "mandat" in content
    search = client.get(reverse("admin:cabinet_user_changelist"), {"q": "AKAKPO"}).content.decode()
    assert "directeur" in search


@pytest.mark.django_db
def test_admin_object_permissions_page_is_available(people, login):
    unit = people.units["cab"]
    response = login(people.admin).get(reverse("admin:cabinet_orgunit_permissions", args=[unit.pk]))
    assert response.status_code == 200


def _mandate_form(people, **overrides):
    data = {
        "user": people.outsider.pk,
        "position": people.positions["attache"].pk,
        "start_date": "2026-01-01",
        "end_date": "",
        "act_reference": "Arrêté n° 12",
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_refuses_overlapping_mandate_on_single_holder_post_naming_the_conflict(people, login):
    client = login(people.admin)
    response = client.post(reverse("admin:cabinet_mandate_add"), _mandate_form(people))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Conflit" in content and "MENSAH" in content
    assert "Arrêté n° 12" in content  # what was typed is kept
    assert not Mandate.objects.filter(user=people.outsider).exists()


@pytest.mark.django_db
def test_admin_refuses_mandate_ending_before_it_starts(people, login):
    client = login(people.admin)
    data = _mandate_form(
        people, position=people.positions["ct-multi"].pk, start_date="2026-05-01", end_date="2026-04-01"
    )
    response = client.post(reverse("admin:cabinet_mandate_add"), data)
    assert "La fin du mandat ne peut pas précéder son début." in response.content.decode()
    assert not Mandate.objects.filter(user=people.outsider).exists()


@pytest.mark.django_db
def test_admin_inline_refuses_two_overlapping_rows_in_one_submission(people, login):
    client = login(people.admin)
    user = people.outsider
    url = reverse("admin:cabinet_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    # Give the outsider two overlapping intérims of the minister in the same form.
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "08:00:00",
        "civility": "",
        "title": "",
        "phone": "",
        "mandates-TOTAL_FORMS": "2",
        "mandates-INITIAL_FORMS": "0",
        "mandates-MIN_NUM_FORMS": "0",
        "mandates-MAX_NUM_FORMS": "1000",
        "mandates-0-position": people.positions["ministre"].pk,
        "mandates-0-start_date": "2026-08-01",
        "mandates-0-end_date": "2026-08-15",
        "mandates-0-is_interim": "on",
        "mandates-0-act_reference": "",
        "mandates-1-position": people.positions["ministre"].pk,
        "mandates-1-start_date": "2026-08-10",
        "mandates-1-end_date": "2026-08-20",
        "mandates-1-is_interim": "on",
        "mandates-1-act_reference": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Conflit" in response.content.decode()
    assert not Mandate.objects.filter(user=user).exists()
