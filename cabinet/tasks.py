"""Background work of the cabinet app: e-mailing notifications from the outbox."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Notification

MAX_ATTEMPTS = 8


@shared_task(ignore_result=True)
def deliver_notification(notification_id: int) -> bool:
    """E-mail one notification, once: the row is locked so a retry and the sweep cannot
    both send it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, send_email=True, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        address = notification.recipient.email
        if address:
            link = f"\n\n{settings.CABINET_SITE_URL}{notification.url}" if notification.url else ""
            send_mail(
                subject=f"[Cabinet] {notification.subject}",
                message=f"{notification.body}{link}",
                from_email=None,
                recipient_list=[address],
                fail_silently=False,
            )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["attempts", "emailed_at"])
        return True


@shared_task(ignore_result=True)
def deliver_pending_notifications() -> int:
    """Sweep the outbox: send what was never handed to the broker (or failed)."""
    horizon = timezone.now() - datetime.timedelta(seconds=30)
    pending = Notification.objects.filter(
        send_email=True, emailed_at__isnull=True, created_at__lte=horizon, attempts__lt=MAX_ATTEMPTS
    ).values_list("pk", flat=True)[:500]
    sent = 0
    for pk in list(pending):
        try:
            sent += deliver_notification(pk)
        except Exception:  # an SMTP failure leaves the row pending for the next sweep
            Notification.objects.filter(pk=pk).update(attempts=F("attempts") + 1)
    return sent


@shared_task(ignore_result=True)
def sweep_orphan_files() -> int:
    """Nightly: quarantine the stored files that no row names (left by a rolled-back upload)."""
    from .orphans import sweep

    return len(sweep().quarantined)
