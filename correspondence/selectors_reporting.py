"""Reads behind the register's outputs: printed documents, dashboard, daily digest.

Every read starts from ``selectors.visible_mails`` (or the person's own imputations), so an
output never shows, nor counts, a mail its reader may not see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.models import OrgUnit
from cabinet.workdays import add_working_days

from .models import Attachment, Imputation, Instruction, Mail, Register
from .printing import qr_data_uri
from .selectors import late_imputations, my_imputations, registered_between, visible_mails

User = get_user_model()


# --- Printed documents -----------------------------------------------------------------------
def register_period_rows(user, *, register: str, start: datetime.date, end: datetime.date, limit: int = 2001) -> list:
    """The entries of a register registered between two dates (included), in number order,
    with the people or services each was routed to. At most ``limit`` rows are fetched."""
    routed = Imputation.objects.exclude(state=Imputation.State.REAFFECTEE).select_related("assignee", "assignee_unit")
    qs = (
        registered_between(visible_mails(user), start, end)
        .filter(register=register)
        .select_related("correspondent", "kind", "cancelled_by")
        .prefetch_related(Prefetch("imputations", queryset=routed, to_attr="routed_to"))
        .order_by("year", "number")
    )
    if register == Register.DEPART:
        # Only the answered letters the reader may see: a hidden one is not even named.
        answered = visible_mails(user).only("id", "reference").order_by("year", "number")
        qs = qs.prefetch_related("recipients", Prefetch("replies_to", queryset=answered, to_attr="answered"))
    return list(qs[:limit])


def mail_absolute_url(mail: Mail) -> str:
    return f"{settings.CABINET_SITE_URL}{reverse('correspondence:mail_detail', args=[mail.pk])}"


def routing_slip_context(mail: Mail) -> dict:
    imputations = list(
        mail.imputations.exclude(state=Imputation.State.REAFFECTEE)
        .select_related("assignee", "assignee_unit", "created_by")
        .order_by("created_at", "id")
    )
    given = {i.instruction for i in imputations}
    url = mail_absolute_url(mail)
    return {
        "mail": mail,
        "imputations": imputations,
        "instructions": [(value, label, value in given) for value, label in Instruction.choices],
        "attachment_count": mail.attachments.exclude(kind=Attachment.Kind.DRAFT_REPLY).count(),
        "qr": qr_data_uri(url),
        "url": url,
    }


def transmission_items(mail: Mail) -> dict:
    """What a bordereau d'envoi lists: the letter, its attached files, the other enclosures;
    and to whom it goes (each recipient, then each copy, one slip each)."""
    attachments = list(mail.attachments.exclude(kind=Attachment.Kind.DRAFT_REPLY).order_by("uploaded_at", "id"))
    reference = mail.administrative_reference or mail.reference
    letter_date = f"{mail.letter_date:%d/%m/%Y}" if mail.letter_date else ""
    items = [
        {
            "description": _("%(kind)s %(reference)s du %(date)s — %(subject)s")
            % {"kind": mail.kind.label, "reference": reference, "date": letter_date, "subject": mail.subject},
            "count": 1,
            "remark": _("Original"),
        }
    ]
    for attachment in attachments:
        items.append({"description": attachment.original_name, "count": 1, "remark": _("Pièce jointe")})
    others = mail.enclosures - len(attachments)
    if others > 0:
        items.append({"description": _("Autres pièces annexées"), "count": others, "remark": _("Annexes")})
    recipients = list(mail.recipients.all())
    copies = list(mail.copies.all())
    slips = [{"addressee": r, "is_copy": False} for r in recipients]
    slips += [{"addressee": c, "is_copy": True} for c in copies]
    return {"mail": mail, "items": items, "slips": slips, "recipients": recipients, "copies": copies}


# --- Dashboard -------------------------------------------------------------------------------
WEEKS = 12


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class WeekCount:
    start: datetime.date
    incoming: int = 0
    outgoing: int = 0


def weekly_traffic(user, *, today: datetime.date | None = None, weeks: int = WEEKS) -> list[WeekCount]:
    """Letters registered in (arrivée) and out (départ) per week, Monday to Sunday, over the
    last ``weeks`` weeks including the current one; cancelled entries are not counted.
    One query: counts grouped in SQL by register and day (Lomé time), folded into weeks."""
    today = today or timezone.localdate()
    first = week_start(today) - datetime.timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        visible_mails(user)
        .filter(cancelled_at__isnull=True, registered_at__gte=since)
        .annotate(day=TruncDate("registered_at"))
        .values("register", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    result = [WeekCount(start=first + datetime.timedelta(weeks=i)) for i in range(weeks)]
    for row in rows:
        index = (row["day"] - first).days // 7
        if not 0 <= index < weeks:  # registered "tomorrow": a clock skew, not a chart bar
            continue
        if row["register"] == Register.ARRIVEE:
            result[index].incoming += row["n"]
        else:
            result[index].outgoing += row["n"]
    return result


def late_by_assignee(user, *, today: datetime.date | None = None, limit: int = 10) -> list[tuple[str, int]]:
    """Late open imputations per assignee (person or service), most late first, over the
    same scope as the "en retard" list (routers: every mail they see; others: their own).

    Counted per assignee's id in SQL (from the covering index ``imputation_open_deadline``),
    then named: three queries, two of them on a handful of rows. Grouping by the names in SQL
    sorted every late imputation with its names (35 ms at 1,000,000 letters)."""
    counts = list(
        late_imputations(user, today=today).values("assignee_id", "assignee_unit_id").annotate(n=Count("id")).order_by()
    )
    people = User.objects.in_bulk([row["assignee_id"] for row in counts if row["assignee_id"]])
    units = OrgUnit.objects.in_bulk([row["assignee_unit_id"] for row in counts if not row["assignee_id"]])
    ranked = []
    for row in counts:
        if row["assignee_id"]:
            person = people[row["assignee_id"]]
            key = (-row["n"], 0, person.last_name, "")
            label = person.display_name
        else:
            unit = units[row["assignee_unit_id"]]
            key = (-row["n"], 1, "", unit.name)
            label = unit.acronym or unit.name
        ranked.append((key, label, row["n"]))
    ranked.sort(key=lambda item: item[0])
    return [(label, n) for _key, label, n in ranked[:limit]]


@dataclass
class Tiles:
    to_process: int
    late: int
    received_this_week: int


def dashboard_tiles(user, *, today: datetime.date | None = None) -> Tiles:
    """The dashboard's three counts, one query each, equal to the lengths of the lists the
    tiles open: "à traiter", "en retard", and the arrivée register since Monday."""
    today = today or timezone.localdate()
    received = (
        registered_between(visible_mails(user), week_start(today), today)
        .filter(register=Register.ARRIVEE, cancelled_at__isnull=True)
        .count()
    )
    return Tiles(
        to_process=my_imputations(user).order_by().count(),
        late=late_imputations(user, today=today).order_by().count(),
        received_this_week=received,
    )


# --- Daily digest ----------------------------------------------------------------------------
def digest_imputations(*, today: datetime.date | None = None) -> QuerySet[Imputation]:
    """Open imputations routed to a person that are late or due within the due-soon horizon,
    on mail not cancelled; grouped by the caller per assignee."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, settings.CABINET_IMPUTATION_DUE_SOON_DAYS)
    return (
        Imputation.objects.filter(
            state__in=Imputation.OPEN_STATES,
            mail__cancelled_at__isnull=True,
            assignee__isnull=False,
            assignee__is_active=True,
            deadline__lte=horizon,
        )
        .select_related("mail", "mail__correspondent", "assignee")
        .order_by("assignee_id", "deadline", "id")
    )


def late_unit_imputations(*, today: datetime.date | None = None) -> QuerySet[Imputation]:
    today = today or timezone.localdate()
    return (
        Imputation.objects.filter(
            state__in=Imputation.OPEN_STATES,
            mail__cancelled_at__isnull=True,
            assignee_unit__isnull=False,
            deadline__lt=today,
        )
        .select_related("mail", "assignee_unit")
        .order_by("assignee_unit_id", "deadline", "id")
    )
