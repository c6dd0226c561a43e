"""The daily digest of the register (issue 3, item 10): each assignee gets the list of their
late and due-soon imputations; the directeur de cabinet gets the summary of everyone's.

Sent through the cabinet outbox (``notification_create``): the notice is in the app at once,
its e-mail leaves after commit, or with the periodic sweep if the broker is down. On a
non-working day nothing is sent; sending twice the same day sends nothing new.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cabinet.models import Notification
from cabinet.roles import Role
from cabinet.selectors import holders_of
from cabinet.services import notification_create
from cabinet.workdays import add_working_days, is_working_day, working_days_between

from .models import Imputation
from .notifications import imputation_recipients


@dataclass
class Digest:
    late: list[Imputation] = field(default_factory=list)
    due_soon: list[Imputation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.late) + len(self.due_soon)


def digest_subject(day: datetime.date) -> str:
    return _("Récapitulatif du courrier à traiter du %(day)s") % {"day": f"{day:%d/%m/%Y}"}


def summary_subject(day: datetime.date) -> str:
    return _("Synthèse des imputations en retard du %(day)s") % {"day": f"{day:%d/%m/%Y}"}


def _subject_of(imputation: Imputation) -> str:
    # As in the routing notice: a confidential or secret subject stays out of e-mails.
    mail = imputation.mail
    if mail.is_restricted:
        return f"[{mail.get_confidentiality_display()}]"
    return mail.subject


def _line(imputation: Imputation, today: datetime.date) -> str:
    deadline = imputation.deadline
    if deadline < today:
        late_by = working_days_between(deadline, today)
        delay = ngettext("en retard de %(n)d jour ouvré", "en retard de %(n)d jours ouvrés", late_by) % {"n": late_by}
    elif deadline == today:
        delay = _("échéance aujourd'hui")
    else:
        delay = _("échéance le %(day)s") % {"day": f"{deadline:%d/%m/%Y}"}
    return _("• %(reference)s — %(subject)s — %(instruction)s — %(delay)s") % {
        "reference": imputation.mail.reference,
        "subject": _subject_of(imputation),
        "instruction": imputation.get_instruction_display().lower(),
        "delay": delay,
    }


def _body(digest: Digest, today: datetime.date) -> str:
    parts = []
    if digest.late:
        parts.append(
            ngettext("%(n)d imputation en retard :", "%(n)d imputations en retard :", len(digest.late))
            % {"n": len(digest.late)}
        )
        parts += [_line(i, today) for i in digest.late]
    if digest.due_soon:
        if parts:
            parts.append("")
        parts.append(
            ngettext(
                "%(n)d imputation arrive à échéance dans les %(days)d prochains jours ouvrés :",
                "%(n)d imputations arrivent à échéance dans les %(days)d prochains jours ouvrés :",
                len(digest.due_soon),
            )
            % {"n": len(digest.due_soon), "days": settings.CABINET_IMPUTATION_DUE_SOON_DAYS}
        )
        parts += [_line(i, today) for i in digest.due_soon]
    return "\n".join(parts)


def collect_digests(*, today: datetime.date) -> dict:
    """Open imputations late or due soon, on mail not cancelled, grouped by the person who
    must act (the assignee, or the holders of the routed unit). One query for the
    imputations, one per routed unit."""
    horizon = add_working_days(today, settings.CABINET_IMPUTATION_DUE_SOON_DAYS)
    imputations = (
        Imputation.objects.filter(
            state__in=Imputation.OPEN_STATES, mail__cancelled_at__isnull=True, deadline__lte=horizon
        )
        .select_related("mail", "assignee", "assignee_unit")
        .order_by("deadline", "id")
    )
    unit_holders: dict[int, list] = {}
    digests: dict = defaultdict(Digest)
    for imputation in imputations:
        if imputation.assignee_id:
            recipients = [imputation.assignee] if imputation.assignee.is_active else []
        else:
            if imputation.assignee_unit_id not in unit_holders:
                unit_holders[imputation.assignee_unit_id] = imputation_recipients(imputation)
            recipients = unit_holders[imputation.assignee_unit_id]
            if imputation.mail.confidentiality == imputation.mail.Confidentiality.SECRET:
                recipients = []  # secret mail is never opened to a whole unit
        for person in recipients:
            target = digests[person]
            (target.late if imputation.deadline < today else target.due_soon).append(imputation)
    return dict(digests)


def _already_sent(recipient, subject: str) -> bool:
    # The subject carries the date: the same subject means today's digest already went.
    return Notification.objects.filter(recipient=recipient, subject=subject).exists()


@transaction.atomic
def daily_digests_send(*, today: datetime.date | None = None) -> int:
    """Send today's digests and the directeur's summary; returns the notices written."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0
    digests = collect_digests(today=today)
    url = reverse("correspondence:my_work")
    subject = digest_subject(today)
    sent = 0
    for person, digest in sorted(digests.items(), key=lambda item: item[0].pk):
        if digest.total and not _already_sent(person, subject):
            notification_create(recipient=person, subject=subject, body=_body(digest, today), url=url)
            sent += 1
    sent += _send_summary(digests, today)
    return sent


def _send_summary(digests: dict, today: datetime.date) -> int:
    """The directeur de cabinet's view of the whole cabinet: who is late, by how much."""
    late = sorted(
        ((person, digest) for person, digest in digests.items() if digest.late),
        key=lambda item: (-len(item[1].late), item[0].last_name),
    )
    if not late:
        return 0
    total = len({i.pk for _person, digest in late for i in digest.late})
    lines = [
        ngettext(
            "%(n)d imputation est en retard dans le cabinet.",
            "%(n)d imputations sont en retard dans le cabinet.",
            total,
        )
        % {"n": total},
        "",
    ]
    for person, digest in late:
        oldest = min(i.deadline for i in digest.late)
        lines.append(
            _("• %(who)s : %(n)d en retard (la plus ancienne échue le %(day)s)")
            % {"who": person.display_name, "n": len(digest.late), "day": f"{oldest:%d/%m/%Y}"}
        )
    subject = summary_subject(today)
    url = reverse("correspondence:my_work") + "#en-retard"
    sent = 0
    for directeur in holders_of(Role.DIRECTEUR_CABINET, day=today):
        if not _already_sent(directeur, subject):
            notification_create(recipient=directeur, subject=subject, body="\n".join(lines), url=url)
            sent += 1
    return sent
