"""Writes on the correspondence register. Every function is keyword-only, atomic, validates
with ``full_clean()`` and records what it did in the mail's timeline (``MailEvent``).

Rights (who may call what) are checked by the views' access helpers; the services enforce
the register's own rules (numbering, dates, states, chain hash).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.models import OrgUnit
from cabinet.workdays import add_working_days, next_working_day

from .files import check_upload, sanitise_name, sha256_of
from .models import (
    ArrivalChannel,
    Attachment,
    Correspondent,
    Imputation,
    ImputationNote,
    Instruction,
    Mail,
    MailConsultation,
    MailEvent,
    MailKind,
    MailUserObjectPermission,
    Register,
    RegisterCounter,
)

# Fields a registrar may still correct after registration (the others are covered by the
# chain hash and never change).
UPDATABLE_FIELDS = (
    "channel",
    "pages",
    "enclosures",
    "priority",
    "confidentiality",
    "keywords",
    "signatory",
    "sent_date",
)


# --- Numbering and integrity ----------------------------------------------------------------
def _lock_counter(register: str, year: int) -> RegisterCounter:
    """The counter row of (register, year), locked until the transaction ends."""
    try:
        return RegisterCounter.objects.select_for_update().get(register=register, year=year)
    except RegisterCounter.DoesNotExist:
        pass
    try:
        # First registration of the year: two clerks may race to create the row; the loser
        # gets an IntegrityError (after waiting for the winner) and locks the winner's row.
        with transaction.atomic():
            RegisterCounter.objects.create(register=register, year=year, last_number=0)
    except IntegrityError:
        pass
    return RegisterCounter.objects.select_for_update().get(register=register, year=year)


def format_reference(register: str, year: int, number: int) -> str:
    return settings.CABINET_MAIL_REFERENCE_FORMATS[register].format(year=year, number=number)


def format_administrative_reference(year: int, number: int) -> str:
    return settings.CABINET_OUTGOING_REFERENCE_FORMAT.format(
        number=number,
        year=year,
        ministry=settings.CABINET_MINISTRY_ACRONYM,
        office=settings.CABINET_OFFICE_ACRONYM,
    )


def previous_chain_hash(register: str, year: int, number: int) -> str:
    """The hash the entry ``number`` chains on: the previous entry's, or the register's
    genesis value for the first entry of the year."""
    if number <= 1:
        return f"genesis:{register}:{year}"
    previous = Mail.objects.filter(register=register, year=year, number=number - 1).values_list("chain_hash", flat=True)
    return previous.first() or ""


def _register(mail: Mail) -> None:
    """Give ``mail`` the next number of its register, its references and chain hash, and save."""
    mail.registered_at = timezone.now().replace(microsecond=0)
    mail.year = timezone.localtime(mail.registered_at).year
    counter = _lock_counter(mail.register, mail.year)
    mail.number = counter.last_number + 1
    mail.reference = format_reference(mail.register, mail.year, mail.number)
    if mail.register == Register.DEPART:
        mail.administrative_reference = format_administrative_reference(mail.year, mail.number)
    mail.state_changed_at = mail.registered_at
    mail.search_text = mail.build_search_text()
    mail.chain_hash = mail.compute_chain_hash(previous_chain_hash(mail.register, mail.year, mail.number))
    mail.full_clean()
    mail.save()
    counter.last_number = mail.number
    counter.save(update_fields=["last_number"])


def _refresh_search(mail: Mail) -> None:
    extra = [c.name for c in mail.recipients.all()] if mail.register == Register.DEPART else []
    mail.search_text = mail.build_search_text(extra)
    Mail.objects.filter(pk=mail.pk).update(search_text=mail.search_text)
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchVector

        Mail.objects.filter(pk=mail.pk).update(search_vector=SearchVector("search_text", config="french_unaccent"))


def _event(mail: Mail, actor, action: str, *, imputation=None, changes=None, text: str = "") -> MailEvent:
    return MailEvent.objects.create(
        mail=mail, actor=actor, action=action, imputation=imputation, changes=changes or {}, text=text
    )


def _set_state(mail: Mail, actor, state: str, *, text: str = "") -> None:
    if mail.state == state:
        return
    before = mail.get_state_display()
    mail.state = state
    mail.state_changed_at = timezone.now()
    mail.save(update_fields=["state", "state_changed_at"])
    _event(
        mail,
        actor,
        MailEvent.Action.STATE,
        changes={str(_("État")): [str(before), str(mail.get_state_display())]},
        text=text,
    )


def _ensure_not_cancelled(mail: Mail) -> None:
    if mail.is_cancelled:
        raise ValidationError(_("Ce courrier est annulé : aucune action n'est plus possible."))


# --- Registration ---------------------------------------------------------------------------
@transaction.atomic
def mail_register_incoming(
    *,
    registered_by,
    correspondent: Correspondent,
    subject: str,
    kind: MailKind,
    arrival_date: datetime.date,
    letter_date: datetime.date | None = None,
    sender_reference: str = "",
    channel: ArrivalChannel | None = None,
    pages: int = 1,
    enclosures: int = 0,
    priority: str = Mail.Priority.NORMALE,
    confidentiality: str = Mail.Confidentiality.ORDINAIRE,
    keywords: str = "",
    files: Iterable = (),
) -> Mail:
    """Register an incoming letter with the next number of the arrivée register."""
    mail = Mail(
        register=Register.ARRIVEE,
        registered_by=registered_by,
        correspondent=correspondent,
        subject=subject,
        kind=kind,
        arrival_date=arrival_date,
        letter_date=letter_date,
        sender_reference=sender_reference,
        channel=channel,
        pages=pages,
        enclosures=enclosures,
        priority=priority,
        confidentiality=confidentiality,
        keywords=keywords,
    )
    _register(mail)
    _refresh_search(mail)
    _event(mail, registered_by, MailEvent.Action.REGISTERED, text=mail.reference)
    for upload in files:
        attachment_add(mail=mail, uploaded_by=registered_by, upload=upload)
    return mail


@transaction.atomic
def mail_register_outgoing(
    *,
    registered_by,
    recipients: Iterable[Correspondent],
    subject: str,
    kind: MailKind,
    letter_date: datetime.date | None = None,
    copies: Iterable[Correspondent] = (),
    signatory=None,
    sent_date: datetime.date | None = None,
    replies_to: Iterable[Mail] = (),
    pages: int = 1,
    enclosures: int = 0,
    priority: str = Mail.Priority.NORMALE,
    confidentiality: str = Mail.Confidentiality.ORDINAIRE,
    keywords: str = "",
    files: Iterable = (),
    signature_item=None,
) -> Mail:
    """Register an outgoing letter with the next number of the départ register; link it to
    the incoming letters it answers (which become répondu). From a signed item of the
    signature book, the signed PDF is attached and the item linked."""
    recipients = list(recipients)
    if not recipients:
        raise ValidationError({"recipients": _("Indiquez au moins un destinataire.")})
    replies_to = list(replies_to)
    for incoming in replies_to:
        if incoming.register != Register.ARRIVEE:
            raise ValidationError({"replies_to": _("Une réponse ne peut répondre qu'à un courrier arrivé.")})
        _ensure_not_cancelled(incoming)
    if signature_item is not None:
        _check_signed_item(signature_item)
    mail = Mail(
        register=Register.DEPART,
        signature_item=signature_item,
        registered_by=registered_by,
        correspondent=recipients[0],
        subject=subject,
        kind=kind,
        letter_date=letter_date or timezone.localdate(),
        signatory=signatory,
        sent_date=sent_date,
        pages=pages,
        enclosures=enclosures,
        priority=priority,
        confidentiality=confidentiality,
        keywords=keywords,
    )
    _register(mail)
    mail.recipients.set(recipients)
    mail.copies.set(list(copies))
    _refresh_search(mail)
    _event(mail, registered_by, MailEvent.Action.REGISTERED, text=mail.reference)
    for upload in files:
        attachment_add(mail=mail, uploaded_by=registered_by, upload=upload)
    if signature_item is not None:
        with signature_item.signed_pdf.open("rb") as handle:
            signed = ContentFile(handle.read(), name=f"acte-signe-{signature_item.verification_code}.pdf")
        attachment_add(mail=mail, uploaded_by=registered_by, upload=signed)
        _event(
            mail,
            registered_by,
            MailEvent.Action.SIGNATURE_BOOK,
            text=_("Enregistré depuis le parapheur : « %(title)s », signé le %(at)s")
            % {"title": signature_item.title, "at": f"{timezone.localtime(signature_item.signed_at):%d/%m/%Y}"},
        )
    for incoming in replies_to:
        mail_link_reply(incoming=incoming, reply=mail, actor=registered_by)
    return mail


def _check_signed_item(item) -> None:
    from delegations.models import SignatureItem

    if item.state != SignatureItem.State.SIGNE or not item.signed_pdf:
        raise ValidationError(_("Seule une pièce signée du parapheur peut être enregistrée au départ."))
    if Mail.objects.filter(signature_item=item).exists():
        raise ValidationError(_("Cette pièce signée est déjà enregistrée au départ."))


@transaction.atomic
def mail_link_reply(*, incoming: Mail, reply: Mail, actor) -> None:
    """``reply`` answers ``incoming``: its "pour attribution" imputations are completed and
    the incoming letter becomes répondu."""
    if incoming.register != Register.ARRIVEE or reply.register != Register.DEPART:
        raise ValidationError(_("Une réponse est un courrier départ qui répond à un courrier arrivé."))
    _ensure_not_cancelled(incoming)
    reply.replies_to.add(incoming)
    now = timezone.now()
    for imputation in incoming.imputations.filter(
        instruction=Instruction.ATTRIBUTION, state__in=Imputation.OPEN_STATES
    ).select_for_update():
        imputation.state = Imputation.State.TERMINEE
        imputation.completed_at = now
        imputation.completed_by = actor
        imputation.save(update_fields=["state", "completed_at", "completed_by"])
        _event(
            incoming,
            actor,
            MailEvent.Action.COMPLETED,
            imputation=imputation,
            text=_("Par la réponse %(ref)s") % {"ref": reply.reference},
        )
    _event(incoming, actor, MailEvent.Action.REPLIED, text=reply.reference)
    _event(reply, actor, MailEvent.Action.REPLIED, text=_("En réponse à %(ref)s") % {"ref": incoming.reference})
    _set_state(incoming, actor, Mail.State.REPONDU)


@transaction.atomic
def mail_update(*, mail: Mail, actor, **fields) -> Mail:
    """Correct the fields not covered by the chain hash; the timeline keeps before/after."""
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables : {sorted(unknown)}")
    _ensure_not_cancelled(mail)
    changes = {}
    for name, value in fields.items():
        before = getattr(mail, name)
        if before != value:
            field = Mail._meta.get_field(name)
            setattr(mail, name, value)
            changes[str(field.verbose_name)] = [_display(mail, name, before), _display(mail, name, value)]
    if not changes:
        return mail
    mail.full_clean()
    mail.save(update_fields=list(fields))
    _refresh_search(mail)
    _event(mail, actor, MailEvent.Action.UPDATED, changes=changes)
    return mail


def _display(mail: Mail, name: str, value) -> str:
    field = Mail._meta.get_field(name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


@transaction.atomic
def mail_cancel(*, mail: Mail, actor, reason: str) -> Mail:
    """Cancel an entry: it keeps its number and shows as annulé, with reason and author."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'annulation.")})
    mail = Mail.objects.select_for_update().get(pk=mail.pk)
    _ensure_not_cancelled(mail)
    mail.cancelled_at = timezone.now()
    mail.cancelled_by = actor
    mail.cancel_reason = reason
    mail.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    _event(mail, actor, MailEvent.Action.CANCELLED, text=reason)
    return mail


