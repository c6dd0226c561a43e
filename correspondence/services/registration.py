"""Registering mail: numbering without gap or duplicate, references, chain hash; replies,
corrections, cancellation, filing, explicit access, consultation log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.history import shown

from ..models import (
    ArrivalChannel,
    Attachment,
    Correspondent,
    Imputation,
    Instruction,
    Mail,
    MailConsultation,
    MailEvent,
    MailKind,
    Register,
    RegisterCounter,
)
from ._common import _ensure_not_cancelled, _event, _grant_view, _refresh_search, _set_state, search_vector_of
from .attachments import attachment_add

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


# What the locked counter decides; validated only once the lock is held.
NUMBERED_FIELDS = ["number", "reference", "administrative_reference", "chain_hash", "search_text"]


def _register(mail: Mail, *, with_search_vector: bool = True) -> None:
    """Give ``mail`` the next number of its register, its references, chain hash and search
    text, and save. With ``with_search_vector`` (PostgreSQL), the INSERT itself computes the
    full-text vector: updating the row afterwards wrote a second version of it into every
    index while the register's lock was held (docs/performance.md, item 5). Outgoing letters
    pass False: their search text also names the recipients, known only after the save."""
    mail.registered_at = timezone.now().replace(microsecond=0)
    mail.year = timezone.localtime(mail.registered_at).year
    mail.state_changed_at = mail.registered_at
    # Validate everything that does not depend on the number before taking the register's
    # lock (foreign keys, choices, checks: several queries), so that concurrent clerks wait
    # for each other less (docs/performance.md, item 5); the numbered fields are checked once
    # the lock is held, their unique constraints included.
    others = [f.name for f in mail._meta.fields if f.name not in NUMBERED_FIELDS]
    mail.full_clean(exclude=NUMBERED_FIELDS)
    counter = _lock_counter(mail.register, mail.year)
    mail.number = counter.last_number + 1
    mail.reference = format_reference(mail.register, mail.year, mail.number)
    if mail.register == Register.DEPART:
        mail.administrative_reference = format_administrative_reference(mail.year, mail.number)
    mail.search_text = mail.build_search_text()
    if counter.last_hash and counter.last_hash_number == counter.last_number:
        previous = counter.last_hash
    else:
        previous = previous_chain_hash(mail.register, mail.year, mail.number)
    mail.chain_hash = mail.compute_chain_hash(previous)
    # The numbered fields' own checks (lengths); their uniqueness is the locked counter's doing,
    # and the database's unique constraints stay its guard: no look-up queries under the lock.
    mail.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    vector = search_vector_of(mail.search_text) if with_search_vector else None
    if vector is not None:
        mail.search_vector = vector
    mail.save()
    if vector is not None:
        del mail.search_vector  # the expression, not its value: read from the row if asked
    counter.last_number = counter.last_hash_number = mail.number
    counter.last_hash = mail.chain_hash
    counter.save(update_fields=["last_number", "last_hash", "last_hash_number"])


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
    _register(mail)  # search text and vector included: nothing to add for an incoming letter
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
    _register(mail, with_search_vector=False)
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
    """A value as the timeline keeps it: written once, as every history writes it
    (``cabinet.history.shown``: a moment with its time); nothing is "" (the page shows a dash)."""
    field = Mail._meta.get_field(name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return shown(value)


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


def consultation_log(*, mail: Mail, user, what: str, attachment: Attachment | None = None) -> None:
    """Log a consultation of confidential or secret mail (ordinary mail is not logged)."""
    if mail.is_restricted:
        MailConsultation.objects.create(mail=mail, user=user, what=what, attachment=attachment)


def consultation_log_export(*, mails, user) -> int:
    """Log, in one statement, each confidential or secret letter among ``mails`` (an export's
    rows) as exported by ``user``; however many there are, nothing is read into memory."""
    restricted = mails.exclude(confidentiality=Mail.Confidentiality.ORDINAIRE).order_by().values(exported=F("pk"))
    select, params = restricted.query.sql_with_params()
    table = MailConsultation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (mail_id, user_id, at, what, attachment_id) "
            f"SELECT e.exported, %s, %s, %s, NULL FROM ({select}) e",
            [user.pk, timezone.now(), MailConsultation.What.EXPORT, *params],
        )
        return cursor.rowcount
