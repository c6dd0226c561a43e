"""The calendar feed's revision when what an event shows changes outside the audience
services: a correction made in the administration, a requester or a place renamed. Phones and
Outlook keep an event's old text until its SEQUENCE rises (``feeds``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q

from correspondence.models import Correspondent

from ..models import Audience, Place
from ._shared import _raise_sequence_if_shown

# The events titled with their requester's name: in the feed (they have a time), and not
# requested on behalf of someone, whose name titles them instead.
TITLED_BY_REQUESTER = Q(on_behalf_of="", starts_at__isnull=False)


def audience_shown_changed(*, audience: Audience, changed: Iterable[str]) -> None:
    """Raise ``audience.sequence`` (the caller saves it) if ``changed`` holds a field its
    event shows: for a save that does not go through the services (the administration)."""
    _raise_sequence_if_shown(audience, list(changed))


def audiences_requester_renamed(*, correspondent: Correspondent) -> int:
    """A new revision of every event whose title shows ``correspondent``'s name (those
    requested on behalf of someone show that name instead). Returns how many."""
    titled = Audience.objects.filter(TITLED_BY_REQUESTER, requester=correspondent)
    return titled.update(sequence=F("sequence") + 1)


def audiences_place_renamed(*, place: Place) -> int:
    """A new revision of every event whose location is ``place``. Returns how many."""
    return Audience.objects.filter(place=place, starts_at__isnull=False).update(sequence=F("sequence") + 1)