@transaction.atomic
def mail_file(*, mail: Mail, actor, archive: bool = False) -> Mail:
    """Classer (treatment over, no reply needed) or archiver a mail."""
    _ensure_not_cancelled(mail)
    _set_state(mail, actor, Mail.State.ARCHIVE if archive else Mail.State.CLASSE)
    return mail


@transaction.atomic
def mail_grant_access(*, mail: Mail, actor, user) -> None:
    """Explicitly allow ``user`` to see ``mail`` (how a secret mail is opened to someone)."""
    _grant_view(mail, user)
    _event(mail, actor, MailEvent.Action.GRANTED, text=user.display_name)


def _grant_view(mail: Mail, user) -> None:
    permission = Permission.objects.get(content_type__app_label="correspondence", codename="view_mail")
    MailUserObjectPermission.objects.get_or_create(user=user, permission=permission, content_object=mail)


def consultation_log(*, mail: Mail, user, what: str, attachment: Attachment | None = None) -> None:
    """Log a consultation of confidential or secret mail (ordinary mail is not logged)."""
    if mail.is_restricted:
        MailConsultation.objects.create(mail=mail, user=user, what=what, attachment=attachment)


# --- Attachments ----------------------------------------------------------------------------
@transaction.atomic
def attachment_add(
    *, mail: Mail, uploaded_by, upload, kind: str = Attachment.Kind.SCAN, imputation: Imputation | None = None
) -> Attachment:
    """Store a file after checking what it really is and its size; keep its SHA-256."""
    _ensure_not_cancelled(mail)
    content_type = check_upload(upload)
    name = sanitise_name(upload.name)
    attachment = Attachment(
        mail=mail,
        imputation=imputation,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=uploaded_by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    _event(
        mail,
        uploaded_by,
        MailEvent.Action.ATTACHMENT,
        imputation=imputation,
        text=f"{name} ({attachment.get_kind_display()})",
    )
    return attachment


# --- Imputation -----------------------------------------------------------------------------
def default_deadline(priority: str, *, start: datetime.date | None = None) -> datetime.date:
    days = settings.CABINET_IMPUTATION_DEADLINE_DAYS.get(priority, 10)
    return add_working_days(start or timezone.localdate(), days)


def _check_deadline(deadline: datetime.date | None, priority: str) -> datetime.date:
    if deadline is None:
        return default_deadline(priority)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("L'échéance ne peut pas être dans le passé.")})
    # A deadline on a weekend or a holiday moves to the next working day.
    return next_working_day(deadline)


