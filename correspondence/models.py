"""The correspondence register. The directory of correspondents is shared with audiences.

Two registers (arrivée, départ) numbered per year without gap or duplicate; each entry chained
to the previous one of its register by a SHA-256 over its registered fields (tamper evidence);
routing (imputation) with instructions and working-day deadlines; a timeline of every change.
Writes go through ``correspondence.services``, reads through ``correspondence.selectors``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import unicodedata
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class _StripCombining(dict):
    """``str.translate`` table removing combining marks (filled as characters are met)."""

    def __missing__(self, code: int):
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_STRIP_COMBINING = _StripCombining()


def normalise(text: str) -> str:
    """Lower-case, accents removed, whitespace collapsed: the form searched on SQLite and the
    text indexed on PostgreSQL (``Élysée`` and ``elysee`` match). Written for speed
    (``seed_volume`` normalises millions of strings): ASCII needs no decomposition, and the
    combining marks go through one ``translate``."""
    text = text or ""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(unicodedata.normalize("NFKD", text).translate(_STRIP_COMBINING).casefold().split())


class Correspondent(models.Model):
    """Someone the cabinet writes to or hears from: an embassy, an international
    organisation, an NGO, a ministry, a person."""

    class Kind(models.TextChoices):
        EMBASSY = "ambassade", _("Ambassade ou représentation diplomatique")
        INTERNATIONAL = "organisation_internationale", _("Organisation internationale")
        NGO = "ong", _("Organisation non gouvernementale")
        MINISTRY = "ministere", _("Ministère ou institution de l'État")
        COMPANY = "entreprise", _("Entreprise")
        PERSON = "personne", _("Personne physique")
        OTHER = "autre", _("Autre")

    name = models.CharField(_("nom"), max_length=255)
    kind = models.CharField(_("catégorie"), max_length=40, choices=Kind.choices, default=Kind.OTHER)
    acronym = models.CharField(_("sigle"), max_length=40, blank=True)
    country = models.CharField(_("pays"), max_length=100, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=60, blank=True)
    # A duplicate merged into another entry keeps its row (old letters point to it) but
    # is hidden from pickers; lookups follow merged_into.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionné dans"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    # Name + acronym, lower-case and without accents: what the as-you-type picker matches.
    search_name = models.CharField(_("nom normalisé"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("correspondant")
        verbose_name_plural = _("correspondants")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"], name="correspondent_name"),
            models.Index(fields=["search_name"], name="correspondent_search_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        self.search_name = normalise(f"{self.name} {self.acronym}")[:300]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"name", "acronym"} & set(update_fields)):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


class _AdminList(models.Model):
    """A short list editable in the admin (kinds of mail, ways mail arrives)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=100)
    order = models.PositiveSmallIntegerField(_("ordre"), default=100)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class MailKind(_AdminList):
    class Meta(_AdminList.Meta):
        verbose_name = _("nature de courrier")
        verbose_name_plural = _("natures de courrier")


class ArrivalChannel(_AdminList):
    class Meta(_AdminList.Meta):
        verbose_name = _("mode d'arrivée")
        verbose_name_plural = _("modes d'arrivée")


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The (translated) label of ``value`` in ``choices``; the value itself if unknown."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Register(models.TextChoices):
    ARRIVEE = "arrivee", _("Arrivée")
    DEPART = "depart", _("Départ")


