"""Writes on the minister's directives: record, transmit (row-level ``transmit_directive``),
acknowledge, report execution, and remind when late."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.roles import Role
from cabinet.selectors import has_role, holders_of
from cabinet.services import notification_create

from .files import attach_file
from .models import Directive, DirectiveUserObjectPermission, ExecutionReport, Transmission
from .selectors import RECIPIENT_ROLES


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="delegations", codename=codename)


def _grant(directive: Directive, codename: str, users: Iterable) -> None:
    perm = _perm(codename)
    for user in users:
        DirectiveUserObjectPermission.objects.get_or_create(permission=perm, content_object=directive, user=user)


def can_transmit(user, directive: Directive) -> bool:
    return DirectiveUserObjectPermission.objects.filter(
        content_object=directive, user=user, permission__codename="transmit_directive"
    ).exists() and (has_role(user, Role.CONSEILLER) or has_role(user, Role.DIRECTEUR_CABINET))


def _url(directive: Directive) -> str:
    return reverse("delegations:directive_detail", args=[directive.pk])


@transaction.atomic
def directive_create(
    *,
    actor,
    subject: str,
    text: str,
    deadline: datetime.date,
    advisers: Iterable,
    issued_on: datetime.date | None = None,
    domain: str = "",
) -> Directive:
    """Record the minister's directive; the conseiller(s) in charge and the directeur de
    cabinet receive the right to transmit it."""
    advisers = list(advisers)
    directive = Directive(
        subject=subject.strip(),
        text=text.strip(),
        issued_on=issued_on or timezone.localdate(),
        deadline=deadline,
        domain=domain.strip(),
        created_by=actor,
    )
    errors: dict[str, list] = {}
    try:
        directive.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not advisers:
        errors.setdefault("advisers", []).append(_("Désignez au moins un conseiller chargé du suivi."))
    not_advisers = [str(u) for u in advisers if not has_role(u, Role.CONSEILLER)]
    if not_advisers:
        errors.setdefault("advisers", []).append(
            _("Pas conseiller technique en fonction : %(names)s.") % {"names": ", ".join(not_advisers)}
        )
    if errors:
        raise ValidationError(errors)
    directive.save()
    directive.advisers.set(advisers)
    directeurs = list(holders_of(Role.DIRECTEUR_CABINET))
    _grant(directive, "transmit_directive", [*advisers, *directeurs])
    _grant(directive, "view_directive", [*advisers, *directeurs])
    for adviser in advisers:
        notification_create(
            recipient=adviser,
            subject=_("Directive à transmettre et suivre : %(s)s") % {"s": directive.subject},
            body=_("Échéance : %(d)s.") % {"d": f"{directive.deadline:%d/%m/%Y}"},
            url=_url(directive),
        )
    return directive


@transaction.atomic
def directive_transmit(*, directive: Directive, actor, recipients: Iterable, note: str = "") -> list[Transmission]:
    """Send the directive to directors and heads of service (transmise)."""
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    if not can_transmit(actor, directive):
        raise PermissionDenied(_("Vous n'êtes pas habilité à transmettre cette directive."))
    recipients = list(recipients)
    if not recipients:
        raise ValidationError({"recipients": _("Choisissez au moins un destinataire.")})
    wrong = [str(u) for u in recipients if not has_role(u, *RECIPIENT_ROLES)]
    if wrong:
        raise ValidationError(
            {
                "recipients": _("Seuls les directeurs et chefs de service en fonction reçoivent une directive : %(n)s.")
                % {"n": ", ".join(wrong)}
            }
        )
    already = set(directive.transmissions.values_list("recipient_id", flat=True))
    again = [str(u) for u in recipients if u.pk in already]
    if again:
        raise ValidationError({"recipients": _("Déjà transmise à : %(n)s.") % {"n": ", ".join(again)}})
    transmissions = []
    for recipient in recipients:
        transmission = Transmission(directive=directive, recipient=recipient, transmitted_by=actor, note=note.strip())
        transmission.full_clean()
        transmission.save()
        transmissions.append(transmission)
        notification_create(
            recipient=recipient,
            subject=_("Directive du Ministre : %(s)s") % {"s": directive.subject},
            body=_("Transmise par %(who)s. Échéance : %(d)s. Accusez réception.")
            % {"who": actor.display_name, "d": f"{directive.deadline:%d/%m/%Y}"},
            url=_url(directive),
        )
    _grant(directive, "view_directive", recipients)
    return transmissions


def _own_transmission(transmission: Transmission, user) -> Transmission:
    transmission = Transmission.objects.select_for_update().select_related("directive").get(pk=transmission.pk)
    if transmission.recipient_id != user.pk:
        raise PermissionDenied(_("Cette directive ne vous a pas été transmise."))
    return transmission


@transaction.atomic
def transmission_acknowledge(*, transmission: Transmission, user) -> Transmission:
    """transmise → accusée."""
    transmission = _own_transmission(transmission, user)
    if transmission.state != Transmission.State.TRANSMISE:
        raise ValidationError(_("La réception de cette directive est déjà accusée."))
    transmission.state = Transmission.State.ACCUSEE
    transmission.acknowledged_at = timezone.now()
    transmission.save(update_fields=["state", "acknowledged_at"])
    _notify_followers(transmission, _("Réception accusée par %(who)s : %(s)s"))
    return transmission


@transaction.atomic
def transmission_report(
    *, transmission: Transmission, user, text: str, executed: bool, attachment=None
) -> ExecutionReport:
    """A report on execution: accusée → en cours → exécutée."""
    transmission = _own_transmission(transmission, user)
    if transmission.state == Transmission.State.TRANSMISE:
        raise ValidationError(_("Accusez d'abord réception de la directive."))
    if transmission.state == Transmission.State.EXECUTEE:
        raise ValidationError(_("Cette directive est déjà déclarée exécutée."))
    new_state = Transmission.State.EXECUTEE if executed else Transmission.State.EN_COURS
    report = ExecutionReport(transmission=transmission, author=user, text=text.strip(), state_after=new_state)
    if attachment:
        attach_file(report, "attachment", attachment)
    report.full_clean()
    report.save()
    transmission.state = new_state
    fields = ["state"]
    if executed:
        transmission.executed_at = timezone.now()
        fields.append("executed_at")
    transmission.save(update_fields=fields)
    _notify_followers(
        transmission,
        _("Directive exécutée selon %(who)s : %(s)s") if executed else _("Compte rendu de %(who)s : %(s)s"),
    )
    return report


def _notify_followers(transmission: Transmission, subject: str) -> None:
    directive = transmission.directive
    followers = {*directive.advisers.all(), transmission.transmitted_by}
    for person in followers:
        notification_create(
            recipient=person,
            subject=subject % {"who": transmission.recipient, "s": directive.subject},
            url=_url(directive),
        )


def directive_transmitters_sync() -> int:
    """Give the directeur(s) de cabinet in office the right to transmit every directive (a new
    directeur inherits the directives recorded before him). An ex-directeur's old row gives
    nothing: ``can_transmit`` also asks for the role today."""
    directeurs = list(holders_of(Role.DIRECTEUR_CABINET))
    if not directeurs:
        return 0
    perms = [_perm("transmit_directive"), _perm("view_directive")]
    existing = set(
        DirectiveUserObjectPermission.objects.filter(user__in=directeurs, permission__in=perms).values_list(
            "content_object_id", "user_id", "permission_id"
        )
    )
    missing = [
        DirectiveUserObjectPermission(content_object_id=directive_id, user_id=user.pk, permission=perm)
        for directive_id in Directive.objects.values_list("pk", flat=True)
        for user in directeurs
        for perm in perms
        if (directive_id, user.pk, perm.pk) not in existing
    ]
    DirectiveUserObjectPermission.objects.bulk_create(missing)
    return len(missing)


def directives_remind_late(*, day: datetime.date | None = None) -> int:
    """Once a day, remind the recipient (and the conseillers in charge) of each directive past
    its deadline and not executed."""
    day = day or timezone.localdate()
    late = (
        Transmission.objects.exclude(state=Transmission.State.EXECUTEE)
        .filter(directive__deadline__lt=day)
        .exclude(last_reminder_on=day)
        .select_related("directive", "recipient")
    )
    count = 0
    for transmission in late:
        with transaction.atomic():
            directive = transmission.directive
            days = (day - directive.deadline).days
            for person in {transmission.recipient, *directive.advisers.all()}:
                notification_create(
                    recipient=person,
                    subject=_("Directive en retard de %(n)s jour(s) : %(s)s") % {"n": days, "s": directive.subject},
                    body=_("Destinataire : %(who)s. Échéance : %(d)s. État : %(st)s.")
                    % {
                        "who": transmission.recipient,
                        "d": f"{directive.deadline:%d/%m/%Y}",
                        "st": transmission.get_state_display(),
                    },
                    url=_url(directive),
                )
            transmission.last_reminder_on = day
            transmission.save(update_fields=["last_reminder_on"])
            count += 1
    return count