def _notify(imputation: Imputation) -> None:
    from .notifications import notify_imputation

    notify_imputation(imputation)


@transaction.atomic
def imputation_create(
    *,
    mail: Mail,
    created_by,
    instruction: str,
    assignee=None,
    assignee_unit: OrgUnit | None = None,
    deadline: datetime.date | None = None,
    comment: str = "",
) -> Imputation:
    """Route ``mail`` to a person or a unit; the person gets the right to see it."""
    _ensure_not_cancelled(mail)
    if mail.state in (Mail.State.ARCHIVE,):
        raise ValidationError(_("Un courrier archivé ne peut plus être imputé."))
    imputation = Imputation(
        mail=mail,
        created_by=created_by,
        instruction=instruction,
        assignee=assignee,
        assignee_unit=assignee_unit,
        deadline=_check_deadline(deadline, mail.priority),
        comment=comment,
    )
    imputation.full_clean()
    imputation.save()
    if assignee is not None:
        _grant_view(mail, assignee)
    _event(
        mail,
        created_by,
        MailEvent.Action.ROUTED,
        imputation=imputation,
        text=_("%(who)s — %(instruction)s, échéance %(deadline)s")
        % {
            "who": imputation.assignee_label,
            "instruction": imputation.get_instruction_display(),
            "deadline": f"{imputation.deadline:%d/%m/%Y}",
        },
    )
    if mail.state == Mail.State.ENREGISTRE:
        _set_state(mail, created_by, Mail.State.IMPUTE)
    _notify(imputation)
    return imputation


