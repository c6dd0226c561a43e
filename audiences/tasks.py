"""Reminders about the minister's agenda (Celery beat, see the Audiences block of settings)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cabinet.roles import Role
from cabinet.selectors import holders_of
from cabinet.services import enqueue_after_commit, notification_create

from .models import Audience, AudienceState
from .selectors import day_programme, sees_audience


@shared_task(ignore_result=True)
def send_tomorrow_agenda(day_iso: str | None = None) -> int:
    """E-mail tomorrow's agenda to the minister's secrétariat particulier (the chef du SP),
    each recipient getting only what they may see. Returns the number of notices written."""
    day = datetime.date.fromisoformat(day_iso) if day_iso else timezone.localdate() + datetime.timedelta(days=1)
    sent = 0
    with transaction.atomic():
        for person in holders_of(Role.CHEF_SP):
            entries = day_programme(person, day)
            body = render_to_string("audiences/email/tomorrow.txt", {"day": day, "entries": entries})
            notification_create(
                recipient=person,
                subject=_("Agenda du ministre pour le %(day)s") % {"day": date_format(day, "l d/m/Y")},
                body=body,
                url=f"{reverse('audiences:day')}?jour={day.isoformat()}",
            )
            sent += 1
    return sent


@shared_task(ignore_result=True)
def remind_protocol_unconfirmed() -> int:
    """Remind the protocol, once, of audiences still unconfirmed within the reminder window
    (48 hours by default) before they start."""
    now = timezone.now()
    horizon = now + datetime.timedelta(hours=settings.AUDIENCES_PROTOCOL_REMINDER_HOURS)
    due = Audience.objects.filter(
        state=AudienceState.PROGRAMMED, starts_at__gt=now, starts_at__lte=horizon, protocol_reminded_at__isnull=True
    ).values_list("pk", flat=True)
    pks = list(due)
    for pk in pks:
        enqueue_after_commit(remind_protocol, pk)
    return len(pks)


@shared_task(ignore_result=True)
def remind_protocol(audience_id: int) -> int:
    with transaction.atomic():
        audience = (
            Audience.objects.select_for_update()
            .filter(pk=audience_id, state=AudienceState.PROGRAMMED, protocol_reminded_at__isnull=True)
            .first()
        )
        if audience is None:
            return 0
        start = timezone.localtime(audience.starts_at)
        for person in holders_of(Role.PROTOCOLE):
            if sees_audience(person, audience):
                notification_create(
                    recipient=person,
                    subject=_("Rappel : audience non confirmée, %(who)s le %(when)s")
                    % {"who": audience.requester_label, "when": f"{date_format(start, 'd/m/Y')} {start:%H:%M}"},
                    url=reverse("audiences:detail", args=[audience.pk]),
                )
        audience.protocol_reminded_at = timezone.now()
        audience.save(update_fields=["protocol_reminded_at"])
        return 1


@shared_task(ignore_result=True)
def request_reports() -> int:
    """After an audience has ended, ask the attaché de cabinet for its compte rendu (once)."""
    now = timezone.now()
    due = Audience.objects.filter(
        state__in=[AudienceState.PROGRAMMED, AudienceState.CONFIRMED, AudienceState.HELD],
        ends_at__lte=now,
        report_requested_at__isnull=True,
    ).values_list("pk", flat=True)
    pks = list(due)
    for pk in pks:
        enqueue_after_commit(request_report, pk)
    return len(pks)


@shared_task(ignore_result=True)
def request_report(audience_id: int) -> int:
    with transaction.atomic():
        audience = Audience.objects.select_for_update().filter(pk=audience_id, report_requested_at__isnull=True).first()
        if audience is None:
            return 0
        for person in holders_of(Role.ATTACHE):
            notification_create(
                recipient=person,
                subject=_("Compte rendu attendu : audience de %(who)s") % {"who": audience.requester_label},
                body=_("Déposez-le sur la fiche de l'audience ; le ministre et le directeur de cabinet le liront."),
                url=reverse("audiences:detail", args=[audience.pk]),
            )
        audience.report_requested_at = timezone.now()
        audience.save(update_fields=["report_requested_at"])
        return 1
