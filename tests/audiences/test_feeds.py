"""The private iCalendar feed: RFC 5545 as read by the icalendar library."""

import datetime

import pytest
from django.forms import SplitDateTimeField
from django.urls import reverse
from icalendar import Calendar

from audiences import services
from audiences.feeds import audience_uid

from .conftest import at

pytestmark = pytest.mark.django_db


def fetch(client, user):
    token = services.feed_token_for(user).token
    response = client.get(reverse("audiences:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_feed_uids_sequence_status_after_a_move_and_a_cancellation(client, people, programmed, day):
    moved, cancelled = programmed(hour=9), programmed(hour=11)
    events = fetch(client, people.ministre)
    assert set(events) == {audience_uid(moved), audience_uid(cancelled)}
    assert int(events[audience_uid(moved)]["SEQUENCE"]) == 0
    assert str(events[audience_uid(moved)]["STATUS"]) == "TENTATIVE"

    services.audience_confirm(audience=moved, by=people.protocole)
    services.audience_move(
        audience=moved, by=people.attache, starts_at=at(day, 15), ends_at=at(day, 15, 30), reason="Demande du ministre"
    )
    services.audience_cancel(audience=cancelled, by=people.attache, reason="Empêchement")

    events = fetch(client, people.ministre)
    # The same UIDs: clients update their entries instead of adding new ones.
    assert set(events) == {audience_uid(moved), audience_uid(cancelled)}
    moved_event = events[audience_uid(moved)]
    assert int(moved_event["SEQUENCE"]) == 2  # confirmed (TENTATIVE → CONFIRMED), then moved
    assert moved_event.decoded("DTSTART") == at(day, 15)
    assert str(moved_event["STATUS"]) == "TENTATIVE"  # to be confirmed again by the protocol
    cancelled_event = events[audience_uid(cancelled)]
    assert str(cancelled_event["STATUS"]) == "CANCELLED"
    assert int(cancelled_event["SEQUENCE"]) == 1


def test_confirmed_audience_is_confirmed_in_the_feed(client, people, programmed):
    audience = services.audience_confirm(audience=programmed(), by=people.protocole)
    assert str(fetch(client, people.attache)[audience_uid(audience)]["STATUS"]) == "CONFIRMED"


def test_confidential_audience_is_absent_from_the_protocol_feed(client, people, programmed):
    ordinary, secret = programmed(hour=9), programmed(hour=11, is_confidential=True)
    assert set(fetch(client, people.protocole)) == {audience_uid(ordinary)}
    assert set(fetch(client, people.directeur)) == {audience_uid(ordinary), audience_uid(secret)}
    services.audience_grant_access(audience=secret, by=people.attache, user=people.protocole)
    assert set(fetch(client, people.protocole)) == {audience_uid(ordinary), audience_uid(secret)}


def test_unknown_or_renewed_token_answers_404(client, people, programmed):
    programmed()
    old = services.feed_token_for(people.ministre).token
    assert client.get(reverse("audiences:feed", args=["pas-un-jeton"])).status_code == 404
    services.feed_token_renew(user=people.ministre)
    assert client.get(reverse("audiences:feed", args=[old])).status_code == 404
    new = services.feed_token_for(people.ministre).token
    assert new != old
    assert client.get(reverse("audiences:feed", args=[new])).status_code == 200


def test_feed_of_an_inactive_person_answers_404(client, people):
    token = services.feed_token_for(people.attache).token
    people.attache.is_active = False
    people.attache.save(update_fields=["is_active"])
    assert client.get(reverse("audiences:feed", args=[token])).status_code == 404


def test_renewing_the_token_from_the_settings_page(login, people):
    client = login(people.ministre)
    old = services.feed_token_for(people.ministre).token
    assert old in client.get(reverse("audiences:feed_settings")).content.decode()
    assert client.post(reverse("audiences:feed_settings")).status_code == 302
    assert services.feed_token_for(people.ministre).token != old


def test_blocks_are_in_the_agenda_readers_feed_and_cancelled_when_lifted(client, people, day):
    from audiences.feeds import block_uid
    from audiences.models import Unavailability

    block = services.unavailability_create(
        by=people.chef_sp,
        title="Conseil des ministres",
        kind=Unavailability.Kind.COUNCIL,
        starts_at=at(day, 15),
        ends_at=at(day, 18),
    )
    assert str(fetch(client, people.ministre)[block_uid(block)]["STATUS"]) == "CONFIRMED"
    assert block_uid(block) not in fetch(client, people.protocole)
    services.unavailability_lift(block=block, by=people.chef_sp)
    event = fetch(client, people.ministre)[block_uid(block)]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


# --- SEQUENCE: every change to what an event shows is a new revision --------------------------
# Phones and Outlook replace an event they hold only when its SEQUENCE rises: without it, they
# keep the old time, text or status.
def event_of(client, user, audience):
    return fetch(client, user)[audience_uid(audience)]


def test_a_purpose_corrected_with_modifier_la_demande_is_a_new_revision(client, login, people, programmed):
    from .test_views_edit import form_data

    audience = programmed()
    before = event_of(client, people.ministre, audience)
    corrected = "Commission mixte et visite d'État du Président ghanéen"
    response = login(people.attache).post(
        reverse("audiences:edit", args=[audience.pk]), form_data(audience, purpose=corrected)
    )
    assert response.status_code == 302
    client.logout()
    after = event_of(client, people.ministre, audience)
    assert str(before["DESCRIPTION"]) == "Préparation de la commission mixte"
    assert str(after["DESCRIPTION"]) == corrected
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


@pytest.mark.parametrize(
    ("field", "value", "property_", "shown"),
    [
        ("on_behalf_of", "Union africaine", "SUMMARY", "Audience : Union africaine"),
        ("requester", "other", "SUMMARY", "Audience : Ambassade du Nigeria"),
        ("is_confidential", True, "CLASS", "CONFIDENTIAL"),
    ],
)
def test_a_postponed_audience_corrected_is_a_new_revision(client, people, programmed, field, value, property_, shown):
    """A postponed audience stays in the feed (CANCELLED) and its whole request may still be
    corrected before it is programmed again."""
    from correspondence.models import Correspondent

    audience = services.audience_cancel(audience=programmed(), by=people.attache, reason="Report", postpone=True)
    before = event_of(client, people.ministre, audience)
    if value == "other":
        value = Correspondent.objects.create(name="Ambassade du Nigeria", kind=Correspondent.Kind.EMBASSY)
    _audience, changed = services.audience_update(actor=people.attache, audience=audience, **{field: value})
    assert changed
    after = event_of(client, people.ministre, audience)
    assert str(after.get(property_)) == shown != str(before.get(property_))
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_the_protocols_confirmation_is_a_new_revision(client, people, programmed):
    audience = programmed()
    before = event_of(client, people.ministre, audience)
    services.audience_confirm(audience=audience, by=people.protocole)
    after = event_of(client, people.ministre, audience)
    assert (str(before["STATUS"]), str(after["STATUS"])) == ("TENTATIVE", "CONFIRMED")
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_held_is_a_new_revision_only_when_the_status_shown_changes(client, people, programmed, day):
    from audiences.models import Audience

    tentative, confirmed = programmed(hour=9), programmed(hour=11)
    services.audience_confirm(audience=confirmed, by=people.protocole)
    # Both moved a month back (the service refuses to mark held an audience still ahead).
    Audience.objects.filter(pk__in=[tentative.pk, confirmed.pk]).update(
        starts_at=at(day, 9) - datetime.timedelta(days=30), ends_at=at(day, 9, 30) - datetime.timedelta(days=30)
    )
    before = fetch(client, people.ministre)
    for audience in (tentative, confirmed):
        services.audience_mark_held(audience=audience, by=people.attache)
    after = fetch(client, people.ministre)
    uid = audience_uid(tentative)
    assert (str(after[uid]["STATUS"]), int(after[uid]["SEQUENCE"])) == ("CONFIRMED", int(before[uid]["SEQUENCE"]) + 1)
    uid = audience_uid(confirmed)
    assert (str(after[uid]["STATUS"]), int(after[uid]["SEQUENCE"])) == ("CONFIRMED", int(before[uid]["SEQUENCE"]))


def test_the_report_of_an_audience_still_tentative_is_a_new_revision(client, people, programmed, day):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audiences.models import Audience
    from tests.correspondence.conftest import pdf_bytes

    audience = programmed()
    Audience.objects.filter(pk=audience.pk).update(
        starts_at=at(day, 10) - datetime.timedelta(days=30), ends_at=at(day, 10, 30) - datetime.timedelta(days=30)
    )
    before = event_of(client, people.ministre, audience)
    report = SimpleUploadedFile("compte-rendu.pdf", pdf_bytes(), content_type="application/pdf")
    services.audience_report_attach(audience=audience, by=people.attache, upload=report)
    after = event_of(client, people.ministre, audience)
    assert (str(after["STATUS"]), int(after["SEQUENCE"])) == ("CONFIRMED", int(before["SEQUENCE"]) + 1)


def test_what_the_event_does_not_show_is_no_new_revision(client, people, programmed):
    audience = programmed()
    before = event_of(client, people.ministre, audience)
    services.audience_update(
        actor=people.attache,
        audience=audience,
        languages="anglais, éwé",
        participants=[{"name": "Mme Ama Owusu", "title": "Première secrétaire"}],
    )
    services.audience_preparation_update(actor=people.attache, audience=audience, needs_press=True)
    assert int(event_of(client, people.ministre, audience)["SEQUENCE"]) == int(before["SEQUENCE"])


# --- What the feed shows, changed outside the audience services ------------------------------


def admin_change(client, url: str, **changes):
    """Submit an admin change form as its page shows it, with ``changes`` (by field name)."""
    page = client.get(url)
    assert page.status_code == 200
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
        forms += formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, SplitDateTimeField):
                data.update({f"{form[name].html_name}_0": "", f"{form[name].html_name}_1": ""} if value is None else {})
            elif isinstance(value, bool):
                if value:
                    data[form[name].html_name] = "on"
            elif isinstance(value, list):
                data[form[name].html_name] = [str(v) for v in value]
            else:
                data[form[name].html_name] = "" if value is None else str(value)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def test_a_requester_renamed_in_the_directory_is_a_new_revision(client, people, programmed, requester):
    from correspondence.services import correspondent_update

    titled, on_behalf = programmed(hour=9), programmed(hour=11, on_behalf_of="Union africaine")
    before = fetch(client, people.ministre)
    correspondent_update(correspondent=requester, phone="+228 22 21 00 00")  # not shown: no revision
    correspondent_update(correspondent=requester, name="Haut-commissariat du Ghana")
    correspondent_update(correspondent=requester, acronym="HCG")
    after = fetch(client, people.ministre)
    uid = audience_uid(titled)
    assert str(after[uid]["SUMMARY"]) == "Audience : Haut-commissariat du Ghana (HCG)"
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 2
    uid = audience_uid(on_behalf)  # titled with the body it is requested for: unchanged
    assert str(after[uid]["SUMMARY"]) == "Audience : Union africaine"
    assert after[uid]["SEQUENCE"] == before[uid]["SEQUENCE"]


def test_a_requester_renamed_in_the_admin_is_a_new_revision(client, login, people, programmed, requester):
    audience = programmed()
    before = event_of(client, people.ministre, audience)
    url = reverse("admin:correspondence_correspondent_change", args=[requester.pk])
    admin = login(people.admin)
    admin_change(admin, url, phone="+228 22 21 00 00")
    admin_change(admin, url, name="Haut-commissariat du Ghana")
    admin.logout()
    after = event_of(client, people.ministre, audience)
    assert str(after["SUMMARY"]) == "Audience : Haut-commissariat du Ghana"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_an_audience_corrected_in_the_admin_is_a_new_revision(client, login, people, programmed):
    audience = programmed()
    before = event_of(client, people.ministre, audience)
    url = reverse("admin:audiences_audience_change", args=[audience.pk])
    admin = login(people.admin)
    admin_change(admin, url, protocol_notes="Préséance : l'ambassadeur d'abord")  # not shown
    admin_change(admin, url, purpose="Visite d'État du Président ghanéen")
    admin.logout()
    after = event_of(client, people.ministre, audience)
    assert str(after["DESCRIPTION"]) == "Visite d'État du Président ghanéen"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_a_place_renamed_in_the_admin_is_a_new_revision(client, login, people, programmed, place):
    audience = programmed()
    before = event_of(client, people.ministre, audience)
    admin = login(people.admin)
    admin_change(admin, reverse("admin:audiences_place_change", args=[place.pk]), name="Salon d'honneur")
    admin.logout()
    after = event_of(client, people.ministre, audience)
    assert str(after["LOCATION"]) == "Salon d'honneur"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