@transaction.atomic
def imputation_reassign(
    *,
    imputation: Imputation,
    actor,
    assignee=None,
    assignee_unit: OrgUnit | None = None,
    instruction: str | None = None,
    deadline: datetime.date | None = None,
    comment: str = "",
) -> Imputation:
    """Close ``imputation`` as réaffectée and open a new one that points back to it."""
    imputation = Imputation.objects.select_for_update().get(pk=imputation.pk)
    if not imputation.is_open:
        raise ValidationError(_("Seule une imputation en cours peut être réaffectée."))
    mail = imputation.mail
    _ensure_not_cancelled(mail)
    imputation.state = Imputation.State.REAFFECTEE
    imputation.save(update_fields=["state"])
    new = Imputation(
        mail=mail,
        created_by=actor,
        instruction=instruction or imputation.instruction,
        assignee=assignee,
        assignee_unit=assignee_unit,
        deadline=_check_deadline(deadline, mail.priority) if deadline else imputation.deadline,
        comment=comment,
        reassigned_from=imputation,
    )
    new.full_clean()
    new.save()
    if assignee is not None:
        _grant_view(mail, assignee)
    _event(
        mail,
        actor,
        MailEvent.Action.REASSIGNED,
        imputation=new,
        changes={str(_("attributaire")): [imputation.assignee_label, new.assignee_label]},
        text=comment,
    )
    _notify(new)
    return new


