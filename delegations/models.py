"""Signature delegations (arrêtés), the signature book (parapheur) and the minister's directives.

Public interface for the other apps (keep these names stable): ``ActCategory``,
``SignatureItem`` (``state``, ``signed_at``, ``signed_pdf``, ``signer``, ``verification_code``,
``source_label``, ``source_url``) and ``delegations.services.signature_item_submit``.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .files import validate_document, validate_scan


class ActCategory(models.Model):
    """A category of acts (correspondance courante, notes verbales, traités…). A delegation's
    scope is a list of these; a non-delegable one is signed by the minister only."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200, unique=True)
    is_delegable = models.BooleanField(
        _("délégable"),
        default=True,
        help_text=_("Décoché : seul le ministre signe (traités et accords, arrêtés, décrets)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catégorie d'actes")
        verbose_name_plural = _("catégories d'actes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _private_name(prefix: str, filename: str) -> str:
    return f"{prefix}/{timezone.localdate():%Y/%m}/{secrets.token_hex(8)}-{filename[-80:]}"


def upload_arrete(instance, filename: str) -> str:
    return _private_name("delegations/arretes", filename)


def upload_document(instance, filename: str) -> str:
    return _private_name("delegations/parapheur", filename)


def upload_signed(instance, filename: str) -> str:
    return _private_name("delegations/signes", filename)


def upload_report(instance, filename: str) -> str:
    return _private_name("delegations/rapports", filename)


class DelegationQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> DelegationQuerySet:
        """Arrêtés that gave (or give) their power on ``day``: published by then, within their
        dates, not yet revoked nor ended. Answers for the past too (the register); the
        mandates are checked by the rules, person by person."""
        return (
            self.exclude(state=Delegation.State.PROJET)
            .filter(published_on__lte=day, valid_from__lte=day)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        )


class Delegation(models.Model):
    """A delegation of signature given by the minister to a named subordinate by arrêté."""

    class State(models.TextChoices):
        PROJET = "projet", _("Projet")
        EN_VIGUEUR = "en_vigueur", _("En vigueur")
        ABROGE = "abroge", _("Abrogé")
        EXPIRE = "expire", _("Expiré")
        CADUC = "caduc", _("Caduc")

    number = models.CharField(_("numéro de l'arrêté"), max_length=60, unique=True)
    signed_on = models.DateField(_("signé le"))
    publication_reference = models.CharField(
        _("référence de publication"),
        max_length=200,
        blank=True,
        help_text=_("Journal officiel ou bulletin du ministère, par ex. « JORT n° 12 du 03/02/2026 »."),
    )
    published_on = models.DateField(_("publié le"), null=True, blank=True)
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("délégant (ministre)"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("délégataire"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    categories = models.ManyToManyField(ActCategory, verbose_name=_("catégories d'actes"), related_name="delegations")
    valid_from = models.DateField(_("valable du"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True, help_text=_("Vide : sans terme."))
    is_conditional = models.BooleanField(
        _("en cas d'absence ou d'empêchement du ministre"),
        default=False,
        help_text=_("Le signataire doit attester l'absence ou l'empêchement du ministre à chaque signature."),
    )
    scan = models.FileField(
        _("arrêté scanné"), upload_to=upload_arrete, blank=True, validators=[validate_scan], max_length=255
    )
    # The scan as the person chose it, shown on the arrêté's page (the stored name is not his).
    scan_name = models.CharField(_("nom du fichier scanné"), max_length=255, blank=True)
    scan_size = models.PositiveBigIntegerField(_("taille du fichier scanné (octets)"), null=True, blank=True)
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.PROJET)
    revocation_reference = models.CharField(_("arrêté d'abrogation"), max_length=200, blank=True)
    revoked_on = models.DateField(_("abrogé le"), null=True, blank=True)
    revocation_reason = models.TextField(_("motif de l'abrogation"), blank=True)
    ended_on = models.DateField(_("fin constatée le"), null=True, blank=True)
    end_warning_sent_on = models.DateField(_("préavis de fin envoyé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saisi le"), default=timezone.now)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("délégation de signature")
        verbose_name_plural = _("délégations de signature")
        ordering = ["-signed_on", "-id"]
        # The list of arrêtés, latest signed first, read page by page.
        indexes = [models.Index(fields=["-signed_on", "-id"], name="delegation_signed")]
        permissions = [
            ("manage_delegation", _("Peut enregistrer, publier et abroger les arrêtés de délégation")),
            ("view_register", _("Peut consulter le registre des délégations")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="delegation_until_not_before_from",
            ),
            models.CheckConstraint(condition=~Q(delegate=models.F("delegator")), name="delegation_not_to_self"),
        ]

    def __str__(self) -> str:
        return _("Arrêté n° %(number)s") % {"number": self.number}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("La fin de validité ne peut pas précéder son début.")
        if self.signed_on and self.valid_from and self.valid_from < self.signed_on:
            errors["valid_from"] = _("La délégation ne peut pas prendre effet avant la signature de l'arrêté.")
        if self.published_on and self.signed_on and self.published_on < self.signed_on:
            errors["published_on"] = _("L'arrêté ne peut pas être publié avant d'avoir été signé.")
        if self.revoked_on and self.signed_on and self.revoked_on < self.signed_on:
            errors["revoked_on"] = _("L'abrogation ne peut pas précéder la signature de l'arrêté.")
        if self.delegate_id and self.delegate_id == self.delegator_id:
            errors["delegate"] = _("Le ministre ne se délègue pas sa propre signature.")
        if errors:
            raise ValidationError(errors)

    def effective_until(self) -> datetime.date | None:
        """The last day the arrêté gives power, counting its own term and its end if revoked."""
        ends = [d for d in (self.valid_until, self.revoked_on and self.revoked_on - datetime.timedelta(days=1)) if d]
        return min(ends) if ends else None

    @property
    def is_active_state(self) -> bool:
        return self.state == self.State.EN_VIGUEUR


class DelegationEvent(models.Model):
    """The history of an arrêté: every change, who made it, when."""

    class Action(models.TextChoices):
        CREATED = "cree", _("Enregistré (projet)")
        UPDATED = "modifie", _("Modifié")
        PUBLISHED = "en_vigueur", _("Publié, en vigueur")
        REVOKED = "abroge", _("Abrogé")
        EXPIRED = "expire", _("Expiré")
        LAPSED = "caduc", _("Devenu caduc")
        WARNED = "preavis", _("Préavis de fin envoyé")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    note = models.TextField(_("détail"), blank=True)

    class Meta:
        verbose_name = _("historique d'un arrêté")
        verbose_name_plural = _("historique des arrêtés")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.delegation} — {self.get_action_display()}"


def new_verification_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
    raw = "".join(secrets.choice(alphabet) for _i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class SignatureItem(models.Model):
    """A letter or an act in the signature book, from submission to signature."""

    class State(models.TextChoices):
        EN_VISA = "en_visa", _("En visa")
        A_SIGNER = "a_signer", _("À signer")
        RENVOYE = "renvoye", _("Renvoyé au rédacteur")
        SIGNE = "signe", _("Signé")

    class Mode(models.TextChoices):
        MINISTRE = "ministre", _("Le ministre")
        DELEGATION = "delegation", _("Par délégation")
        INTERIM = "interim", _("Par intérim")

    PENDING_STATES = (State.EN_VISA, State.A_SIGNER)

    title = models.CharField(_("objet"), max_length=250)
    category = models.ForeignKey(
        ActCategory, verbose_name=_("catégorie d'acte"), on_delete=models.PROTECT, related_name="items"
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rédacteur"), on_delete=models.PROTECT, related_name="drafted_items"
    )
    body = models.TextField(_("texte de la lettre ou de l'acte"))
    document = models.FileField(
        _("pièce jointe"), upload_to=upload_document, blank=True, validators=[validate_document], max_length=255
    )
    # The attachment as the drafter chose it, shown on the item's page (the stored name is not his).
    document_name = models.CharField(_("nom de la pièce jointe"), max_length=255, blank=True)
    document_size = models.PositiveBigIntegerField(_("taille de la pièce jointe (octets)"), null=True, blank=True)
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.EN_VISA)
    visa_round = models.PositiveSmallIntegerField(_("circuit de visa n°"), default=1)
    source_label = models.CharField(_("origine"), max_length=200, blank=True)
    source_url = models.CharField(_("lien vers l'origine"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("soumis le"), default=timezone.now)
    # The signature (rule 10: who, on whose behalf, under which arrêté, when).
    signed_at = models.DateTimeField(_("signé le"), null=True, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signataire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_items",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pour le compte de"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signing_mode = models.CharField(_("qualité du signataire"), max_length=20, choices=Mode.choices, blank=True)
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("en vertu de l'arrêté"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_items",
    )
    condition_attested = models.BooleanField(_("absence ou empêchement du ministre attesté"), default=False)
    signer_name = models.CharField(_("nom imprimé"), max_length=200, blank=True)
    signer_title = models.CharField(_("titre imprimé"), max_length=200, blank=True)
    verification_code = models.CharField(_("code de vérification"), max_length=20, blank=True)
    signed_pdf = models.FileField(_("acte signé (PDF)"), upload_to=upload_signed, blank=True, max_length=255)

    class Meta:
        verbose_name = _("pièce du parapheur")
        verbose_name_plural = _("pièces du parapheur")
        ordering = ["-submitted_at", "-id"]
        permissions = [("sign_signatureitem", _("Peut signer cette pièce"))]
        constraints = [
            models.UniqueConstraint(
                fields=["verification_code"],
                condition=~Q(verification_code=""),
                name="signatureitem_unique_verification_code",
            ),
            models.CheckConstraint(
                condition=~Q(state="signe") | (Q(signer__isnull=False) & Q(signed_at__isnull=False)),
                name="signatureitem_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=~Q(signing_mode="delegation") | Q(delegation__isnull=False),
                name="signatureitem_delegation_mode_has_arrete",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-submitted_at"], name="sigitem_state_submitted"),
            # « Mes pièces en cours » in the signature book, read page by page.
            models.Index(fields=["drafter", "-submitted_at", "-id"], name="sigitem_drafter_submitted"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES

    def current_steps(self):
        return self.visa_steps.filter(round=self.visa_round)


class SignatureItemUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SignatureItem, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("permission d'une personne sur une pièce du parapheur")
        verbose_name_plural = _("permissions des personnes sur les pièces du parapheur")


class SignatureItemGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SignatureItem, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("permission d'un groupe sur une pièce du parapheur")
        verbose_name_plural = _("permissions des groupes sur les pièces du parapheur")


class VisaStep(models.Model):
    """One approval before signature (e.g. conseiller → directeur), in order, per round."""

    class State(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente")
        APPROUVE = "approuve", _("Visé")
        REJETE = "rejete", _("Rejeté")

    item = models.ForeignKey(SignatureItem, on_delete=models.CASCADE, related_name="visa_steps")
    round = models.PositiveSmallIntegerField(_("circuit n°"), default=1)
    order = models.PositiveSmallIntegerField(_("ordre"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("viseur"), on_delete=models.PROTECT, related_name="visa_steps"
    )
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.EN_ATTENTE)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    comment = models.TextField(_("observations"), blank=True)

    class Meta:
        verbose_name = _("visa")
        verbose_name_plural = _("visas")
        ordering = ["item", "round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "round", "order"], name="visastep_unique_order"),
            models.CheckConstraint(condition=~Q(state="rejete") | ~Q(comment=""), name="visastep_reject_has_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.item} — {self.order}. {self.user}"


class SignatureItemEvent(models.Model):
    """The history of a piece of the signature book."""

    class Action(models.TextChoices):
        SUBMITTED = "soumis", _("Soumis au parapheur")
        VISA = "vise", _("Visé")
        REJECTED = "rejete", _("Renvoyé au rédacteur")
        RESUBMITTED = "resoumis", _("Corrigé et soumis à nouveau")
        SIGNED = "signe", _("Signé")

    item = models.ForeignKey(SignatureItem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("le"), default=timezone.now)
    note = models.TextField(_("détail"), blank=True)

    class Meta:
        verbose_name = _("historique d'une pièce")
        verbose_name_plural = _("historique des pièces")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item} — {self.get_action_display()}"


class Directive(models.Model):
    """A directive of the minister, transmitted by the conseiller(s) in charge or the directeur
    to directors and heads of service, who acknowledge it and report its execution."""

    subject = models.CharField(_("objet"), max_length=250)
    text = models.TextField(_("texte de la directive"))
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    deadline = models.DateField(_("échéance"))
    domain = models.CharField(_("domaine"), max_length=200, blank=True)
    advisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("conseiller(s) chargé(s) du suivi"), related_name="directives_followed"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-issued_on", "-id"]
        indexes = [
            # The list of directives, latest first, read page by page.
            models.Index(fields=["-issued_on", "-id"], name="directive_issued"),
            # The execution board and the directives received, by deadline: the transmissions
            # are then reached through (directive, recipient) or the directive's key.
            models.Index(fields=["deadline", "id"], name="directive_deadline"),
        ]
        permissions = [
            ("transmit_directive", _("Peut transmettre cette directive")),
            ("view_execution_board", _("Peut consulter le tableau d'exécution des directives")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("issued_on")), name="directive_deadline_after_date"
            )
        ]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if self.issued_on and self.deadline and self.deadline < self.issued_on:
            raise ValidationError({"deadline": _("L'échéance ne peut pas précéder la date de la directive.")})


class DirectiveUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Directive, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("permission d'une personne sur une directive")
        verbose_name_plural = _("permissions des personnes sur les directives")


class DirectiveGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Directive, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("permission d'un groupe sur une directive")
        verbose_name_plural = _("permissions des groupes sur les directives")


class Transmission(models.Model):
    """A directive sent to one director or head of service, and where its execution stands."""

    class State(models.TextChoices):
        TRANSMISE = "transmise", _("Transmise")
        ACCUSEE = "accusee", _("Réception accusée")
        EN_COURS = "en_cours", _("En cours d'exécution")
        EXECUTEE = "executee", _("Exécutée")

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="transmissions")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.PROTECT,
        related_name="directives_received",
    )
    transmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("transmise par"), on_delete=models.PROTECT, related_name="+"
    )
    transmitted_at = models.DateTimeField(_("transmise le"), default=timezone.now)
    note = models.TextField(_("instructions de transmission"), blank=True)
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.TRANSMISE)
    acknowledged_at = models.DateTimeField(_("réception accusée le"), null=True, blank=True)
    executed_at = models.DateTimeField(_("exécutée le"), null=True, blank=True)
    last_reminder_on = models.DateField(_("dernière relance le"), null=True, blank=True)

    class Meta:
        verbose_name = _("transmission d'une directive")
        verbose_name_plural = _("transmissions des directives")
        ordering = ["directive", "transmitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["directive", "recipient"], name="transmission_unique_recipient")]

    def __str__(self) -> str:
        return f"{self.directive} → {self.recipient}"

    def is_late(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.state != self.State.EXECUTEE and self.directive.deadline < day


class ExecutionReport(models.Model):
    """A report by the recipient on the execution of a directive, with an optional attachment."""

    transmission = models.ForeignKey(Transmission, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT)
    text = models.TextField(_("compte rendu"))
    attachment = models.FileField(
        _("pièce jointe"), upload_to=upload_report, blank=True, validators=[validate_document], max_length=255
    )
    # The attachment as the recipient chose it, shown on the directive's page (the stored name is not his).
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=255, blank=True)
    attachment_size = models.PositiveBigIntegerField(_("taille de la pièce jointe (octets)"), null=True, blank=True)
    state_after = models.CharField(_("état déclaré"), max_length=20, choices=Transmission.State.choices)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("compte rendu d'exécution")
        verbose_name_plural = _("comptes rendus d'exécution")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.transmission} — {self.created_at:%d/%m/%Y}"
