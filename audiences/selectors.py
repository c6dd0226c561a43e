"""Reads on audiences, filtered by what a person may see.

Visibility (the issue's rights, with confidentiality as a row-level rule):
- minister, directeur de cabinet, attaché, chef du secrétariat particulier: every audience;
- anyone else sees only ordinary (non-confidential) audiences that concern them: the
  protocol those sent to it (programmed at least once), the secretariat the requests (it
  records them), the cabinet members listed as attendees;
- a confidential audience is seen by the four roles above and by whoever was explicitly given
  access to it (django-guardian object permission ``view_audience``, e.g. the protocol agent
  who prepares it). Everyone else gets 404, in pages, lists, counts, PDF and feed alike.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cabinet.roles import Role
from cabinet.selectors import roles_of

from .models import (
    SCHEDULED_STATES,
    AgendaSlot,
    Audience,
    AudienceState,
    AudienceUserObjectPermission,
    Participant,
    Unavailability,
    local_day_bounds,
)
from .roles import FULL_VIEW_ROLES, VIEW_AGENDA

VIEW_CODENAME = "view_audience"


def sees_everything(user) -> bool:
    return bool(roles_of(user) & FULL_VIEW_ROLES)


def granted_q(user) -> Q:
    """Audiences this person was explicitly given access to (guardian, direct foreign key)."""
    return Q(
        Exists(
            AudienceUserObjectPermission.objects.filter(
                content_object=OuterRef("pk"), user=user, permission__codename=VIEW_CODENAME
            )
        )
    )


def visible_audiences(user) -> QuerySet[Audience]:
    """Each condition is tested on the audience's own row (EXISTS, no join that repeats rows),
    so that a list is read in the order of its index and stops at the end of its page."""
    if not user.is_authenticated or not user.is_active:
        return Audience.objects.none()
    if sees_everything(user):
        return Audience.objects.all()
    roles = roles_of(user)
    if Role.SECRETARIAT in roles:
        ordinary = Q()  # every ordinary audience: it records the requests
    else:
        ordinary = Q(Exists(Audience.attendees.through.objects.filter(audience=OuterRef("pk"), user=user)))
        if Role.PROTOCOLE in roles:
            ordinary |= Q(programmed_at__isnull=False)
    return Audience.objects.filter((Q(is_confidential=False) & ordinary) | granted_q(user))


def sees_audience(user, audience: Audience) -> bool:
    """Whether ``audience`` is among those ``user`` may see (one ``EXISTS``)."""
    return visible_audiences(user).filter(pk=audience.pk).exists()


def access_audience(user, pk: int) -> Audience:
    """The audience if this person may see it; 404 otherwise (hidden or missing alike)."""
    audience = (
        visible_audiences(user).select_related("requester", "place", "created_by", "confirmed_by").filter(pk=pk).first()
    )
    if audience is None:
        raise Http404
    return audience


def may_see_blocks(user) -> bool:
    return user.has_perm(VIEW_AGENDA)


def with_details(qs: QuerySet[Audience]) -> QuerySet[Audience]:
    return qs.select_related("requester", "place").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.order_by("order", "id")),
        "attendees",
    )


def audience_list(
    user,
    *,
    state: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    query: str = "",
    confidential: str = "",
) -> QuerySet[Audience]:
    qs = visible_audiences(user).select_related("requester", "place")
    if state:
        qs = qs.filter(state=state)
    if start:
        qs = qs.filter(Q(starts_at__gte=local_day_bounds(start)[0]) | Q(starts_at__isnull=True, wished_from__gte=start))
    if end:
        qs = qs.filter(Q(starts_at__lt=local_day_bounds(end)[1]) | Q(starts_at__isnull=True, wished_from__lte=end))
    if query:
        qs = qs.filter(
            Q(purpose__icontains=query)
            | Q(on_behalf_of__icontains=query)
            | Q(requester__name__icontains=query)
            | Q(requester__acronym__icontains=query)
        )
    if confidential == "oui":
        qs = qs.filter(is_confidential=True)
    elif confidential == "non":
        qs = qs.filter(is_confidential=False)
    # The id breaks ties, so that a row never shows on two pages (nor on none).
    return qs.order_by("-starts_at", "-created_at", "-pk")


def agenda_between(user, start: datetime.datetime, end: datetime.datetime) -> list:
    """Agenda entries (audiences and, for those who see the agenda, blocks) overlapping
    [start, end), in time order. Each entry: (starts_at, ends_at, kind, object)."""
    audiences = with_details(
        visible_audiences(user).filter(
            starts_at__lt=end,
            ends_at__gt=start,
            state__in=[*SCHEDULED_STATES, AudienceState.HELD],
        )
    )
    entries = [(a.starts_at, a.ends_at, "audience", a) for a in audiences]
    if may_see_blocks(user):
        blocks = Unavailability.objects.filter(is_cancelled=False, starts_at__lt=end, ends_at__gt=start)
        entries += [(b.starts_at, b.ends_at, "block", b) for b in blocks]
    return sorted(entries, key=lambda e: (e[0], e[2]))


def day_programme(user, day: datetime.date) -> list:
    start, end = local_day_bounds(day)
    return agenda_between(user, start, end)


def awaiting_confirmation(user) -> QuerySet[Audience]:
    return (
        visible_audiences(user)
        .filter(state=AudienceState.PROGRAMMED, starts_at__gte=timezone.now())
        .select_related("requester", "place")
        .order_by("starts_at", "pk")
    )


def requests_to_study(user) -> QuerySet[Audience]:
    return (
        visible_audiences(user)
        .filter(state__in=[AudienceState.RECEIVED, AudienceState.STUDY, AudienceState.ACCEPTED])
        .select_related("requester")
        .order_by("received_on", "pk")
    )


def next_audiences(user, *, limit: int = 8) -> QuerySet[Audience]:
    return (
        visible_audiences(user)
        .filter(state__in=SCHEDULED_STATES, starts_at__gte=timezone.now())
        .select_related("requester", "place")
        .order_by("starts_at")[:limit]
    )


def conflicting_slot(
    starts_at: datetime.datetime,
    occupied_until: datetime.datetime,
    *,
    exclude_audience: Audience | None = None,
    exclude_unavailability: Unavailability | None = None,
) -> AgendaSlot | None:
    """The first slot of the agenda that overlaps [starts_at, occupied_until), taking each
    existing slot's own buffer into account (its ``occupied_until``)."""
    qs = AgendaSlot.objects.filter(starts_at__lt=occupied_until, occupied_until__gt=starts_at)
    if exclude_audience is not None and exclude_audience.pk:
        qs = qs.exclude(audience=exclude_audience)
    if exclude_unavailability is not None and exclude_unavailability.pk:
        qs = qs.exclude(unavailability=exclude_unavailability)
    return qs.select_related("audience", "audience__requester", "unavailability").order_by("starts_at").first()