@transaction.atomic
def imputation_acknowledge(*, imputation: Imputation, actor) -> Imputation:
    """The assignee has seen the imputation: the mail is now en traitement."""
    if imputation.state != Imputation.State.EN_ATTENTE:
        raise ValidationError(_("Cette imputation a déjà été prise en compte."))
    _ensure_not_cancelled(imputation.mail)
    imputation.state = Imputation.State.ACCUSEE
    imputation.acknowledged_at = timezone.now()
    imputation.acknowledged_by = actor
    imputation.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    _event(imputation.mail, actor, MailEvent.Action.ACKNOWLEDGED, imputation=imputation)
    if imputation.mail.state == Mail.State.IMPUTE:
        _set_state(imputation.mail, actor, Mail.State.EN_TRAITEMENT)
    return imputation


@transaction.atomic
def imputation_annotate(
    *, imputation: Imputation, actor, note: str = "", opinion: str | None = None, draft_reply=None
) -> Imputation:
    """The assignee's work: a note, the opinion (avis), a draft reply. Acknowledges first
    if needed."""
    if not imputation.is_open:
        raise ValidationError(_("Cette imputation est close."))
    mail = imputation.mail
    _ensure_not_cancelled(mail)
    note = (note or "").strip()
    if not note and opinion is None and draft_reply is None:
        raise ValidationError({"note": _("Écrivez une note, un avis ou joignez un projet de réponse.")})
    if imputation.state == Imputation.State.EN_ATTENTE:
        imputation_acknowledge(imputation=imputation, actor=actor)
    if note:
        ImputationNote(imputation=imputation, author=actor, text=note).full_clean(exclude=["imputation", "author"])
        ImputationNote.objects.create(imputation=imputation, author=actor, text=note)
        _event(mail, actor, MailEvent.Action.NOTE, imputation=imputation, text=note)
    if opinion is not None and opinion.strip() != imputation.opinion:
        before = imputation.opinion
        imputation.opinion = opinion.strip()
        imputation.save(update_fields=["opinion"])
        _event(
            mail,
            actor,
            MailEvent.Action.OPINION,
            imputation=imputation,
            changes={str(_("avis")): [before, imputation.opinion]},
        )
    if draft_reply is not None:
        attachment_add(
            mail=mail, uploaded_by=actor, upload=draft_reply, kind=Attachment.Kind.DRAFT_REPLY, imputation=imputation
        )
    return imputation


