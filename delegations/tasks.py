"""Background work: the nightly sweep of arrêtés and sign permissions, and the daily
reminders of late directives, the purge of abandoned held files (beat entries in the
"# Delegations." block of settings)."""

from __future__ import annotations

from celery import shared_task

from .delegation_services import delegations_nightly
from .directive_services import directive_transmitters_sync, directives_remind_late
from .permissions import sign_permissions_sync


@shared_task(ignore_result=True)
def delegations_nightly_task() -> dict:
    """Expire and lapse arrêtés, withdraw stale sign permissions, warn 15 days ahead; give a
    newly appointed directeur the right to transmit the directives."""
    counts = delegations_nightly()
    counts["transmit_granted"] = directive_transmitters_sync()
    return counts


@shared_task(ignore_result=True)
def sign_permissions_sync_task(item_ids: list[int] | None = None) -> tuple[int, int]:
    from .models import SignatureItem

    items = SignatureItem.objects.filter(pk__in=item_ids) if item_ids else None
    return sign_permissions_sync(items=items)


@shared_task(ignore_result=True)
def directives_remind_late_task() -> int:
    return directives_remind_late()


@shared_task(ignore_result=True)
def purge_held_uploads() -> int:
    """Remove the files held for forms abandoned after an error more than a day ago."""
    from .files import HELD_FILES

    return HELD_FILES.purge()
