"""The printed register of a period too long to lay out while the person waits.

WeasyPrint lays out some 30 to 60 rows of the register a second: up to
``RegisterPrintForm.MAX_ROWS`` entries the PDF is made in the request; beyond, the person asks
for it, a Celery worker prepares it (``RegisterPrint``) and the person is told when it is
ready. The rows are those the requester may see, read when the worker starts; the confidential
and secret ones are written to the consultation log then, as for any export.
"""

from __future__ import annotations

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cabinet.services import enqueue_after_commit, notification_create

from ..models import Mail, RegisterPrint
from ..printing import register_pdf
from ..selectors_reporting import register_period_rows
from .registration import consultation_log_export

logger = logging.getLogger(__name__)

# In the background: about 2 to 3 minutes of layout and 1.5 GB of memory on a 2-core server.
MAX_BACKGROUND_ROWS = 5000


@transaction.atomic
def register_print_request(*, user, register: str, start: datetime.date, end: datetime.date) -> RegisterPrint:
    """Record the request; a worker prepares the PDF once this transaction commits."""
    from ..tasks import prepare_register_print

    job = RegisterPrint(requested_by=user, register=register, start=start, end=end)
    job.full_clean()
    job.save()
    enqueue_after_commit(prepare_register_print, job.pk)
    return job


def register_print_prepare(*, job_id: int) -> RegisterPrint | None:
    """Lay out the register of the request. A request already started (the task delivered
    twice) is left alone; a failure is recorded on it, in French, and told to its requester."""
    claimed = RegisterPrint.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=timezone.now())
    job = RegisterPrint.objects.select_related("requested_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    user = job.requested_by
    url = reverse("correspondence:register_prints")
    try:
        rows = register_period_rows(
            user, register=job.register, start=job.start, end=job.end, limit=MAX_BACKGROUND_ROWS + 1
        )
        too_long = len(rows) > MAX_BACKGROUND_ROWS
        if not too_long:
            pdf = register_pdf(rows=rows, register=job.register, start=job.start, end=job.end, printed_by=user)
    except Exception:
        logger.exception("Impression du registre %s impossible", job.pk)
        return _failed(
            job, _("Le PDF n'a pas pu être produit. Réessayez ; si l'échec se répète, prévenez l'administrateur."), url
        )
    if too_long:
        return _failed(
            job,
            _("Cette période compte plus de %(max)s entrées : demandez le registre en plusieurs périodes plus courtes.")
            % {"max": number_format(MAX_BACKGROUND_ROWS, force_grouping=True)},
            url,
        )
    with transaction.atomic():
        # Taken out of the application now: logged as an export, as a CSV of the same rows is.
        consultation_log_export(mails=Mail.objects.filter(pk__in=[row.pk for row in rows]), user=user)
        job.file.save(job.filename, ContentFile(pdf), save=False)
        job.state, job.rows, job.finished_at = RegisterPrint.State.READY, len(rows), timezone.now()
        job.save(update_fields=["file", "state", "rows", "finished_at"])
        notification_create(
            recipient=user,
            subject=_("Registre prêt : %(job)s (%(rows)s entrées)") % {"job": job, "rows": len(rows)},
            url=url,
            send_email=False,
        )
    return job


def _failed(job: RegisterPrint, error: str, url: str) -> RegisterPrint:
    """Record why the request failed, and tell its requester."""
    with transaction.atomic():
        job.state, job.error, job.finished_at = RegisterPrint.State.FAILED, error, timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
        notification_create(
            recipient=job.requested_by, subject=_("Impression du registre impossible : %(job)s") % {"job": job}, url=url
        )
    return job


def register_prints_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the prepared registers (and their files) older than ``RegisterPrint.KEPT_DAYS``."""
    limit = (now or timezone.now()) - datetime.timedelta(days=RegisterPrint.KEPT_DAYS)
    removed = 0
    for job in RegisterPrint.objects.filter(requested_at__lt=limit).exclude(state=RegisterPrint.State.PENDING):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
