"""Reads on the correspondence register, filtered by what the person may see, in SQL.

Confidentiality (domain brief): ordinaire — all cabinet staff; confidentiel — minister,
directeur, attaché and the people it is routed to; secret — minister, directeur and people
explicitly granted. Ministry directors and heads of service see what is routed to them or
to their unit. Whoever may not see a mail never meets it: not in a page, a list, a search,
an export or a count.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cabinet.backends import permissions_for_roles
from cabinet.freshness import per_person
from cabinet.pagination import PER_PAGE, Page, bounded_page, paginate
from cabinet.selectors import roles_of, unit_ids_of
from cabinet.workdays import add_working_days

from . import roles as perms
from .models import Correspondent, Imputation, Mail, MailUserObjectPermission, normalise

Conf = Mail.Confidentiality


def mail_permissions(user) -> frozenset[str]:
    """The person's register rights, from the roles they hold today. Deliberately not
    ``has_perm``: a technical superuser does not read secret mail by being superuser."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return permissions_for_roles(roles_of(user))


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The instant a local (Africa/Lome) day begins, timezone-aware.

    Days filter ``registered_at`` as half-open ranges ``[midnight(d), midnight(d + 1))``, never
    with ``__date`` (``(registered_at AT TIME ZONE …)::date`` no index serves: a sequential
    scan of the register, measured at 1,000,000 letters in docs/performance.md)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def registered_between(qs: QuerySet, start: datetime.date | None, end: datetime.date | None) -> QuerySet:
    """Entries registered from the local day ``start`` to the local day ``end``, both included."""
    if start:
        qs = qs.filter(registered_at__gte=local_midnight(start))
    if end:
        qs = qs.filter(registered_at__lt=local_midnight(end + datetime.timedelta(days=1)))
    return qs


def sees_every_level(user) -> bool:
    """Whoever may see ordinary, confidential and secret mail sees the whole register."""
    return {perms.VIEW_REGISTER, perms.VIEW_CONFIDENTIAL, perms.VIEW_SECRET} <= mail_permissions(user)


class ProbedExists(Exists):
    """``EXISTS (…)`` that PostgreSQL evaluates row by row, through the subquery's index.

    Under an ``OR``, PostgreSQL turns a plain ``EXISTS`` (or ``id IN (…)``) into a hashed
    subplan: before the first row it reads and hashes every row the subquery could match, the
    60 000 grants of an adviser in the volume data (22–39 ms per query, twice a page), even when
    the page then probes eight letters. An ``OFFSET`` keeps it a correlated subplan (PostgreSQL's
    ``simplify_EXISTS_query`` leaves such a query alone): one index probe per row whose level
    the person does not see (register's first page for that adviser at 1,000,000 letters:
    51 → 0.7 ms, its bounded count 52 → 6 ms; docs/performance.md)."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _view_mail_permission() -> Subquery:
    """guardian's ``view_mail`` permission id, as a subquery PostgreSQL runs once per query
    (an InitPlan): joined to ``auth_permission`` by codename inside a probe, it would be
    looked up again on every probe."""
    return Subquery(
        Permission.objects.filter(
            codename="view_mail", content_type__app_label="correspondence", content_type__model="mail"
        ).values("pk")[:1]
    )


def _levels(user) -> set[str]:
    rights = mail_permissions(user)
    levels = set()
    if perms.VIEW_REGISTER in rights:
        levels.add(Conf.ORDINAIRE)
    if perms.VIEW_CONFIDENTIAL in rights:
        levels |= {Conf.ORDINAIRE, Conf.CONFIDENTIEL}
    if perms.VIEW_SECRET in rights:
        levels.add(Conf.SECRET)
    return levels


def _grants(user) -> QuerySet:
    """The ids of the mails granted to the person individually (guardian's ``view_mail``)."""
    return (
        MailUserObjectPermission.objects.filter(user=user, permission=_view_mail_permission())
        .order_by()
        .values("content_object_id")
    )


def _routed_to_units(units) -> QuerySet:
    """The ids of the mails routed to one of ``units`` (an index-only read; the caller leaves
    secret mail out: it is opened to named people only)."""
    return Imputation.objects.filter(assignee_unit__in=units).order_by().values("mail_id")


# From this many mails opened to a person individually (grants, and routings to their units),
# reading them as one set before the first row costs more than testing the rows a page reads:
# 22–39 ms for the 60 000 grants of an adviser in the volume data, on every query, where the
# register's page reads about sixty letters. Below it, the set is small and cheap to read.
MANY_OPENED = 10_000
# For someone who sees no level, reading the register in order and testing each row costs in
# proportion to letters / opened (how far the page and its bounded count must read to find
# theirs: 0.37 µs a row, 367 ms for a person with none at 1,000,000 letters), and fetching
# the opened ones then sorting them costs in proportion to opened (13.6 µs each: 592 ms for a
# director's 42 000). The two meet where opened² = WALK_FACTOR × letters: about 2 750 opened
# at a million letters, 870 at 100 000 (measured on the volume data, docs/performance.md).
WALK_FACTOR = 8


def _letters() -> int:
    """How many letters the register holds: PostgreSQL's estimate (no count over a million
    rows), exact elsewhere."""
    if connection.vendor != "postgresql":
        return Mail.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Mail._meta.db_table])
        row = cursor.fetchone()
    return max(row[0] if row else 0, 0)  # -1: never analysed


