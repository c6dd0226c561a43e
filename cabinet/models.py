"""The cabinet's organisation: people, units, positions, mandates; plus the working calendar
and the notification outbox that every domain app uses."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .roles import SINGLE_HOLDER_ROLES, Role


class User(AbstractUser):
    """A member of the ministry's staff (or an administrator)."""

    civility = models.CharField(_("civilité"), max_length=20, blank=True)
    title = models.CharField(
        _("titre d'usage"),
        max_length=200,
        blank=True,
        help_text=_("Titre imprimé sous la signature, par ex. « Directeur de cabinet »."),
    )
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        full = self.get_full_name()
        return f"{self.civility} {full}".strip() if full else self.username


class OrgUnit(models.Model):
    """An organisational unit of the ministry, as a tree."""

    class Kind(models.TextChoices):
        MINISTRY = "ministere", _("Ministère")
        CABINET = "cabinet", _("Cabinet")
        SECRETARIAT = "secretariat", _("Secrétariat particulier")
        PROTOCOL = "protocole", _("Direction du protocole d'État")
        DIRECTION = "direction", _("Direction")
        SERVICE = "service", _("Service")
        EXTERNAL = "exterieur", _("Service extérieur (ambassade, consulat…)")

    name = models.CharField(_("nom"), max_length=200)
    acronym = models.CharField(_("sigle"), max_length=30, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("unité parente"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    email = models.EmailField(_("courriel"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unité organisationnelle")
        verbose_name_plural = _("unités organisationnelles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_in_parent"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="orgunit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def ancestors(self) -> list[OrgUnit]:
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


# The pattern every row-level permission in Cabinet follows: django-guardian with *direct
# foreign-key* permission tables (one pair per guarded model), never the generic
# UserObjectPermission/GroupObjectPermission tables whose object_pk is a string. Guardian
# finds these through the "<model>userobjectpermission" related names.
class OrgUnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("permission d'une personne sur une unité")
        verbose_name_plural = _("permissions des personnes sur les unités")


class OrgUnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("permission d'un groupe sur une unité")
        verbose_name_plural = _("permissions des groupes sur les unités")


class Position(models.Model):
    """A post in a unit (Ministre, Directeur de cabinet, Conseiller technique…)."""

    title = models.CharField(_("intitulé"), max_length=200)
    kind = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unité"), on_delete=models.PROTECT, related_name="positions")
    domain = models.CharField(
        _("domaine de compétence"),
        max_length=200,
        blank=True,
        help_text=_("Pour un conseiller technique : son domaine (ex. « Afrique et intégration »)."),
    )
    requires_otp = models.BooleanField(
        _("second facteur exigé"),
        default=False,
        help_text=_("Les titulaires doivent valider un code TOTP à chaque connexion."),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("poste")
        verbose_name_plural = _("postes")
        ordering = ["unit__name", "title"]
        permissions = [("view_organisation", _("Peut consulter l'organigramme et les mandats"))]

    def __str__(self) -> str:
        return self.title

    @property
    def is_single_holder(self) -> bool:
        return self.kind in SINGLE_HOLDER_ROLES


class MandateQuerySet(models.QuerySet):
    def in_force(self, day: datetime.date | None = None) -> MandateQuerySet:
        """Mandates that give their rights on ``day`` (today, in Lomé, by default)."""
        day = day or timezone.localdate()
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> MandateQuerySet:
        qs = self.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        if end is not None:
            qs = qs.filter(start_date__lte=end)
        return qs


class Mandate(models.Model):
    """A person holds a position from a date to a date (both included), or open-ended.

    An intérim mandate makes its holder the acting holder of the post for a dated period,
    with the post's full powers; it may overlap the ordinary holder's mandate (who is then
    absent), but not another intérim on the same post.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    position = models.ForeignKey(Position, verbose_name=_("poste"), on_delete=models.PROTECT, related_name="mandates")
    start_date = models.DateField(_("du"))
    end_date = models.DateField(_("au"), null=True, blank=True, help_text=_("Vide : sans terme."))
    is_interim = models.BooleanField(_("intérim"), default=False)
    act_reference = models.CharField(
        _("acte de nomination"),
        max_length=200,
        blank=True,
        help_text=_("Décret, arrêté ou note de service qui fonde le mandat."),
    )
    note = models.TextField(_("observations"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["user", "start_date", "end_date"], name="mandate_user_dates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="mandate_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        suffix = _(" (intérim)") if self.is_interim else ""
        return f"{self.user} — {self.position}{suffix}"

    def is_in_force(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La fin du mandat ne peut pas précéder son début.")})
        if self.position_id and self.start_date:
            conflict = self.conflicting_mandate()
            if conflict is not None:
                raise ValidationError({"start_date": conflict_message(conflict)})

    def conflicting_mandate(self) -> Mandate | None:
        """Another mandate this one may not overlap: for a single-holder post, another
        ordinary mandate; for any post, another intérim (one acting holder at a time)."""
        position = self.position
        if self.is_interim:
            candidates = Mandate.objects.filter(position=position, is_interim=True)
        elif position.is_single_holder:
            candidates = Mandate.objects.filter(position=position, is_interim=False)
        else:
            return None
        candidates = candidates.overlapping(self.start_date, self.end_date)
        if self.pk:
            candidates = candidates.exclude(pk=self.pk)
        return candidates.select_related("user").order_by("start_date").first()


def conflict_message(conflict: Mandate) -> str:
    until = _("au %(date)s") % {"date": f"{conflict.end_date:%d/%m/%Y}"} if conflict.end_date else _("sans terme")
    kind = _("intérim") if conflict.is_interim else _("mandat")
    return _(
        "Conflit : %(kind)s de %(person)s sur ce poste du %(start)s %(until)s. Ce poste n'a qu'un titulaire à la fois."
    ) % {
        "kind": kind,
        "person": conflict.user,
        "start": f"{conflict.start_date:%d/%m/%Y}",
        "until": until,
    }


class Holiday(models.Model):
    """A public holiday in Togo: no deadline falls on it, no audience is set on it unwarned."""

    class Kind(models.TextChoices):
        FIXED = "fixe", _("Date fixe")
        EASTER = "paques", _("Liée à Pâques")
        ISLAMIC = "islamique", _("Fête musulmane (date fixée chaque année)")
        EXCEPTIONAL = "exceptionnel", _("Jour férié exceptionnel")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.FIXED)

    class Meta:
        verbose_name = _("jour férié")
        verbose_name_plural = _("jours fériés")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d/%m/%Y})"


class Notification(models.Model):
    """An in-app notice, and the outbox row for its e-mail.

    Written in the same transaction as the event it reports, so it is never lost: the e-mail
    is sent by a Celery task enqueued after commit, and a periodic sweep sends whatever the
    broker did not take (e.g. while Redis was down).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(_("objet"), max_length=250)
    body = models.TextField(_("texte"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    send_email = models.BooleanField(_("envoyer par courriel"), default=True)
    emailed_at = models.DateTimeField(_("envoyée par courriel le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives d'envoi"), default=0)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_unread"),
            models.Index(
                fields=["created_at"],
                name="notif_email_pending",
                condition=Q(send_email=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject
