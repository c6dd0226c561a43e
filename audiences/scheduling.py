"""The rules on time of the minister's agenda: the buffer between items, office hours and
working days (a warning the user must confirm), and holding a slot without overlap.

The check runs on every database; on PostgreSQL the exclusion constraint of migration 0002
also refuses what a concurrent transaction committed in between, and its error is turned into
the same French message naming the conflicting item.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cabinet.workdays import is_working_day

from .models import AgendaSlot, Audience, Unavailability
from .selectors import conflicting_slot

NO_OVERLAP_CONSTRAINT = "agenda_slot_no_overlap"
DEADLOCK_DETECTED = "40P01"


class NeedsConfirmation(ValidationError):
    """The slot is allowed but unusual (weekend, holiday, outside office hours): the user
    must confirm it. ``warnings`` lists why."""

    def __init__(self, warnings: list[str]):
        super().__init__(warnings, code="needs_confirmation")
        self.warnings = warnings


# --- Rules on time --------------------------------------------------------------------------
def buffer() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.AUDIENCES_BUFFER_MINUTES)


def _office_time(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


def schedule_warnings(starts_at: datetime.datetime, ends_at: datetime.datetime) -> list[str]:
    """What the user must confirm before setting an item at this time: a weekend or public
    holiday, or a time outside office hours."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    warnings = []
    if not is_working_day(start.date()):
        warnings.append(
            _("Le %(day)s n'est pas un jour ouvrable (week-end ou jour férié).")
            % {"day": date_format(start.date(), "l d/m/Y")}
        )
    office_start, office_end = (
        _office_time(settings.AUDIENCES_OFFICE_START),
        _office_time(settings.AUDIENCES_OFFICE_END),
    )
    if start.time() < office_start or end.time() > office_end or end.date() != start.date():
        warnings.append(
            _("Le créneau %(start)s–%(end)s sort des heures de bureau (%(open)s–%(close)s).")
            % {
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "open": settings.AUDIENCES_OFFICE_START,
                "close": settings.AUDIENCES_OFFICE_END,
            }
        )
    return warnings


def conflict_message(slot: AgendaSlot) -> str:
    return _("Ce créneau chevauche %(item)s, compte tenu de la marge de %(buffer)s min entre deux rendez-vous.") % {
        "item": slot.describe(),
        "buffer": settings.AUDIENCES_BUFFER_MINUTES,
    }


def check_time(starts_at, ends_at, *, confirm_warnings: bool) -> str:
    """Refuse a reversed slot; ask confirmation of an unusual one. Returns the warnings the
    user confirmed, for the history."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("La fin doit être postérieure au début.")})
    warnings = schedule_warnings(starts_at, ends_at)
    if warnings and not confirm_warnings:
        raise NeedsConfirmation(warnings)
    return " ".join(_("Confirmé malgré l'avertissement : %(w)s") % {"w": w} for w in warnings)


def hold_slot(*, starts_at, ends_at, audience: Audience | None = None, unavailability: Unavailability | None = None):
    """Write the time an item holds; refuse an overlap with a message naming the other item.

    The service checks first (all databases); on PostgreSQL the exclusion constraint catches
    what a concurrent transaction committed in between, and its error gets the same message.
    """
    occupied_until = ends_at + buffer()
    conflict = conflicting_slot(
        starts_at, occupied_until, exclude_audience=audience, exclude_unavailability=unavailability
    )
    if conflict is not None:
        raise ValidationError({"starts_at": conflict_message(conflict)}, code="overlap")
    owner = {"audience": audience} if audience is not None else {"unavailability": unavailability}
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                AgendaSlot.objects.update_or_create(
                    **owner, defaults={"starts_at": starts_at, "ends_at": ends_at, "occupied_until": occupied_until}
                )
            return
        except (IntegrityError, OperationalError) as exc:
            if not _lost_the_slot(exc):
                raise
            if _deadlocked(exc) and attempt < DEADLOCK_ATTEMPTS:
                # PostgreSQL aborted this write to let the other one go on: writing again waits
                # for its outcome, then meets its committed slot (the named conflict below) or
                # takes the free time if it rolled back.
                continue
            conflict = conflicting_slot(
                starts_at, occupied_until, exclude_audience=audience, exclude_unavailability=unavailability
            )
            message = (
                conflict_message(conflict) if conflict else _("Ce créneau vient d'être pris par un autre rendez-vous.")
            )
            raise ValidationError({"starts_at": message}, code="overlap") from exc


DEADLOCK_ATTEMPTS = 3


def _deadlocked(exc: Exception) -> bool:
    return getattr(exc.__cause__, "pgcode", None) == DEADLOCK_DETECTED


def _lost_the_slot(exc: Exception) -> bool:
    """A concurrent transaction holds an overlapping slot: the exclusion constraint refused this
    row, or both transactions were inserting at once, each constraint check waited for the
    other's row, and PostgreSQL broke the deadlock by aborting this one (SQLSTATE 40P01)."""
    if isinstance(exc, IntegrityError):
        return NO_OVERLAP_CONSTRAINT in str(exc)
    return _deadlocked(exc) and "exclusion constraint" in str(exc)


def release_slot(*, audience: Audience | None = None, unavailability: Unavailability | None = None) -> None:
    if audience is not None:
        AgendaSlot.objects.filter(audience=audience).delete()
    if unavailability is not None:
        AgendaSlot.objects.filter(unavailability=unavailability).delete()