def _opened_and_letters(user) -> tuple[int, int]:
    """The grants and routings to the person's units (two bounded index-only counts, up to
    ``MANY_OPENED``), and the register's size for whoever sees no level; cached per person
    until the next write to the register."""

    def count() -> tuple[int, int]:
        units = unit_ids_of(user)
        opened = _grants(user)[:MANY_OPENED].count()
        if units:
            opened += _routed_to_units(units)[:MANY_OPENED].count()
        # The register's size matters only to whoever sees no level (``_walk_register``).
        return min(opened, MANY_OPENED), 0 if _levels(user) else _letters()

    return per_person(user, "mail-opened", count)


def _many_opened(user) -> bool:
    """Enough opened mails to probe rows rather than read the set (someone who sees a level)."""
    return _opened_and_letters(user)[0] >= MANY_OPENED


def _walk_register(user) -> bool:
    """Enough opened mails, for the register's size, to read the register in order rather
    than fetch them all (someone who sees no level)."""
    opened, letters = _opened_and_letters(user)
    return opened >= MANY_OPENED or (opened > 0 and opened * opened >= WALK_FACTOR * letters)


def _mail_fields(via: str) -> tuple[str, str]:
    """The row's mail id and the mail's confidentiality, seen from the model filtered."""
    return (f"{via}_id", f"{via}__confidentiality") if via else ("pk", "confidentiality")


def _opened_to(user, units, *, via: str, probe: bool) -> Q:
    """The rows whose mail is opened to the person individually: granted to them, or routed
    to one of their units and not secret. ``probe``: each row's mail is looked up in the
    grants and routings (``ProbedExists``) instead of the person's whole set being read once."""
    mail_id, level = _mail_fields(via)
    if probe:
        granted = Q(ProbedExists(_grants(user).filter(content_object_id=OuterRef(mail_id))))
        routed = Q(ProbedExists(_routed_to_units(units).filter(mail_id=OuterRef(mail_id))))
    else:
        granted = Q(**{f"{mail_id}__in": _grants(user)})
        routed = Q(**{f"{mail_id}__in": _routed_to_units(units)})
    return granted | (routed & ~Q(**{level: Conf.SECRET})) if units else granted


def _only_opened(user, units, *, via: str = "") -> Q:
    """Every visible row comes from the mails opened to the person (they see no level). Few of
    them for the register's size: one ``IN`` that PostgreSQL joins from (secret mail left out
    inside). Many (``_walk_register``): two ``IN`` tests under an ``OR``, which PostgreSQL
    hashes and applies while it reads the register in order, stopping at the page's end: a
    director whose service received 42 000 letters waited for all of them to be fetched and
    sorted (611 + 236 ms at 1,000,000)."""
    if _walk_register(user):
        return _opened_to(user, units, via=via, probe=False)
    opened = _grants(user)
    if units:
        opened = opened.union(_routed_to_units(units).exclude(mail__confidentiality=Conf.SECRET), all=True)
    return Q(**{f"{_mail_fields(via)[0]}__in": opened})


