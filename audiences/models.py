"""Audiences: the requests the minister receives, his agenda, and the protocol's confirmation.

An ``Audience`` carries one lifecycle from the request to the meeting held (reçue → à l'étude →
acceptée / refusée → programmée → confirmée par le protocole → tenue, or annulée / reportée).
A ``Unavailability`` is a block of the minister's time (travel, Conseil des ministres…).

Both write the time they hold into one table, ``AgendaSlot``: one row per audience or block
that occupies the minister's agenda (programmed or confirmed audience, active block), from its
start to its end plus the buffer. On PostgreSQL an exclusion constraint (btree_gist, added by
migration 0002) forbids two overlapping rows, so two concurrent programmings cannot both land;
the services check the same rule first so SQLite refuses overlaps too and the user gets a
message naming the conflicting item.
"""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from correspondence.models import Correspondent


class Place(models.Model):
    """Where the minister receives (Bureau du ministre, Salon d'honneur…): an editable list."""

    name = models.CharField(_("nom"), max_length=150, unique=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AudienceState(models.TextChoices):
    RECEIVED = "recue", _("Reçue")
    STUDY = "etude", _("À l'étude")
    ACCEPTED = "acceptee", _("Acceptée")
    REFUSED = "refusee", _("Refusée")
    PROGRAMMED = "programmee", _("Programmée")
    CONFIRMED = "confirmee", _("Confirmée par le protocole")
    HELD = "tenue", _("Tenue")
    CANCELLED = "annulee", _("Annulée")
    POSTPONED = "reportee", _("Reportée")


# States in which an audience holds its time in the agenda.
SCHEDULED_STATES = (AudienceState.PROGRAMMED, AudienceState.CONFIRMED)

# States in which « Modifier la demande » corrects the request: until it is held, cancelled or
# refused. A postponed request waits to be programmed again, so it is corrected like a new one.
CORRECTABLE_STATES = (
    AudienceState.RECEIVED,
    AudienceState.STUDY,
    AudienceState.ACCEPTED,
    AudienceState.POSTPONED,
    *SCHEDULED_STATES,
)
# Once in the agenda the protocol prepares the audience as programmed (who is received, when,
# where, interpreters): only who comes in the delegation and why, and the letter on file, are
# still corrected here; the time and place go through « Déplacer », the rest through
# « Annuler ou reporter ».
SCHEDULED_CORRECTABLE_FIELDS = frozenset({"letter", "purpose", "participants", "participants_count", "languages"})
# What the protocol and the cabinet prepare once the audience is programmed, besides its time
# and place: set by « Programmer », changed by « Modifier la préparation » (with the cabinet's
# participants, ``attendees``).
PROTOCOL_FIELDS = (
    "needs_interpreter",
    "needs_press",
    "needs_gifts",
    "needs_security",
    "needs_vehicles",
    "protocol_notes",
)


class Audience(models.Model):
    """A request for an audience with the minister, and the audience it becomes."""

    State = AudienceState

    # The request.
    requester = models.ForeignKey(
        Correspondent,
        verbose_name=_("demandeur"),
        on_delete=models.PROTECT,
        related_name="audiences",
        help_text=_("Qui demande l'audience (annuaire des correspondants)."),
    )
    on_behalf_of = models.CharField(
        _("au nom de"), max_length=255, blank=True, help_text=_("Organisation ou autorité représentée.")
    )
    purpose = models.TextField(_("objet de l'audience"))
    wished_from = models.DateField(_("souhaitée à partir du"))
    wished_until = models.DateField(_("souhaitée jusqu'au"), null=True, blank=True)
    participants_count = models.PositiveSmallIntegerField(_("nombre de participants"), default=1)
    languages = models.CharField(_("langues"), max_length=200, blank=True)
    interpreter_needed = models.BooleanField(_("interprète nécessaire"), default=False)
    received_on = models.DateField(_("reçue le"), default=timezone.localdate)
    letter = models.ForeignKey(
        "correspondence.Mail",
        verbose_name=_("courrier d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audience_requests",
        help_text=_("La lettre ou note verbale enregistrée à l'arrivée qui porte la demande."),
    )
    is_confidential = models.BooleanField(
        _("confidentielle"),
        default=False,
        help_text=_("Visible seulement du ministre, du directeur de cabinet, de l'attaché et du chef du SP."),
    )
    state = models.CharField(_("état"), max_length=20, choices=AudienceState.choices, default=AudienceState.RECEIVED)
    decision_reason = models.TextField(_("motif du refus"), blank=True)
    cancel_reason = models.TextField(_("motif de l'annulation ou du report"), blank=True)

    # The audience, once programmed.
    starts_at = models.DateTimeField(_("début"), null=True, blank=True)
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    place = models.ForeignKey(
        Place, verbose_name=_("lieu"), on_delete=models.PROTECT, null=True, blank=True, related_name="audiences"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participants du cabinet"),
        blank=True,
        related_name="audiences_attended",
    )
    needs_interpreter = models.BooleanField(_("interprète"), default=False)
    needs_press = models.BooleanField(_("presse"), default=False)
    needs_gifts = models.BooleanField(_("cadeaux"), default=False)
    needs_security = models.BooleanField(_("sécurité"), default=False)
    needs_vehicles = models.BooleanField(_("véhicules"), default=False)
    protocol_notes = models.TextField(_("notes de protocole (préséance…)"), blank=True)
    # The iCalendar SEQUENCE: raised on every change to what the feed shows (feeds.py).
    sequence = models.PositiveIntegerField(_("révision"), default=0)
    programmed_at = models.DateTimeField(_("programmée le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    protocol_reminded_at = models.DateTimeField(_("protocole relancé le"), null=True, blank=True)
    report_requested_at = models.DateTimeField(_("compte rendu demandé le"), null=True, blank=True)

    uid = models.UUIDField(_("identifiant iCalendar"), default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["-created_at"]
        permissions = [
            ("programme_audience", _("Peut étudier et programmer les audiences")),
            ("confirm_audience", _("Peut confirmer les audiences (protocole)")),
            ("view_agenda", _("Peut consulter l'agenda du ministre")),
        ]
        indexes = [
            models.Index(fields=["state", "starts_at"], name="audience_state_start"),
            models.Index(fields=["starts_at"], name="audience_start"),
            # The list of audiences, read page by page (audience_list's order). The requests not
            # yet programmed (no date) come first and grow with the years: without the last two
            # columns each page sorted all of them.
            models.Index(fields=["-starts_at", "-created_at", "-id"], name="audience_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="audience_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(wished_until__isnull=True) | Q(wished_until__gte=models.F("wished_from")),
                name="audience_wished_range",
            ),
        ]

    def __str__(self) -> str:
        return _("Audience de %(who)s") % {"who": self.requester_label}

    @property
    def requester_label(self) -> str:
        return self.on_behalf_of or str(self.requester)

    @property
    def is_scheduled(self) -> bool:
        return self.state in SCHEDULED_STATES

    @property
    def is_correctable(self) -> bool:
        return self.state in CORRECTABLE_STATES

    def clean(self) -> None:
        errors = {}
        if self.wished_from and self.wished_until and self.wished_until < self.wished_from:
            errors["wished_until"] = _("La fin de la période souhaitée ne peut pas précéder son début.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("La fin doit être postérieure au début.")
        if errors:
            raise ValidationError(errors)


class Participant(models.Model):
    """An external participant of an audience (the delegation received)."""

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("nom"), max_length=200)
    title = models.CharField(_("titre ou fonction"), max_length=200, blank=True)
    nationality = models.CharField(_("nationalité"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre de préséance"), default=0)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.name, self.title, self.nationality) if p)


def attachment_path(instance, filename: str) -> str:
    return f"audiences/{instance.audience_id}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A document of an audience: the request's enclosures, or the compte rendu."""

    class Kind(models.TextChoices):
        REQUEST = "demande", _("Pièce de la demande")
        REPORT = "compte_rendu", _("Compte rendu")

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.REQUEST)
    file = models.FileField(_("fichier"), upload_to=attachment_path)
    name = models.CharField(_("nom du fichier"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class _TimedEvent(models.Model):
    """A line of a history on the agenda: who, when, a comment, and the times before and after
    when the change moved them (an audience's, a block's)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("le"), default=timezone.now)
    comment = models.TextField(_("commentaire"), blank=True)
    old_starts_at = models.DateTimeField(_("ancien début"), null=True, blank=True)
    old_ends_at = models.DateTimeField(_("ancienne fin"), null=True, blank=True)
    new_starts_at = models.DateTimeField(_("nouveau début"), null=True, blank=True)
    new_ends_at = models.DateTimeField(_("nouvelle fin"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.label()} — {timezone.localtime(self.at):%d/%m/%Y %H:%M}"

    def label(self) -> str:
        raise NotImplementedError


class AudienceEvent(_TimedEvent):
    """The history of an audience: who did what, when; a move keeps the old and new times."""

    class Kind(models.TextChoices):
        RECORDED = "enregistree", _("Demande enregistrée")
        STUDY = "etude", _("Mise à l'étude")
        ACCEPTED = "acceptee", _("Acceptée")
        REFUSED = "refusee", _("Refusée")
        PROGRAMMED = "programmee", _("Programmée")
        CONFIRMED = "confirmee", _("Confirmée par le protocole")
        CHANGE_ASKED = "changement", _("Changement demandé par le protocole")
        MOVED = "deplacee", _("Déplacée")
        CANCELLED = "annulee", _("Annulée")
        POSTPONED = "reportee", _("Reportée")
        HELD = "tenue", _("Tenue")
        REPORT = "compte_rendu", _("Compte rendu déposé")
        GRANTED = "acces", _("Accès accordé")
        MODIFIED = "modifiee", _("Demande modifiée")
        PREPARATION = "preparation", _("Préparation modifiée")
        REQUESTER_MERGED = "demandeur_fusionne", _("Demandeur fusionné dans l'annuaire")

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("événement"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("événement d'une audience")
        verbose_name_plural = _("historique des audiences")
        ordering = ["at", "id"]

    def label(self) -> str:
        return self.get_kind_display()


class Unavailability(models.Model):
    """A block of the minister's time when no audience can be set."""

    class Kind(models.TextChoices):
        TRAVEL = "voyage", _("Voyage / mission")
        COUNCIL = "conseil", _("Conseil des ministres")
        CEREMONY = "ceremonie", _("Cérémonie officielle")
        PRIVATE = "prive", _("Indisponibilité")
        OTHER = "autre", _("Autre")

    title = models.CharField(_("intitulé"), max_length=200)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    note = models.TextField(_("observations"), blank=True)
    is_cancelled = models.BooleanField(_("levée"), default=False)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indisponibilité")
        verbose_name_plural = _("indisponibilités")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="unavailability_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin doit être postérieure au début.")})


class UnavailabilityEvent(_TimedEvent):
    """The history of a block, as ``AudienceEvent`` is an audience's: who blocked, corrected or
    lifted it, when; a correction keeps the old and new times and its other changes in
    ``comment`` (« Intitulé : A → B »), a lift the times it freed."""

    class Action(models.TextChoices):
        CREATED = "creee", _("Créneau bloqué")
        UPDATED = "modifiee", _("Indisponibilité modifiée")
        LIFTED = "levee", _("Créneau levé")

    block = models.ForeignKey(Unavailability, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("événement"), max_length=20, choices=Action.choices)

    class Meta:
        verbose_name = _("événement d'une indisponibilité")
        verbose_name_plural = _("historique des indisponibilités")
        ordering = ["at", "id"]

    def label(self) -> str:
        return self.get_action_display()


class AgendaSlot(models.Model):
    """Time held in the minister's agenda by one audience or one block.

    A row exists while its item holds the time (programmed or confirmed audience, active
    block; a held audience keeps it); the services delete it when the audience is cancelled,
    postponed or refused and when a block is lifted. ``occupied_until`` is the end plus the
    buffer of the moment, so that the exclusion constraint on PostgreSQL (migration 0002)
    enforces the buffer between two items without a non-immutable expression.
    """

    audience = models.OneToOneField(Audience, on_delete=models.CASCADE, null=True, blank=True, related_name="slot")
    unavailability = models.OneToOneField(
        Unavailability, on_delete=models.CASCADE, null=True, blank=True, related_name="slot"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    occupied_until = models.DateTimeField(_("occupé jusqu'à (fin + marge)"))

    class Meta:
        verbose_name = _("créneau de l'agenda")
        verbose_name_plural = _("créneaux de l'agenda")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__isnull=False, unavailability__isnull=True)
                | Q(audience__isnull=True, unavailability__isnull=False),
                name="agendaslot_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(occupied_until__gte=models.F("ends_at")) & Q(ends_at__gt=models.F("starts_at")),
                name="agendaslot_ordered_times",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.audience_id:
            return str(self.audience)
        return str(self.unavailability)

    def describe(self) -> str:
        """« l'audience de X (10/03/2026 10:00–10:30) », as named in a conflict message."""
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        when = f"{date_format(start, 'd/m/Y')} {start:%H:%M}–{end:%H:%M}"
        if self.audience_id:
            return _("l'audience « %(label)s » (%(when)s)") % {"label": self.audience.requester_label, "when": when}
        return _("l'indisponibilité « %(label)s » (%(when)s)") % {"label": self.unavailability.title, "when": when}


class FeedToken(models.Model):
    """The secret of a person's private iCalendar feed; renewing it kills the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audience_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("flux iCalendar")
        verbose_name_plural = _("flux iCalendar")

    def __str__(self) -> str:
        return str(self.user)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


# Row-level rights (django-guardian, direct foreign keys): a person explicitly given access
# to an audience (e.g. the protocol agent handling a confidential one).
class AudienceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Audience, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("permission d'une personne sur une audience")
        verbose_name_plural = _("permissions des personnes sur les audiences")


class AudienceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Audience, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("permission d'un groupe sur une audience")
        verbose_name_plural = _("permissions des groupes sur les audiences")


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end (exclusive) of a day in Lomé, as aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)
