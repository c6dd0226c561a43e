"""The private iCalendar feed (RFC 5545) of a person's view of the minister's agenda.

Each audience keeps one UID for its whole life; SEQUENCE is the audience's revision, raised by
the services on every change to what its event shows (``FEED_FIELDS`` and the STATUS: a move,
a corrected purpose or requester, the protocol's confirmation, a cancellation…) so phones and
Outlook replace the old entry instead of keeping its text; a cancelled or postponed audience is
sent with STATUS:CANCELLED rather than dropped, so clients remove it. What an event shows from
elsewhere raises it too (``services.feed_revisions``): the requester's name or acronym changed in
the directory, the place renamed, an audience corrected in the administration; and a requester
merged into another entry, which the audience then names (``services.requests``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Audience, AudienceState, Unavailability
from .selectors import may_see_blocks, visible_audiences

# How far back the feed goes; everything ahead is included.
FEED_PAST_DAYS = 60
UID_DOMAIN = "cabinet.diplomatie.gouv.tg"

STATUS = {
    AudienceState.PROGRAMMED: "TENTATIVE",
    AudienceState.CONFIRMED: "CONFIRMED",
    AudienceState.HELD: "CONFIRMED",
    AudienceState.CANCELLED: "CANCELLED",
    AudienceState.POSTPONED: "CANCELLED",
}
# The audience's fields its event shows besides the STATUS (``feed_for``: DTSTART, DTEND,
# SUMMARY, LOCATION, DESCRIPTION, CLASS); keep the two in step. A service that changes one of
# them raises the audience's ``sequence``.
FEED_FIELDS = frozenset({"starts_at", "ends_at", "requester", "on_behalf_of", "place", "purpose", "is_confidential"})


def audience_uid(audience: Audience) -> str:
    return f"audience-{audience.uid}@{UID_DOMAIN}"


def block_uid(block: Unavailability) -> str:
    return f"indisponibilite-{block.uid}@{UID_DOMAIN}"


def feed_for(user) -> bytes:
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    calendar = Calendar()
    calendar.add("prodid", "-//Cabinet MAE Togo//Audiences//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Agenda du ministre")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    audiences = (
        visible_audiences(user)
        .filter(starts_at__isnull=False, ends_at__gte=since, state__in=list(STATUS))
        .select_related("requester", "place")
        .order_by("starts_at")
    )
    stamp = timezone.now()
    for audience in audiences:
        event = Event()
        event.add("uid", audience_uid(audience))
        event.add("dtstamp", stamp)
        event.add("dtstart", audience.starts_at)
        event.add("dtend", audience.ends_at)
        event.add("sequence", audience.sequence)
        event.add("status", STATUS[audience.state])
        event.add("summary", f"Audience : {audience.requester_label}")
        if audience.place:
            event.add("location", audience.place.name)
        event.add("description", audience.purpose)
        if audience.is_confidential:
            event.add("class", "CONFIDENTIAL")
        calendar.add_component(event)
    if may_see_blocks(user):
        for block in Unavailability.objects.filter(ends_at__gte=since).order_by("starts_at"):
            event = Event()
            event.add("uid", block_uid(block))
            event.add("dtstamp", stamp)
            event.add("dtstart", block.starts_at)
            event.add("dtend", block.ends_at)
            event.add("sequence", block.sequence)
            event.add("status", "CANCELLED" if block.is_cancelled else "CONFIRMED")
            event.add("summary", f"Indisponible : {block.title}")
            event.add("transp", "OPAQUE")
            calendar.add_component(event)
    return calendar.to_ical()
