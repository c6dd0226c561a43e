"""The history of a block on its « Modifier » page: who blocked it, who corrected it (from
when to when, what else changed), in French dates, read in a constant number of queries; those
who may not open the page get the 403 they got before, without it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audiences import services

from .conftest import at

pytestmark = pytest.mark.django_db


def move(block, by, start, end):
    data = {"title": block.title, "kind": block.kind, "note": block.note, "starts_at": start, "ends_at": end}
    return services.unavailability_update(by=by, block=block, **data)[0]


def test_the_edit_page_shows_who_blocked_and_who_moved_the_slot(login, people, council, day):
    move(council, people.chef_sp, at(day, 9), at(day, 10, 30))
    council.events.filter(action="creee").update(at=at(day, 8) - datetime.timedelta(days=3, hours=1))
    page = login(people.attache).get(reverse("audiences:block_edit", args=[council.pk])).content.decode()
    created_on = f"{day - datetime.timedelta(days=3):%d/%m/%Y} 07:00"
    assert f"Créneau bloqué</strong> — {people.attache.display_name}, {created_on}" in page
    assert f"Indisponibilité modifiée</strong> — {people.chef_sp.display_name}" in page
    d = f"{day:%d/%m/%Y}"
    assert f"du {d} 08:00 – {d} 09:30 au {d} 09:00 – {d} 10:30" in page


def test_the_history_is_read_in_the_same_number_of_queries_for_one_or_five_events(login, people, council, day):
    client = login(people.attache)
    url = reverse("audiences:block_edit", args=[council.pk])
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).content.decode().count("<li><strong>") == 1
    for hour in (9, 10, 11, 12):
        council = move(council, people.attache, at(day, hour), at(day, hour, 45))
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).content.decode().count("<li><strong>") == 5
    assert len(five) == len(one)


def test_only_those_who_programme_see_the_history_others_get_403_as_before(login, people, council):
    url = reverse("audiences:block_edit", args=[council.pk])
    assert "Créneau bloqué" in login(people.chef_sp).get(url).content.decode()
    # The minister sees the block in the week but does not correct it: the page stays closed.
    for user in (people.ministre, people.secretariat, people.outsider):
        response = login(user).get(url)
        assert response.status_code == 403
        assert "Créneau bloqué" not in response.content.decode()


def test_a_lifted_block_shows_who_lifted_it_and_the_week_leads_there(login, people, council, day):
    """Lifted, the block leaves the week's days; the week lists it among the lifted slots, for
    those who programme, and its page (no form any more) says who lifted it and when."""
    services.unavailability_lift(block=council, by=people.chef_sp)
    client = login(people.attache)
    url = reverse("audiences:block_edit", args=[council.pk])
    week = client.get(reverse("audiences:week"), {"jour": day.isoformat()}).content.decode()
    lifted = week.split('id="creneaux-leves"', 1)[1]
    assert f'<a href="{url}">{council.title}</a>' in lifted
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "a été levée : elle ne se modifie plus" in text
    assert f"Créneau levé</strong> — {people.chef_sp.display_name}" in text
    assert "Créneau bloqué</strong>" in text
    assert 'name="starts_at"' not in text  # read, no longer corrected
    # Those who do not programme see neither the list nor the page.
    minister_week = login(people.ministre).get(reverse("audiences:week"), {"jour": day.isoformat()})
    assert 'id="creneaux-leves"' not in minister_week.content.decode()
    assert login(people.ministre).get(url).status_code == 403


def test_the_week_reads_its_lifted_blocks_in_one_query(login, people, council, day):
    client = login(people.attache)
    week = reverse("audiences:week")
    services.unavailability_lift(block=council, by=people.attache)
    with CaptureQueriesContext(connection) as one:
        client.get(week, {"jour": day.isoformat()})
    for hour in (14, 15, 16):
        block = services.unavailability_create(
            by=people.attache, title=f"Bloc {hour}", kind="autre", starts_at=at(day, hour), ends_at=at(day, hour, 30)
        )
        services.unavailability_lift(block=block, by=people.attache)
    with CaptureQueriesContext(connection) as four:
        page = client.get(week, {"jour": day.isoformat()}).content.decode()
    assert page.split('id="creneaux-leves"', 1)[1].count("<li>") == 4
    assert len(four) == len(one)


def test_the_admin_shows_blocks_but_changes_them_only_through_the_agenda(login, people, council):
    """An edit in the admin would skip the overlap rule, the history and the feed's revision:
    blocks are read there, not added, changed or deleted."""
    admin = login(people.admin)
    change = reverse("admin:audiences_unavailability_change", args=[council.pk])
    page = admin.get(change)
    assert page.status_code == 200 and "Créneau bloqué" in page.content.decode()  # read, with its history
    assert admin.post(change, {"title": "Autre chose", "kind": "autre"}).status_code == 403
    assert admin.get(reverse("admin:audiences_unavailability_add")).status_code == 403
    delete = reverse("admin:audiences_unavailability_delete", args=[council.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    council.refresh_from_db()
    assert council.title != "Autre chose"
