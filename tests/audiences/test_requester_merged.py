"""A requester merged in the directory (``correspondence.services.correspondent_merge``, from
the directory's page or the administration): the audiences it requested name the surviving
entry everywhere (page, list, week, edit form, phone calendar), a line in their history says
so, and the events titled with its name are a new revision; the others are left alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audiences import services
from audiences.feeds import audience_uid
from audiences.models import Audience, AudienceEvent
from correspondence.models import Correspondent
from correspondence.services import correspondent_merge

from .test_feeds import admin_change, fetch
from .test_views_edit import edit_url, form_data

pytestmark = pytest.mark.django_db

MISSPELT = "Ambasade du Ghanna"
MERGED = "Demandeur fusionné dans l&#x27;annuaire"  # as the pages escape it


@pytest.fixture
def duplicate(db):
    """A misspelt copy of ``requester`` (« Ambassade du Ghana »), to be merged into it."""
    return Correspondent.objects.create(name=MISSPELT, kind=Correspondent.Kind.EMBASSY)


def merge(people, duplicate, into) -> None:
    correspondent_merge(duplicate=duplicate, into=into, actor=people.secretariat)


def test_after_a_merge_the_page_the_list_and_the_week_name_the_surviving_entry(
    login, people, programmed, requester, duplicate, day
):
    audience = programmed(requester=duplicate)
    merge(people, duplicate, requester)
    client = login(people.attache)
    detail = client.get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    request_part, history = detail.split('id="historique"')
    pages = (
        request_part,
        client.get(reverse("audiences:list")).content.decode(),
        client.get(reverse("audiences:week"), {"jour": day.isoformat()}).content.decode(),
    )
    for page in pages:
        assert "Ambassade du Ghana" in page and MISSPELT not in page
    # The history says who merged, and from which entry to which.
    assert MERGED in history and people.secretariat.display_name in history
    assert "Demandeur : Ambasade du Ghanna → Ambassade du Ghana" in history
    event = audience.events.order_by("-id").first()
    assert (event.kind, event.actor) == (AudienceEvent.Kind.REQUESTER_MERGED, people.secretariat)


def test_the_feed_names_the_surviving_entry_in_a_new_revision_of_those_events_only(
    client, people, programmed, requester, duplicate
):
    titled = programmed(hour=9, requester=duplicate)
    on_behalf = programmed(hour=10, requester=duplicate, on_behalf_of="Union africaine")
    other = programmed(hour=11)  # requested by the surviving entry itself
    before = fetch(client, people.ministre)
    merge(people, duplicate, requester)
    after = fetch(client, people.ministre)
    uid = audience_uid(titled)
    assert str(after[uid]["SUMMARY"]) == "Audience : Ambassade du Ghana"
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    # Titled with the body it is requested for, or already with the surviving name: unchanged.
    for audience in (on_behalf, other):
        uid = audience_uid(audience)
        assert (after[uid]["SUMMARY"], after[uid]["SEQUENCE"]) == (before[uid]["SUMMARY"], before[uid]["SEQUENCE"])
    assert Audience.objects.get(pk=on_behalf.pk).requester == requester


def test_only_the_audiences_of_the_merged_entry_get_a_history_line(people, make_request, requester, duplicate):
    mine, theirs = make_request(requester=duplicate), make_request()
    unused = Correspondent.objects.create(name="Ambassade du Ghana (bis)")
    events = AudienceEvent.objects.count()
    merge(people, unused, requester)  # it requested no audience: nothing written on them
    assert AudienceEvent.objects.count() == events
    merge(people, duplicate, requester)
    assert AudienceEvent.objects.count() == events + 1
    assert mine.events.filter(kind=AudienceEvent.Kind.REQUESTER_MERGED).count() == 1
    assert not theirs.events.filter(kind=AudienceEvent.Kind.REQUESTER_MERGED).exists()


def test_an_audience_of_an_entry_merged_into_the_duplicate_earlier_follows_too(
    people, make_request, requester, duplicate
):
    earlier = Correspondent.objects.create(name="Ghana (ambassade)")
    before_the_fix = make_request(requester=earlier)
    # Merged before audiences followed merges: the audience still names it.
    Correspondent.objects.filter(pk=earlier.pk).update(merged_into=duplicate, is_active=False)
    older = Correspondent.objects.create(name="Ambassade Ghana")
    through_the_service = make_request(requester=older)
    merge(people, older, duplicate)

    merge(people, duplicate, requester)
    for audience in (before_the_fix, through_the_service):
        audience.refresh_from_db()
        assert audience.requester == requester
    assert list(
        before_the_fix.events.filter(kind=AudienceEvent.Kind.REQUESTER_MERGED).values_list("comment", flat=True)
    ) == ["Demandeur : Ghana (ambassade) → Ambassade du Ghana"]
    assert list(
        through_the_service.events.filter(kind=AudienceEvent.Kind.REQUESTER_MERGED)
        .order_by("id")
        .values_list("comment", flat=True)
    ) == ["Demandeur : Ambassade Ghana → Ambasade du Ghanna", "Demandeur : Ambasade du Ghanna → Ambassade du Ghana"]


def test_a_merge_moves_one_or_many_audiences_in_the_same_number_of_queries(people, programmed, requester):
    counts = []
    for how_many in (1, 4):
        duplicate = Correspondent.objects.create(name=f"Ambassade du Ghana ({how_many})")
        audiences = [programmed(hour=8 + 2 * n, requester=duplicate) for n in range(how_many)]
        with CaptureQueriesContext(connection) as ctx:
            merge(people, duplicate, requester)
        counts.append(len(ctx))
        assert {audience.pk for audience in requester.audiences.all()} >= {audience.pk for audience in audiences}
        Audience.objects.filter(pk__in=[audience.pk for audience in audiences]).delete()  # free the day
    assert counts[0] == counts[1]


def test_the_edit_form_offers_and_keeps_the_surviving_entry(login, people, make_request, requester, duplicate):
    audience = make_request(requester=duplicate)
    merge(people, duplicate, requester)
    client = login(people.attache)
    page = client.get(edit_url(audience)).content.decode()
    assert f'<input type="hidden" name="requester" value="{requester.pk}"><span>Ambassade du Ghana</span>' in page
    audience.refresh_from_db()
    response = client.post(edit_url(audience), form_data(audience, purpose="Objet corrigé"))
    assert response.status_code == 302
    audience.refresh_from_db()
    assert (audience.requester, audience.purpose) == (requester, "Objet corrigé")


def test_a_form_opened_before_the_merge_is_refused_once_naming_it_then_saves_with_the_surviving_entry(
    login, people, make_request, requester, duplicate
):
    audience = make_request(requester=duplicate)
    client = login(people.attache)
    seen = client.get(edit_url(audience)).context["form"]["seen_event"].value()
    typed = form_data(audience, purpose="Objet corrigé", seen_event=seen)  # posts the duplicate
    merge(people, duplicate, requester)

    response = client.post(edit_url(audience), typed)
    assert response.status_code == 200
    body = response.content.decode()
    assert "La demande a été modifiée depuis que vous l&#x27;avez ouverte" in body
    assert MERGED.lower() in body and people.secretariat.display_name in body
    assert f'<input type="hidden" name="requester" value="{requester.pk}"><span>Ambassade du Ghana</span>' in body
    assert "requester" not in response.context["form"].errors

    confirmed = client.post(edit_url(audience), {**typed, "seen_event": services.last_event(audience)})
    assert confirmed.status_code == 302
    audience.refresh_from_db()
    assert (audience.requester, audience.purpose) == (requester, "Objet corrigé")


def test_a_merge_made_in_the_administration_moves_the_audiences_too(
    client, login, people, programmed, requester, duplicate
):
    audience = programmed(requester=duplicate)
    before = fetch(client, people.ministre)[audience_uid(audience)]
    admin = login(people.admin)
    admin_change(
        admin, reverse("admin:correspondence_correspondent_change", args=[duplicate.pk]), merged_into=requester.pk
    )
    admin.logout()
    duplicate.refresh_from_db()
    assert (duplicate.merged_into, duplicate.is_active) == (requester, False)
    after = fetch(client, people.ministre)[audience_uid(audience)]
    assert str(after["SUMMARY"]) == "Audience : Ambassade du Ghana"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    event = audience.events.order_by("-id").first()
    assert (event.kind, event.actor) == (AudienceEvent.Kind.REQUESTER_MERGED, people.admin)


def test_the_administration_refuses_a_merge_into_a_merged_entry_and_changes_nothing(
    login, people, make_request, requester, duplicate
):
    audience = make_request(requester=duplicate)
    correspondent_merge(duplicate=requester, into=Correspondent.objects.create(name="Ghana"), actor=people.admin)
    response = login(people.admin).post(
        reverse("admin:correspondence_correspondent_change", args=[duplicate.pk]),
        {"name": MISSPELT, "kind": Correspondent.Kind.EMBASSY, "is_active": "on", "merged_into": requester.pk},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["merged_into"] == [
        "Ce correspondant a lui-même été fusionné dans un autre."
    ]
    duplicate.refresh_from_db()
    audience.refresh_from_db()
    assert (duplicate.merged_into, duplicate.is_active, audience.requester) == (None, True, duplicate)
