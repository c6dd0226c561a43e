"""Background work of the correspondence register. Tasks take ids (or nothing) and call
services; they are enqueued with cabinet.services.enqueue_after_commit."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from cabinet.services import notification_create

from .integrity import verify_all


@shared_task(ignore_result=True)
def verify_registers_nightly() -> int:
    """Run the register check; on any breach, alert every administrator (app + e-mail).
    Returns the number of breaches."""
    breaches = verify_all()
    if breaches:
        admins = get_user_model().objects.filter(groups__name=settings.CABINET_ADMIN_GROUP, is_active=True).distinct()
        body = "\n".join(str(b) for b in breaches)
        with transaction.atomic():
            for admin in admins:
                notification_create(
                    recipient=admin,
                    subject=f"Registre du courrier altéré : {breaches[0].reference}",
                    body=f"La vérification nocturne des registres a trouvé :\n{body}\n"
                    "Lancez « python manage.py verify_register » et comparez avec les sauvegardes.",
                )
    return len(breaches)


@shared_task(ignore_result=True)
def purge_held_uploads() -> int:
    """Remove files held for forms (registration, draft reply) abandoned for more than a day."""
    from .holding import purge

    return purge()


@shared_task(ignore_result=True)
def prepare_register_print(print_id: int) -> None:
    """Lay out the printed register of a long period (``RegisterPrint``)."""
    from .services.register_prints import register_print_prepare

    register_print_prepare(job_id=print_id)


@shared_task(ignore_result=True)
def purge_register_prints() -> int:
    """Nightly: delete the prepared registers kept longer than RegisterPrint.KEPT_DAYS."""
    from .services.register_prints import register_prints_purge

    return register_prints_purge()
