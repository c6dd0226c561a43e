"""Notices of the correspondence register (in the app and by e-mail, via the cabinet outbox).

``notify_imputation`` is called by the services when a mail is routed (or re-routed); it
runs inside the routing transaction, so the notice is written with the imputation and its
e-mail leaves after commit (or later, by the outbox sweep, if the broker is down).
The daily digest lives beside it (correspondence outputs).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cabinet.models import Mandate


def imputation_recipients(imputation) -> list:
    """The person routed to, or the active holders of a post in the routed unit."""
    if imputation.assignee_id:
        return [imputation.assignee] if imputation.assignee.is_active else []
    from django.contrib.auth import get_user_model

    user_ids = Mandate.objects.in_force().filter(position__unit_id=imputation.assignee_unit_id).values("user_id")
    return list(get_user_model().objects.filter(id__in=user_ids, is_active=True))


def notify_imputation(imputation) -> None:
    from cabinet.services import notification_create

    mail = imputation.mail
    url = reverse("correspondence:mail_detail", args=[mail.pk])
    # A confidential subject stays out of e-mails: the notice only names the reference.
    subject_line = (
        mail.subject if not mail.is_restricted else _("[%(level)s]") % {"level": mail.get_confidentiality_display()}
    )
    subject = _("Courrier %(reference)s imputé %(instruction)s") % {
        "reference": mail.reference,
        "instruction": imputation.get_instruction_display().lower(),
    }
    body = _(
        "%(reference)s — %(subject)s\nCorrespondant : %(correspondent)s\nInstruction : %(instruction)s\n"
        "Échéance : %(deadline)s\nImputé par : %(by)s\n%(comment)s"
    ) % {
        "reference": mail.reference,
        "subject": subject_line,
        "correspondent": mail.correspondent,
        "instruction": imputation.get_instruction_display(),
        "deadline": f"{imputation.deadline:%d/%m/%Y}" if imputation.deadline else "—",
        "by": imputation.created_by.display_name,
        "comment": imputation.comment,
    }
    for recipient in imputation_recipients(imputation):
        notification_create(recipient=recipient, subject=subject, body=body.strip(), url=url)
