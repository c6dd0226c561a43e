"""The requester picker of an audience request: the directory's as-you-type lookup answers
whoever may record or correct a request (``audiences.add_audience``), mandate or not, and
still nobody else."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from correspondence.models import Correspondent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOOKUP = "correspondence:correspondent_lookup"


def given(username: str, codename: str):
    """A person with no mandate at all, given one right of the audiences app directly."""
    user = UserFactory(username=username)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="audiences", codename=codename))
    return user


@pytest.fixture
def ghana(db):
    return Correspondent.objects.create(name="Ambassade du Ghana", kind=Correspondent.Kind.EMBASSY)


def test_who_records_requests_without_a_mandate_finds_the_requester(login, people, ghana):
    client = login(given("stagiaire", "add_audience"))
    page = client.get(reverse("audiences:create")).content.decode()
    assert f'data-search-url="{reverse(LOOKUP)}"' in page

    response = client.get(reverse(LOOKUP), {"q": "ghana"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"id": ghana.pk, "label": "Ambassade du Ghana", "detail": "Ambassade ou représentation diplomatique"}
        ]
    }
    # The rest of the directory stays the register's: its page and inline creation.
    assert client.get(reverse("correspondence:correspondent_list")).status_code == 403
    created = client.post(reverse("correspondence:correspondent_quick_create"), {"name": "PNUD", "kind": "autre"})
    assert created.status_code == 403 and not Correspondent.objects.filter(name="PNUD").exists()


def test_the_lookup_still_refuses_who_neither_records_requests_nor_uses_the_register(login, people, ghana):
    # Another right of the audiences app is not a form that picks correspondents.
    for user in (people.outsider, given("agent-agenda", "view_agenda"), given("agent-protocole", "confirm_audience")):
        assert login(user).get(reverse(LOOKUP), {"q": "ghana"}).status_code == 403


def test_the_lookup_closes_when_the_right_to_record_requests_is_withdrawn(login, people, ghana):
    user = given("stagiaire", "add_audience")
    client = login(user)
    assert client.get(reverse(LOOKUP), {"q": "ghana"}).status_code == 200
    user.user_permissions.clear()
    assert client.get(reverse(LOOKUP), {"q": "ghana"}).status_code == 403
    assert client.get(reverse("audiences:create")).status_code == 403


def test_the_register_and_the_request_recorders_keep_the_lookup(login, people, ghana):
    # A register mandate (a director mail is routed to) or a role that records requests.
    for user in (people.dir_afrique, people.secretariat, people.attache, people.chef_sp):
        response = login(user).get(reverse(LOOKUP), {"q": "ghana"})
        assert response.status_code == 200 and [r["id"] for r in response.json()["results"]] == [ghana.pk]


# --- « + Créer… »: offered to who may create a correspondent, and to nobody else -------------
QUICK_CREATE = "correspondence:correspondent_quick_create"


def test_who_may_not_create_a_correspondent_is_not_offered_to(login, people, ghana):
    client = login(given("stagiaire", "add_audience"))
    page = client.get(reverse("audiences:create")).content.decode()
    assert f'data-search-url="{reverse(LOOKUP)}"' in page  # the lookup, still
    assert "data-create-url" not in page and "data-picker-create" not in page and "+ Créer" not in page
    # What the picker would have posted to answers 403 for this person.
    assert client.post(reverse(QUICK_CREATE), {"name": "PNUD", "kind": "autre"}).status_code == 403


def test_who_manages_the_directory_creates_from_the_request_forms(login, people, make_request):
    audience = make_request()
    for user in (people.secretariat, people.attache, people.chef_sp):
        client = login(user)
        for url in (reverse("audiences:create"), reverse("audiences:edit", args=[audience.pk])):
            page = client.get(url).content.decode()
            assert f'data-create-url="{reverse(QUICK_CREATE)}"' in page and "data-picker-create" in page
    created = client.post(reverse(QUICK_CREATE), {"name": "PNUD", "kind": "autre"})
    assert created.status_code == 201
