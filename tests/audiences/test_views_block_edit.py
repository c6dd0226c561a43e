"""« Modifier » a block from the agenda: the creation form pre-filled, French errors next to
the field with what was typed kept, and 403/404/405 like « Lever »."""

import pytest
from django.urls import reverse

from audiences import services
from audiences.models import Unavailability

from .conftest import at

pytestmark = pytest.mark.django_db


def form_data(day, start="09:00", end="10:30", **extra):
    return {
        "title": "Conseil des ministres",
        "kind": "conseil",
        "starts_at": f"{day:%d/%m/%Y} {start}",
        "ends_at": f"{day:%d/%m/%Y} {end}",
        "note": "",
        **extra,
    }


def test_the_creation_page_still_says_bloquer(login, people):
    page = login(people.attache).get(reverse("audiences:block_create")).content.decode()
    assert "Bloquer un créneau de l'agenda" in page and "Modifier l'indisponibilité" not in page


def test_the_week_shows_a_modifier_link_next_to_lever(login, people, council, day):
    page = login(people.attache).get(reverse("audiences:week"), {"jour": day.isoformat()}).content.decode()
    assert reverse("audiences:block_edit", args=[council.pk]) in page
    assert reverse("audiences:block_lift", args=[council.pk]) in page


def test_the_form_opens_pre_filled_in_french_dates(login, people, council, day):
    response = login(people.chef_sp).get(reverse("audiences:block_edit", args=[council.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Modifier l'indisponibilité : Conseil des ministres" in page
    assert 'value="Conseil des ministres"' in page
    assert f'value="{day:%d/%m/%Y} 08:00"' in page and f'value="{day:%d/%m/%Y} 09:30"' in page


def test_moving_the_council_by_an_hour_shows_the_new_time_in_the_week(login, people, council, day):
    client = login(people.attache)
    response = client.post(reverse("audiences:block_edit", args=[council.pk]), form_data(day))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('audiences:week')}?jour={day.isoformat()}"
    week = client.get(response["Location"]).content.decode()
    assert "Indisponibilité modifiée." in week
    assert "09:00–10:30" in week and "08:00–09:30" not in week
    assert Unavailability.objects.get(pk=council.pk).sequence == 1


def test_overlap_with_an_audience_is_shown_next_to_the_start_and_input_kept(login, people, council, programmed, day):
    programmed(hour=10)
    response = login(people.attache).post(
        reverse("audiences:block_edit", args=[council.pk]), form_data(day, note="Déplacé par le SGG")
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["starts_at"]
    assert "Ambassade du Ghana" in error and f"{day:%d/%m/%Y} 10:00–10:30" in error
    page = response.content.decode()
    assert f'value="{day:%d/%m/%Y} 09:00"' in page and "Déplacé par le SGG" in page
    assert Unavailability.objects.get(pk=council.pk).starts_at == at(day, 8)


def test_bad_input_gets_french_errors_and_keeps_what_was_typed(login, people, council, day):
    response = login(people.attache).post(
        reverse("audiences:block_edit", args=[council.pk]),
        form_data(day, end="07:00", title="Conseil extraordinaire", starts_at="31/02/2026 09:00"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "starts_at" in errors
    page = response.content.decode()
    assert 'value="31/02/2026 09:00"' in page and 'value="Conseil extraordinaire"' in page
    assert Unavailability.objects.get(pk=council.pk).title == "Conseil des ministres"


def test_an_end_before_the_start_is_refused_next_to_the_end(login, people, council, day):
    response = login(people.attache).post(
        reverse("audiences:block_edit", args=[council.pk]), form_data(day, end="07:00")
    )
    assert response.context["form"].errors["ends_at"] == ["La fin doit être postérieure au début."]


def test_a_lifted_block_is_not_opened_for_correction(login, people, council, day):
    services.unavailability_lift(block=council, by=people.attache)
    client = login(people.attache)
    response = client.post(reverse("audiences:block_edit", args=[council.pk]), form_data(day), follow=True)
    assert "a été levée" in response.content.decode()
    assert Unavailability.objects.get(pk=council.pk).starts_at == at(day, 8)


def test_without_the_right_to_programme_the_page_is_forbidden(login, people, council, day):
    client = login(people.secretariat)
    assert client.get(reverse("audiences:block_edit", args=[council.pk])).status_code == 403
    assert client.post(reverse("audiences:block_edit", args=[council.pk]), form_data(day)).status_code == 403
    assert Unavailability.objects.get(pk=council.pk).starts_at == at(day, 8)


def test_a_block_that_does_not_exist_answers_404(login, people):
    assert login(people.attache).get(reverse("audiences:block_edit", args=[999999])).status_code == 404


def test_wrong_method_answers_405(login, people, council):
    assert login(people.attache).delete(reverse("audiences:block_edit", args=[council.pk])).status_code == 405
