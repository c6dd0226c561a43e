"""Writes on the organisation, and the notification outbox used by every app."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction

from .models import Holiday, Mandate, Notification, Position
from .selectors import forget_roles
from .workdays import ISLAMIC_HOLIDAYS, statutory_holidays

logger = logging.getLogger(__name__)


def enqueue_after_commit(task, *args, **kwargs) -> None:
    """Send a Celery task once the current transaction commits.

    A broker that is down must not break the user's action: the error is logged and the
    periodic sweep of the task's own outbox (e.g. pending notifications) picks the work up.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # kombu/redis raise various connection errors
            logger.warning("Broker unavailable: %s deferred to the periodic sweep", task.name, exc_info=True)

    transaction.on_commit(send)


@transaction.atomic
def mandate_create(
    *,
    user,
    position: Position,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    is_interim: bool = False,
    act_reference: str = "",
    note: str = "",
) -> Mandate:
    # Lock the post so two concurrent appointments cannot both pass the overlap check.
    Position.objects.select_for_update().get(pk=position.pk)
    mandate = Mandate(
        user=user,
        position=position,
        start_date=start_date,
        end_date=end_date,
        is_interim=is_interim,
        act_reference=act_reference,
        note=note,
    )
    mandate.full_clean()
    mandate.save()
    forget_roles(user)
    return mandate


@transaction.atomic
def mandate_end(*, mandate: Mandate, end_date: datetime.date) -> Mandate:
    Position.objects.select_for_update().get(pk=mandate.position_id)
    mandate.end_date = end_date
    mandate.full_clean()
    mandate.save(update_fields=["end_date"])
    forget_roles(mandate.user)
    return mandate


def notification_create(
    *, recipient, subject: str, body: str = "", url: str = "", send_email: bool = True
) -> Notification:
    """Record a notice for ``recipient``; its e-mail leaves after commit (or in the sweep)."""
    from .tasks import deliver_notification

    notification = Notification.objects.create(
        recipient=recipient, subject=subject[:250], body=body, url=url, send_email=send_email
    )
    if send_email:
        enqueue_after_commit(deliver_notification, notification.pk)
    return notification


def notification_mark_read(*, notification: Notification) -> None:
    from django.utils import timezone

    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def holidays_seed(*, years: list[int]) -> int:
    """Create the statutory holidays (and known Islamic feasts) of the given years.

    Existing dates are left as they are (an administrator may have corrected them).
    """
    created = 0
    for year in years:
        days = [(d, name, kind) for d, name, kind in statutory_holidays(year)]
        days += [(d, name, Holiday.Kind.ISLAMIC) for d, name in ISLAMIC_HOLIDAYS.get(year, [])]
        for day, name, kind in days:
            _obj, was_created = Holiday.objects.get_or_create(date=day, defaults={"name": name, "kind": kind})
            created += was_created
    return created