@transaction.atomic
def imputation_complete(*, imputation: Imputation, actor) -> Imputation:
    if not imputation.is_open:
        raise ValidationError(_("Cette imputation est déjà close."))
    _ensure_not_cancelled(imputation.mail)
    imputation.state = Imputation.State.TERMINEE
    imputation.completed_at = timezone.now()
    imputation.completed_by = actor
    imputation.save(update_fields=["state", "completed_at", "completed_by"])
    _event(imputation.mail, actor, MailEvent.Action.COMPLETED, imputation=imputation)
    return imputation


# --- Signature book (parapheur) -------------------------------------------------------------
@transaction.atomic
def draft_reply_submit(
    *, imputation: Imputation, actor, attachment: Attachment, category, title: str, body: str, source_url: str
):
    """Put an assignee's draft reply in the minister's signature book (delegations app);
    the mail's timeline records it. Returns the signature item."""
    from delegations.services import signature_item_submit

    mail = imputation.mail
    _ensure_not_cancelled(mail)
    if attachment.imputation_id != imputation.pk or attachment.kind != Attachment.Kind.DRAFT_REPLY:
        raise ValidationError({"attachment": _("Choisissez un projet de réponse de cette imputation.")})
    with attachment.file.open("rb") as handle:
        document = ContentFile(handle.read(), name=attachment.original_name)
    item = signature_item_submit(
        drafter=actor,
        category=category,
        title=title,
        body=body,
        document=document,
        source_label=_("Courrier %(ref)s") % {"ref": mail.reference},
        source_url=source_url,
    )
    _event(
        mail,
        actor,
        MailEvent.Action.SIGNATURE_BOOK,
        imputation=imputation,
        text=_("Projet « %(name)s » soumis au parapheur : %(title)s")
        % {"name": attachment.original_name, "title": item.title},
    )
    return item


# --- Correspondents -------------------------------------------------------------------------
@transaction.atomic
def correspondent_create(*, name: str, kind: str = Correspondent.Kind.OTHER, **fields) -> Correspondent:
    correspondent = Correspondent(name=(name or "").strip(), kind=kind, **fields)
    correspondent.full_clean()
    correspondent.save()
    return correspondent


@transaction.atomic
def correspondent_update(*, correspondent: Correspondent, **fields) -> Correspondent:
    for name, value in fields.items():
        setattr(correspondent, name, value)
    correspondent.full_clean()
    correspondent.save()
    return correspondent


@transaction.atomic
def correspondent_merge(*, duplicate: Correspondent, into: Correspondent, actor) -> Correspondent:
    """Merge a duplicate: its letters now point to ``into``; it stays (hidden) for history."""
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("Un correspondant ne peut pas être fusionné avec lui-même.")})
    if into.merged_into_id:
        raise ValidationError({"into": _("Ce correspondant a lui-même été fusionné dans un autre.")})
    # The chain hash covers correspondent_id: registered letters keep pointing to the
    # duplicate (which redirects), new letters can only pick the surviving entry.
    duplicate.merged_into = into
    duplicate.is_active = False
    duplicate.save(update_fields=["merged_into", "is_active"])
    Correspondent.objects.filter(merged_into=duplicate).update(merged_into=into)
    for mail in Mail.objects.filter(correspondent=duplicate).select_related("correspondent").iterator():
        _refresh_search_with_alias(mail, into)
    return into


def _refresh_search_with_alias(mail: Mail, into: Correspondent) -> None:
    mail.search_text = mail.build_search_text([into.name, into.acronym])
    Mail.objects.filter(pk=mail.pk).update(search_text=mail.search_text)
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchVector

        Mail.objects.filter(pk=mail.pk).update(search_vector=SearchVector("search_text", config="french_unaccent"))