def mail_visibility(user, *, via: str = "") -> Q | None:
    """What the person may see, as a condition on the mail (``via=""``) or on a model that
    points at it (``via="mail"``: an imputation). ``None``: every mail.

    Written for a million letters: the levels a role sees are a plain column test; the mails
    opened to the person individually (grant, routing to their unit) are read once per query
    as hashed sets when they are few, and probed row by row (``ProbedExists``) when they are
    thousands, for the one row in ten whose level the person does not see. Measured at
    1,000,000 letters for an adviser with 60 000 grants, the page's SQL (page + bounded
    count): register 51 + 52 → 1.3 + 1.1 ms (docs/performance.md, session 5)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if sees_every_level(user):
        return None
    units = unit_ids_of(user)
    levels = _levels(user)
    if not levels:
        return _only_opened(user, units, via=via)
    seen = Q(**{f"{_mail_fields(via)[1]}__in": sorted(levels)})
    return seen | _opened_to(user, units, via=via, probe=_many_opened(user))


def visible_mails(user) -> QuerySet[Mail]:
    """Every mail ``user`` may see (cancelled entries included: they stay in the register)."""
    visibility = mail_visibility(user)
    return Mail.objects.all() if visibility is None else Mail.objects.filter(visibility)


def visible_at_level(user, level: str) -> QuerySet[Mail]:
    """``visible_mails(user).filter(confidentiality=level)``, written so PostgreSQL reads only
    what can match: the whole level when the person sees it, else only the mails opened to
    them (a clerk filtering on « Confidentiel » scanned the 80 000 confidential letters of a
    million for the page, and all of them again for its count, to find none: 380 ms)."""
    if not user.is_authenticated or not user.is_active:
        return Mail.objects.none()
    if level in _levels(user):
        return Mail.objects.filter(confidentiality=level)
    # Secret mail is opened to named people only, never to a whole service. Probes would test
    # most of the level's rows for its count: the opened set is read once.
    units = [] if level == Conf.SECRET else unit_ids_of(user)
    return Mail.objects.filter(_only_opened(user, units), confidentiality=level)


def mail_for_user(user, pk: int) -> Mail | None:
    return visible_mails(user).select_related("correspondent", "kind", "channel", "registered_by").filter(pk=pk).first()


def uses_register(user) -> bool:
    """Staff who work with the register at all: a register right, or a post in a unit mail
    may be routed to. Others (no mandate) have no business in the directory either."""
    return bool(mail_permissions(user)) or bool(unit_ids_of(user))


def can_register(user) -> bool:
    return perms.REGISTER in mail_permissions(user)


def can_route(user) -> bool:
    return perms.ROUTE in mail_permissions(user)


def can_export(user) -> bool:
    return perms.EXPORT in mail_permissions(user)


def can_manage_correspondents(user) -> bool:
    return perms.MANAGE_CORRESPONDENTS in mail_permissions(user)


def can_grant(user) -> bool:
    """Who may open a secret mail to someone: those who see secret mail."""
    return perms.VIEW_SECRET in mail_permissions(user)


def is_assignee(user, imputation: Imputation) -> bool:
    if imputation.assignee_id:
        return imputation.assignee_id == user.pk
    return imputation.assignee_unit_id in unit_ids_of(user)


# --- Work queues ----------------------------------------------------------------------------
def _mine(user) -> Q:
    """Imputations to the person, or to their unit (secret mail excepted: it is opened to
    named people only)."""
    units = unit_ids_of(user)
    if not units:
        return Q(assignee=user)
    return Q(assignee=user) | (Q(assignee_unit__in=units) & ~Q(mail__confidentiality=Conf.SECRET))


# What a list never shows: the search text and its vector (a few kilobytes per letter that
# PostgreSQL would read, send and psycopg decode for every row of every list).
LIST_DEFERRED = ("search_text", "search_vector")


def _with_mail(qs: QuerySet[Imputation]) -> QuerySet[Imputation]:
    return (
        # Only what the lists show: each table joined costs PostgreSQL planning time (with
        # the kind and the author joined too, planning took 3.4 ms of a 5 ms query).
        qs.select_related("mail", "mail__correspondent", "assignee", "assignee_unit")
        .defer(*(f"mail__{name}" for name in LIST_DEFERRED))
        .order_by("deadline", "id")
    )


def _my_open(user) -> QuerySet[Imputation]:
    return Imputation.objects.filter(_mine(user), state__in=Imputation.OPEN_STATES, mail__cancelled_at__isnull=True)


def my_imputations(user) -> QuerySet[Imputation]:
    """ "À traiter": the open imputations of the person or of their unit."""
    return _with_mail(_my_open(user))


def my_imputations_count(user, *, limit: int) -> int:
    """How many imputations await the person, counted up to ``limit`` (the navigation's
    badge: without the joins of the list, which only cost compiling on every page)."""
    return _my_open(user).order_by()[:limit].count()


def _open_scope(user) -> QuerySet[Imputation]:
    """Routers follow every open imputation of the mail they see; others only their own.

    Cancelled letters are left out with an anti-join on the small partial index
    ``mail_cancelled`` rather than a join to every mail, and whoever sees every level gets no
    visibility subquery (measured at 1,000,000 letters: 125 → 20 ms, docs/performance.md)."""
    cancelled = Mail.objects.filter(cancelled_at__isnull=False).order_by().values("pk")
    qs = Imputation.objects.filter(state__in=Imputation.OPEN_STATES).exclude(mail_id__in=cancelled)
    if can_route(user):
        visibility = mail_visibility(user, via="mail")
        return qs if visibility is None else qs.filter(visibility)
    return qs.filter(_mine(user))


def late_imputations(user, *, today: datetime.date | None = None) -> QuerySet[Imputation]:
    today = today or timezone.localdate()
    return _with_mail(_open_scope(user).filter(deadline__lt=today))


def due_soon_imputations(user, *, today: datetime.date | None = None) -> QuerySet[Imputation]:
    today = today or timezone.localdate()
    horizon = add_working_days(today, settings.CABINET_IMPUTATION_DUE_SOON_DAYS)
    return _with_mail(_open_scope(user).filter(deadline__gte=today, deadline__lte=horizon))


# --- The register: search, filters, sort, pages ---------------------------------------------
SORTS = {
    "-enregistre": ("-registered_at", "-id"),
    "enregistre": ("registered_at", "id"),
    "-arrivee": ("-arrival_date", "-registered_at", "-id"),
    "arrivee": ("arrival_date", "registered_at", "id"),
    "-priorite": ("-priority", "-registered_at", "-id"),
}
DEFAULT_SORT = "-enregistre"
_WORD = re.compile(r"\w", re.UNICODE)


def search_mails(qs: QuerySet[Mail], text: str) -> QuerySet[Mail]:
    """Full-text search over subject, correspondent, references and keywords, ignoring case
    and accents. Quotes, ``%``, ``_`` and punctuation are harmless (no LIKE pattern is built
    from the text; PostgreSQL's websearch parser never raises)."""
    text = normalise(text)[:200]
    if not _WORD.search(text):
        return qs
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(text, config="french_unaccent", search_type="websearch")
        # References are in the indexed text too: no OR here, which would keep PostgreSQL
        # from using the GIN index.
        return qs.filter(search_vector=query)
    condition = Q()
    for word in text.replace('"', " ").split():
        condition &= Q(search_text__contains=word)
    return qs.filter(condition)


@dataclass
class MailFilters:
    q: str = ""
    register: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    kind: int | None = None
    correspondent: int | None = None
    state: str = ""
    assignee: int | None = None
    priority: str = ""
    confidentiality: str = ""
    cancelled: str = ""  # "", "oui", "non"
    sort: str = DEFAULT_SORT


def filtered_mails(user, filters: MailFilters) -> QuerySet[Mail]:
    level = filters.confidentiality
    qs = visible_at_level(user, level) if level else visible_mails(user)
    if filters.register:
        qs = qs.filter(register=filters.register)
    qs = registered_between(qs, filters.date_from, filters.date_to)
    if filters.kind:
        qs = qs.filter(kind_id=filters.kind)
    if filters.correspondent:
        # A merged duplicate's letters belong to the surviving entry too.
        merged = Correspondent.objects.filter(merged_into_id=filters.correspondent).values_list("pk", flat=True)
        qs = qs.filter(correspondent_id__in=[filters.correspondent, *merged])
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.assignee:
        qs = qs.filter(Exists(Imputation.objects.filter(mail=OuterRef("pk"), assignee_id=filters.assignee)))
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.cancelled == "oui":
        qs = qs.filter(cancelled_at__isnull=False)
    elif filters.cancelled == "non":
        qs = qs.filter(cancelled_at__isnull=True)
    if filters.q:
        qs = search_mails(qs, filters.q)
    return qs.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def register_list(user, filters: MailFilters) -> QuerySet[Mail]:
    """The register page's rows: the mail, its correspondent and kind, and its open
    imputations' assignees, in a constant number of queries."""
    open_imputations = Imputation.objects.filter(state__in=Imputation.OPEN_STATES).select_related(
        "assignee", "assignee_unit"
    )
    return (
        filtered_mails(user, filters)
        .defer(*LIST_DEFERRED)
        .select_related("correspondent", "kind")
        .prefetch_related(Prefetch("imputations", queryset=open_imputations, to_attr="open_imputations"))
    )


# Sorts whose pages are read by position (keyset) rather than by offset: the value is whether
# the sort is descending. Page 200 then costs what page 1 costs (an offset of 10,000 rows made
# PostgreSQL read and drop them, 28-51 ms at a million letters), and a letter registered while
# someone pages through the register neither repeats nor hides a row.
KEYSET_SORTS = {"-enregistre": True, "enregistre": False}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_CURSOR = re.compile(r"^(\d{1,18})-(\d{1,18})$")


def mail_cursor(mail: Mail) -> str:
    """A letter's position in the register order: registration time (microseconds since the
    epoch) and id."""
    return f"{(mail.registered_at - _EPOCH) // datetime.timedelta(microseconds=1)}-{mail.pk}"


def parse_cursor(text: str) -> tuple[datetime.datetime, int] | None:
    match = _CURSOR.match(text or "")
    if not match:
        return None
    try:
        moment = _EPOCH + datetime.timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    return moment, int(match[2])


def _beyond(qs: QuerySet[Mail], position: tuple[datetime.datetime, int], *, later: bool) -> QuerySet[Mail]:
    """Rows after ``position`` in ascending (``later``) or descending order. The first,
    redundant bound gives PostgreSQL an index range on ``mail_registered``; the second breaks
    ties between letters registered in the same microsecond."""
    moment, pk = position
    if later:
        return qs.filter(registered_at__gte=moment).filter(Q(registered_at__gt=moment) | Q(pk__gt=pk))
    return qs.filter(registered_at__lte=moment).filter(Q(registered_at__lt=moment) | Q(pk__lt=pk))


def paginate_register(
    qs: QuerySet[Mail], *, sort: str, page: int, after: str = "", before: str = "", per_page: int = PER_PAGE
) -> Page:
    """The register's pages: by position when the sort is by registration time and the link
    carries one (``after`` for the next page, ``before`` for the previous), by offset otherwise
    (a page number typed in the address, the other sorts)."""
    descending = KEYSET_SORTS.get(sort)
    position = parse_cursor(after or before) if descending is not None else None
    page = max(1, page)
    if position is None:
        result = paginate(qs, page=page, per_page=per_page)
    else:
        forward = bool(after)
        # Descending order, next page = earlier letters; ascending, next page = later ones.
        later = forward != descending
        if forward:
            rows = list(_beyond(qs, position, later=later)[: per_page + 1])
            has_previous, has_next = page > 1, len(rows) > per_page
            rows = rows[:per_page]
        else:
            rows = list(_beyond(qs, position, later=later).reverse()[: per_page + 1])
            has_previous, has_next = len(rows) > per_page and page > 1, True
            rows = rows[:per_page][::-1]
        result = bounded_page(qs, rows, number=page, has_previous=has_previous, has_next=has_next)
    if descending is not None and result.rows:
        if result.has_next:
            result.next_after = mail_cursor(result.rows[-1])
        # Page 1 is linked without a position: it is the register as it opens.
        if result.has_previous and result.number > 2:
            result.previous_before = mail_cursor(result.rows[0])
    return result


def mail_detail_context(mail: Mail) -> dict:
    """What the detail page shows, fetched in a few queries."""
    imputations = list(
        mail.imputations.select_related("assignee", "assignee_unit", "created_by", "reassigned_from")
        .prefetch_related("notes__author")
        .order_by("created_at", "id")
    )
    # Every file belongs to the mail, a draft reply to its imputation too: one query for both.
    attachments = list(mail.attachments.select_related("uploaded_by", "imputation").all())
    for imputation in imputations:
        imputation.reply_drafts = [a for a in attachments if a.imputation_id == imputation.pk]
    return {
        "imputations": imputations,
        "attachments": attachments,
        "events": list(mail.events.select_related("actor").order_by("at", "id")),
        "recipients": list(mail.recipients.all()),
        "copies": list(mail.copies.all()),
    }


def replies_of(user, mail: Mail) -> QuerySet[Mail]:
    return visible_mails(user).filter(replies_to=mail).select_related("correspondent")


def answered_by(user, mail: Mail) -> QuerySet[Mail]:
    return visible_mails(user).filter(replies=mail).select_related("correspondent")


# --- Directory of correspondents ------------------------------------------------------------
def correspondents_matching(text: str, *, limit: int = 15) -> QuerySet[Correspondent]:
    """As-you-type lookup among active, unmerged entries: every word must appear."""
    qs = Correspondent.objects.filter(merged_into__isnull=True, is_active=True)
    for word in normalise(text).split()[:6]:
        qs = qs.filter(search_name__contains=word)
    return qs.order_by("name")[:limit]


def correspondent_directory(text: str = "") -> QuerySet[Correspondent]:
    qs = Correspondent.objects.filter(merged_into__isnull=True)
    for word in normalise(text).split()[:6]:
        qs = qs.filter(search_name__contains=word)
    return qs.order_by("name")