class RegisterCounter(models.Model):
    """The last number given in a register for a year. Its row is locked (SELECT … FOR UPDATE)
    in the registering transaction: numbers are consecutive, never duplicated, and a
    rolled-back registration gives its number back."""

    register = models.CharField(_("registre"), max_length=10, choices=Register.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    last_number = models.PositiveIntegerField(_("dernier numéro"), default=0)
    # The chain hash of entry ``last_hash_number``, so the next registration chains on it
    # without reading the previous entry under the lock. Used only while ``last_hash_number``
    # equals ``last_number``: a writer that numbers entries without keeping it (a bulk load)
    # leaves it behind, and the previous entry is read instead.
    last_hash = models.CharField(_("dernière empreinte"), max_length=64, blank=True, editable=False)
    last_hash_number = models.PositiveIntegerField(_("numéro de la dernière empreinte"), default=0, editable=False)

    class Meta:
        verbose_name = _("compteur de registre")
        verbose_name_plural = _("compteurs de registre")
        constraints = [models.UniqueConstraint(fields=["register", "year"], name="register_counter_unique")]

    def __str__(self) -> str:
        return f"{self.get_register_display()} {self.year} : {self.last_number}"


class Mail(models.Model):
    """One entry of a register: an incoming letter (arrivée) or an outgoing one (départ)."""

    class Priority(models.TextChoices):
        NORMALE = "normale", _("Normale")
        URGENTE = "urgente", _("Urgente")
        TRES_URGENTE = "tres_urgente", _("Très urgente")

    class Confidentiality(models.TextChoices):
        ORDINAIRE = "ordinaire", _("Ordinaire")
        CONFIDENTIEL = "confidentiel", _("Confidentiel")
        SECRET = "secret", _("Secret")

    class State(models.TextChoices):
        ENREGISTRE = "enregistre", _("Enregistré")
        IMPUTE = "impute", _("Imputé")
        EN_TRAITEMENT = "en_traitement", _("En traitement")
        REPONDU = "repondu", _("Répondu")
        CLASSE = "classe", _("Classé")
        ARCHIVE = "archive", _("Archivé")

    # The fields fixed at registration, covered by the chain hash: they never change
    # afterwards (an error is corrected by cancelling the entry and registering it again).
    HASHED_FIELDS = (
        "register",
        "year",
        "number",
        "reference",
        "administrative_reference",
        "registered_at",
        "registered_by_id",
        "arrival_date",
        "letter_date",
        "sender_reference",
        "correspondent_id",
        "subject",
        "kind_id",
    )

    register = models.CharField(_("registre"), max_length=10, choices=Register.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    number = models.PositiveIntegerField(_("numéro d'ordre"))
    # Unique through Meta.constraints: as ``unique=True``, PostgreSQL would also get a second,
    # never used LIKE index (varchar_pattern_ops) to maintain on every registration.
    reference = models.CharField(_("numéro d'enregistrement"), max_length=40)
    administrative_reference = models.CharField(
        _("référence administrative"), max_length=60, blank=True, help_text=_("Départ : N° 00001/MAE/CAB.")
    )
    registered_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    # db_index=False on the foreign keys that no page filters by (people, channel): each index
    # is written by every registration under the register's lock, and rebuilt by every load;
    # only deleting a person reads them (docs/performance.md, "Indexes nobody reads").
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    arrival_date = models.DateField(_("date d'arrivée"), null=True, blank=True)
    letter_date = models.DateField(_("date de la lettre"), null=True, blank=True)
    sender_reference = models.CharField(_("référence de l'expéditeur"), max_length=120, blank=True)
    # Incoming: the sender. Outgoing: the first recipient (all of them in ``recipients``).
    # The foreign keys' own indexes are left out where a composite index starts with the same
    # column (mail_correspondent_registered, mail_kind_registered): fewer indexes to write
    # under the register's lock.
    correspondent = models.ForeignKey(
        Correspondent, verbose_name=_("correspondant"), on_delete=models.PROTECT, related_name="mails", db_index=False
    )
    subject = models.CharField(_("objet"), max_length=500)
    kind = models.ForeignKey(
        MailKind, verbose_name=_("nature"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    channel = models.ForeignKey(
        ArrivalChannel,
        verbose_name=_("mode d'arrivée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    pages = models.PositiveSmallIntegerField(_("nombre de pages"), default=1)
    enclosures = models.PositiveSmallIntegerField(_("nombre de pièces jointes"), default=0)
    priority = models.CharField(_("priorité"), max_length=15, choices=Priority.choices, default=Priority.NORMALE)
    confidentiality = models.CharField(
        _("confidentialité"), max_length=15, choices=Confidentiality.choices, default=Confidentiality.ORDINAIRE
    )
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    state = models.CharField(_("état"), max_length=15, choices=State.choices, default=State.ENREGISTRE)
    state_changed_at = models.DateTimeField(_("état changé le"), default=timezone.now)

    # Outgoing only.
    recipients = models.ManyToManyField(
        Correspondent, verbose_name=_("destinataires"), blank=True, related_name="mails_received"
    )
    copies = models.ManyToManyField(
        Correspondent, verbose_name=_("ampliations"), blank=True, related_name="mails_copied"
    )
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signataire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    sent_date = models.DateField(_("date d'envoi"), null=True, blank=True)
    replies_to = models.ManyToManyField(
        "self",
        verbose_name=_("en réponse à"),
        symmetrical=False,
        blank=True,
        related_name="replies",
    )

    # Outgoing letter registered from a signed item of the signature book (parapheur).
    signature_item = models.OneToOneField(
        "delegations.SignatureItem",
        verbose_name=_("pièce du parapheur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outgoing_mail",
    )

    # Cancellation: the entry keeps its number and shows as annulé.
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True)

    # Tamper evidence: SHA-256 over the previous entry's hash and this entry's HASHED_FIELDS.
    chain_hash = models.CharField(_("empreinte chaînée"), max_length=64, editable=False)

    # Search: normalised text (SQLite fallback) and its tsvector (PostgreSQL, GIN-indexed).
    search_text = models.TextField(_("texte de recherche"), blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("courrier")
        verbose_name_plural = _("courriers")
        ordering = ["-registered_at", "-id"]
        permissions = [
            ("register_mail", _("Peut enregistrer le courrier")),
            ("route_mail", _("Peut imputer le courrier")),
            ("view_register", _("Peut consulter le registre (courrier ordinaire)")),
            ("view_confidential_mail", _("Peut consulter le courrier confidentiel")),
            ("view_secret_mail", _("Peut consulter le courrier secret")),
            ("export_mail", _("Peut exporter le registre")),
            ("manage_correspondents", _("Peut gérer l'annuaire des correspondants")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["register", "year", "number"], name="mail_unique_number"),
            models.UniqueConstraint(fields=["reference"], name="mail_unique_reference"),
            models.CheckConstraint(
                condition=Q(letter_date__isnull=True)
                | Q(arrival_date__isnull=True)
                | Q(letter_date__lte=models.F("arrival_date")),
                name="mail_letter_not_after_arrival",
            ),
        ]
        indexes = [
            # Covering (PostgreSQL): the dashboard's weekly chart counts by register and day
            # from the index alone, and a page's bounded count tests a person's visibility
            # (the level, the mails opened to them) without reading the rows.
            models.Index(
                fields=["-registered_at", "-id"],
                name="mail_registered",
                include=["register", "cancelled_at", "confidentiality"],
            ),
            models.Index(fields=["register", "-registered_at", "-id"], name="mail_register_registered"),
            models.Index(fields=["state", "-registered_at"], name="mail_state_registered"),
            models.Index(fields=["correspondent", "-registered_at"], name="mail_correspondent_registered"),
            models.Index(fields=["kind", "-registered_at"], name="mail_kind_registered"),
            models.Index(fields=["priority", "-registered_at"], name="mail_priority_registered"),
            models.Index(fields=["arrival_date"], name="mail_arrival_date"),
            # Most letters are ordinary: the rare confidential/secret ones get their own index.
            # The id included: counting what a person may see at a level they do not see (the
            # mails opened to them) reads the index alone.
            models.Index(
                fields=["confidentiality", "-registered_at"],
                name="mail_restricted_registered",
                condition=~Q(confidentiality="ordinaire"),
                include=["id"],
            ),
            # The few cancelled entries (0.3 %), so open work excludes them with an anti-join
            # on this small index instead of joining every mail (docs/performance.md, item 4).
            models.Index(fields=["id"], name="mail_cancelled", condition=Q(cancelled_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject[:80]}"

    @property
    def is_incoming(self) -> bool:
        return self.register == Register.ARRIVEE

    @property
    def state_label(self) -> str:
        return choice_label(self.State, self.state)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality != self.Confidentiality.ORDINAIRE

    def clean(self) -> None:
        errors = {}
        today = timezone.localdate()
        if self.arrival_date and self.arrival_date > today:
            errors["arrival_date"] = _("La date d'arrivée ne peut pas être dans le futur.")
        if self.letter_date and self.letter_date > today:
            errors["letter_date"] = _("La date de la lettre ne peut pas être dans le futur.")
        if self.letter_date and self.arrival_date and self.letter_date > self.arrival_date:
            errors["letter_date"] = _("La date de la lettre ne peut pas être postérieure à sa date d'arrivée.")
        if self.register == Register.ARRIVEE and not self.arrival_date:
            errors["arrival_date"] = _("Indiquez la date d'arrivée.")
        if self.sent_date and self.sent_date > today:
            errors["sent_date"] = _("La date d'envoi ne peut pas être dans le futur.")
        if errors:
            raise ValidationError(errors)

    def hashed_payload(self) -> str:
        """The registered fields, in a canonical JSON form (stable across databases)."""
        values = {}
        for name in self.HASHED_FIELDS:
            value = getattr(self, name)
            if isinstance(value, datetime.datetime):
                # Microseconds dropped: not every database keeps them the same way.
                value = value.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            values[name] = value
        return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def compute_chain_hash(self, previous_hash: str) -> str:
        return hashlib.sha256(f"{previous_hash}|{self.hashed_payload()}".encode()).hexdigest()

    def build_search_text(self, extra: list[str] | None = None) -> str:
        correspondent = self.correspondent
        parts = [
            self.reference,
            self.administrative_reference,
            self.sender_reference,
            self.subject,
            self.keywords,
            correspondent.name,
            correspondent.acronym,
            *(extra or []),
        ]
        return normalise(" ".join(p for p in parts if p))


class MailUserObjectPermission(UserObjectPermissionBase):
    """Per-person rights on one mail (``view_mail``: routed to them, or explicitly granted)."""

    content_object = models.ForeignKey(Mail, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("permission d'une personne sur un courrier")
        verbose_name_plural = _("permissions des personnes sur les courriers")


class MailGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Mail, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("permission d'un groupe sur un courrier")
        verbose_name_plural = _("permissions des groupes sur les courriers")


class Instruction(models.TextChoices):
    ATTRIBUTION = "attribution", _("Pour attribution")
    AVIS = "avis", _("Pour avis")
    INFORMATION = "information", _("Pour information")
    SUITE = "suite", _("Pour suite à donner")
    SIGNATURE = "signature", _("Pour signature")
    CLASSEMENT = "classement", _("Pour classement")


class Imputation(models.Model):
    """A mail routed to a person or a unit, with an instruction and a deadline."""

    class State(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente")
        ACCUSEE = "accusee", _("Prise en compte")
        TERMINEE = "terminee", _("Terminée")
        REAFFECTEE = "reaffectee", _("Réaffectée")

    OPEN_STATES = (State.EN_ATTENTE, State.ACCUSEE)

    mail = models.ForeignKey(Mail, verbose_name=_("courrier"), on_delete=models.PROTECT, related_name="imputations")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attributaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imputations",
    )
    # Indexed with the mail (imputation_unit_mail), which serves the foreign key too.
    assignee_unit = models.ForeignKey(
        "cabinet.OrgUnit",
        verbose_name=_("service attributaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imputations",
        db_index=False,
    )
    instruction = models.CharField(_("instruction"), max_length=20, choices=Instruction.choices)
    deadline = models.DateField(_("échéance"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    state = models.CharField(_("état"), max_length=15, choices=State.choices, default=State.EN_ATTENTE)
    created_at = models.DateTimeField(_("imputé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imputé par"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Reassignment closes this imputation and opens a new one pointing back here.
    reassigned_from = models.OneToOneField(
        "self",
        verbose_name=_("réaffectation de"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reassigned_to",
    )
    acknowledged_at = models.DateTimeField(_("pris en compte le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pris en compte par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    opinion = models.TextField(_("avis"), blank=True)
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("terminé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("imputation")
        verbose_name_plural = _("imputations")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(assignee__isnull=False) & Q(assignee_unit__isnull=True))
                | (Q(assignee__isnull=True) & Q(assignee_unit__isnull=False)),
                name="imputation_one_assignee",
            )
        ]
        indexes = [
            models.Index(
                fields=["assignee", "deadline"],
                name="imputation_open_user",
                condition=Q(state__in=["en_attente", "accusee"]),
            ),
            models.Index(
                fields=["assignee_unit", "deadline"],
                name="imputation_open_unit",
                condition=Q(state__in=["en_attente", "accusee"]),
            ),
            # The letters routed to a service, from the index alone: what its members may see
            # (selectors.mail_visibility reads them for a director's every page).
            models.Index(fields=["assignee_unit", "mail"], name="imputation_unit_mail"),
            # Covering (PostgreSQL): the late count and the late-per-assignee chart of the
            # dashboard read the open imputations from the index alone.
            models.Index(
                fields=["deadline"],
                name="imputation_open_deadline",
                condition=Q(state__in=["en_attente", "accusee"]),
                include=["mail", "assignee", "assignee_unit"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mail.reference} → {self.assignee_label} ({self.get_instruction_display()})"

    # The labels of the current values, through the choices' enum: one translation each, where
    # get_…_display() translates every choice (rows of long lists call them on each row).
    @property
    def instruction_label(self) -> str:
        return choice_label(Instruction, self.instruction)

    @property
    def state_label(self) -> str:
        return choice_label(self.State, self.state)

    @property
    def assignee_label(self) -> str:
        if self.assignee_id:
            return self.assignee.display_name
        return str(self.assignee_unit)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_late(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.deadline is not None and self.deadline < today

    def clean(self) -> None:
        if bool(self.assignee_id) == bool(self.assignee_unit_id):
            raise ValidationError(_("Choisissez une personne ou un service, pas les deux."))


class ImputationNote(models.Model):
    """A working note written by the assignee on an imputation."""

    imputation = models.ForeignKey(Imputation, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT)
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)

    class Meta:
        verbose_name = _("note d'imputation")
        verbose_name_plural = _("notes d'imputation")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the original (sanitised) name is kept in the row.
    today = timezone.localdate()
    return f"correspondence/{today:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file of a mail (scan, enclosure) or an assignee's draft reply; private storage."""

    class Kind(models.TextChoices):
        SCAN = "scan", _("Document numérisé")
        ENCLOSURE = "piece", _("Pièce jointe")
        DRAFT_REPLY = "projet_reponse", _("Projet de réponse")

    mail = models.ForeignKey(Mail, verbose_name=_("courrier"), on_delete=models.PROTECT, related_name="attachments")
    imputation = models.ForeignKey(
        Imputation,
        verbose_name=_("imputation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.SCAN)
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def previewable(self) -> bool:
        return self.content_type == "application/pdf" or self.content_type in ("image/jpeg", "image/png")


class MailEvent(models.Model):
    """The mail's timeline: every change, who made it, when, and the values before/after."""

    class Action(models.TextChoices):
        REGISTERED = "enregistrement", _("Enregistrement")
        UPDATED = "modification", _("Modification")
        ROUTED = "imputation", _("Imputation")
        REASSIGNED = "reaffectation", _("Réaffectation")
        ACKNOWLEDGED = "prise_en_compte", _("Prise en compte")
        NOTE = "note", _("Note")
        OPINION = "avis", _("Avis")
        COMPLETED = "traitement_termine", _("Traitement terminé")
        REPLIED = "reponse", _("Réponse")
        ATTACHMENT = "piece_jointe", _("Pièce jointe")
        STATE = "etat", _("Changement d'état")
        CANCELLED = "annulation", _("Annulation")
        GRANTED = "acces", _("Accès accordé")
        SIGNATURE_BOOK = "parapheur", _("Parapheur")

    mail = models.ForeignKey(Mail, on_delete=models.PROTECT, related_name="events", db_index=False)
    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    imputation = models.ForeignKey(
        Imputation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # {"field label": [before, after]} for modifications; free text otherwise.
    changes = models.JSONField(_("changements"), default=dict, blank=True)
    text = models.TextField(_("détail"), blank=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("historique")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["mail", "at"], name="mailevent_mail_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


class MailConsultation(models.Model):
    """Who opened a confidential or secret mail (page, attachment, or a line of an export of
    the register), and when."""

    class What(models.TextChoices):
        DETAIL = "fiche", _("Fiche")
        ATTACHMENT = "piece", _("Pièce jointe")
        EXPORT = "export", _("Export du registre")

    mail = models.ForeignKey(Mail, on_delete=models.PROTECT, related_name="consultations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("personne"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("le"), default=timezone.now)
    what = models.CharField(_("objet consulté"), max_length=10, choices=What.choices)
    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("journal des consultations")
        ordering = ["-at"]
        indexes = [models.Index(fields=["mail", "-at"], name="consultation_mail_at")]

    def __str__(self) -> str:
        return f"{self.user} — {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


def register_print_path(instance: RegisterPrint, filename: str) -> str:
    return f"correspondence/impressions/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.pdf"


class RegisterPrint(models.Model):
    """A printed register of a period too long to lay out while the person waits: prepared by
    a Celery worker, kept for its requester alone (private storage, served by a view that
    checks who asks), deleted after ``KEPT_DAYS``."""

    KEPT_DAYS = 7

    class State(models.TextChoices):
        PENDING = "en_attente", _("En préparation")
        READY = "prete", _("Prête")
        FAILED = "echec", _("Échec")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.CASCADE, related_name="+"
    )
    register = models.CharField(_("registre"), max_length=10, choices=Register.choices)
    start = models.DateField(_("du"))
    end = models.DateField(_("au"))
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.PENDING)
    rows = models.PositiveIntegerField(_("entrées"), null=True, blank=True)
    file = models.FileField(_("fichier"), upload_to=register_print_path, blank=True, max_length=200)
    error = models.TextField(_("erreur"), blank=True)
    requested_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("impression du registre")
        verbose_name_plural = _("impressions du registre")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="registerprint_user_at")]

    def __str__(self) -> str:
        return f"{self.get_register_display()} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    @property
    def filename(self) -> str:
        return f"registre-{self.register}-{self.start:%Y%m%d}-{self.end:%Y%m%d}.pdf"
