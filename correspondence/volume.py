"""Realistic, reproducible volume for the correspondence register (``seed_volume``).

Ten years of incoming and outgoing letters from a directory of correspondents, routed to
advisers and directions with deadlines and states, a share of confidential and secret mail
with its row-level grants (guardian's direct-FK table), scans' metadata, the timeline's first
events. Numbers continue each register's counter (per year, without gap) and every entry is
chained as ``services._register`` does (``services.previous_chain_hash`` and the reference
formats are reused; the hashed payload is ``Mail.hashed_payload``'s, written from a template
in ``Mail.HASHED_FIELDS``' order), so ``verify_register``, which recomputes every hash with
``Mail.compute_chain_hash``, passes.

Each year is generated on its own random stream (``--seed`` and the year), as COPY text. On
PostgreSQL, forked worker processes generate the years while the main process copies each
part they hand over, with its derived rows, inside one transaction; the search vector is
assembled from PostgreSQL's own vectors of each word (``_Vectors``). For large loads the
B-tree secondary indexes of the tables written are dropped first and re-created, identical
(``pg_indexes.indexdef``), before the commit (the GIN and partial indexes are fed during the
copy), and foreign-key triggers are skipped for the load when the role may do so (the rows
are generated consistent). If anything fails (a worker included), the transaction rolls back:
the database is left as it was. On SQLite (tests, small sizes) the same COPY text is read back
and goes through ``executemany``.

Volume letters are registered by the ``volume-greffe`` account: a database whose letters were
all registered by it or by the demo accounts holds no real letter (see ``real_mail_count``).
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import struct
import threading
import time
from bisect import bisect
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from cabinet import freshness
from cabinet.demo import PEOPLE, seed_organisation
from cabinet.models import Mandate, Position
from cabinet.roles import Role

from .models import (
    ArrivalChannel,
    Attachment,
    Correspondent,
    Imputation,
    Instruction,
    Mail,
    MailEvent,
    MailKind,
    Register,
    RegisterCounter,
    normalise,
)
from .services import format_administrative_reference, format_reference, previous_chain_hash

VOLUME_USERNAME = "volume-greffe"
VOLUME_ADVISER_PREFIX = "volume-conseiller-"
# The adviser whose "à traiter" the benchmark opens: he holds tens of thousands of grants at
# a million letters.
HEAVY_ADVISER = "conseiller1"
YEARS = 10
# Words the benchmark searches: one in about a fifth of the subjects, one in 1 / 20 000.
COMMON_WORD = "coopération"
RARE_WORD = "hydrographie"
RARE_RATE = 1 / 20_000
# Plain strings (a TextChoices member hashes by its name, not its value).
ARRIVEE, DEPART = Register.ARRIVEE.value, Register.DEPART.value
REGISTERED, ROUTED = MailEvent.Action.REGISTERED.value, MailEvent.Action.ROUTED.value
SCAN = Attachment.Kind.SCAN.value


def demo_usernames() -> set[str]:
    return {row[0] for row in PEOPLE} | {"admin"}


def real_mail_count() -> int:
    """Letters registered by anyone but the demo and volume accounts: real ones."""
    synthetic = demo_usernames() | {VOLUME_USERNAME}
    return (
        Mail.objects.exclude(registered_by__username__in=synthetic)
        .exclude(registered_by__username__startswith=VOLUME_ADVISER_PREFIX)
        .count()
    )


# --- Vocabulary -----------------------------------------------------------------------------
COUNTRIES = [
    ("France", "française"),
    ("Ghana", "ghanéenne"),
    ("Nigeria", "nigériane"),
    ("Bénin", "béninoise"),
    ("Burkina Faso", "burkinabè"),
    ("Côte d'Ivoire", "ivoirienne"),
    ("Sénégal", "sénégalaise"),
    ("Mali", "malienne"),
    ("Niger", "nigérienne"),
    ("Allemagne", "allemande"),
    ("Chine", "chinoise"),
    ("États-Unis", "américaine"),
    ("Royaume-Uni", "britannique"),
    ("Japon", "japonaise"),
    ("Maroc", "marocaine"),
    ("Égypte", "égyptienne"),
    ("Afrique du Sud", "sud-africaine"),
    ("Brésil", "brésilienne"),
    ("Inde", "indienne"),
    ("Turquie", "turque"),
    ("Russie", "russe"),
    ("Italie", "italienne"),
    ("Espagne", "espagnole"),
    ("Belgique", "belge"),
    ("Suisse", "suisse"),
    ("Canada", "canadienne"),
    ("Gabon", "gabonaise"),
    ("Cameroun", "camerounaise"),
    ("Rwanda", "rwandaise"),
    ("Éthiopie", "éthiopienne"),
    ("Kenya", "kényane"),
    ("Algérie", "algérienne"),
    ("Tunisie", "tunisienne"),
    ("Libéria", "libérienne"),
    ("Guinée", "guinéenne"),
    ("Tchad", "tchadienne"),
    ("Congo", "congolaise"),
    ("Angola", "angolaise"),
    ("Corée du Sud", "coréenne"),
    ("Émirats arabes unis", "émirienne"),
]
ORGANISATIONS = [
    ("Organisation des Nations unies", "ONU"),
    ("Union africaine", "UA"),
    ("Communauté économique des États de l'Afrique de l'Ouest", "CEDEAO"),
    ("Union économique et monétaire ouest-africaine", "UEMOA"),
    ("Organisation internationale de la Francophonie", "OIF"),
    ("Programme des Nations unies pour le développement", "PNUD"),
    ("Fonds des Nations unies pour l'enfance", "UNICEF"),
    ("Organisation mondiale de la santé", "OMS"),
    ("Banque mondiale", "BM"),
    ("Fonds monétaire international", "FMI"),
    ("Banque africaine de développement", "BAD"),
    ("Union européenne", "UE"),
    ("Commonwealth", "CW"),
    ("Organisation internationale pour les migrations", "OIM"),
    ("Haut-Commissariat pour les réfugiés", "HCR"),
    ("Organisation des Nations unies pour l'alimentation et l'agriculture", "FAO"),
    ("Organisation maritime internationale", "OMI"),
    ("Organisation mondiale du commerce", "OMC"),
]
MINISTRIES = [
    "Ministère de l'économie et des finances",
    "Ministère de la santé",
    "Ministère de la sécurité",
    "Ministère des armées",
    "Ministère de l'enseignement supérieur",
    "Ministère de la justice",
    "Ministère du commerce",
    "Ministère de l'agriculture",
    "Ministère des transports",
    "Ministère de la communication",
    "Présidence de la République",
    "Primature",
    "Assemblée nationale",
    "Ministère de l'environnement",
    "Ministère de la culture",
]
FIRST_NAMES = [
    "Kossi",
    "Komla",
    "Yawa",
    "Afi",
    "Edem",
    "Akouvi",
    "Mawuli",
    "Kodjo",
    "Essi",
    "Abla",
    "Sena",
    "Dzifa",
    "Ayélé",
    "Kokou",
    "Adjo",
    "Amévi",
    "Elom",
    "Kafui",
    "Sélom",
    "Yao",
    "Jean",
    "Marie",
    "Paul",
    "Aïcha",
    "Ibrahim",
    "Fatou",
    "Moussa",
    "Awa",
    "Pierre",
    "Claire",
    "Hélène",
    "François",
    "Nadia",
    "Omar",
]
LAST_NAMES = [
    "AGBENOU",
    "AKAKPO",
    "MENSAH",
    "DOGBE",
    "LAWSON",
    "TCHALLA",
    "AHOSSOU",
    "GBEDEY",
    "ESSO",
    "KPODAR",
    "AMEGAH",
    "ATTIOGBE",
    "KOUASSI",
    "DIALLO",
    "TRAORE",
    "OUEDRAOGO",
    "SOSSOU",
    "ADJOVI",
    "KOFFI",
    "AYIKOE",
    "DJOSSOU",
    "SEDDOH",
    "FOLLY",
    "NOMESSI",
    "TETE",
    "WILSON",
    "OLYMPIO",
    "BATCHASSI",
    "DUPONT",
    "MARTIN",
    "BERNARD",
    "LEROY",
    "SCHMIDT",
    "OKONKWO",
    "MBEKI",
    "NDIAYE",
    "KEITA",
    "BAMBA",
]
COMPANY_WORDS = [
    "Transit",
    "Logistique",
    "Conseil",
    "Négoce",
    "Énergie",
    "Bâtiment",
    "Informatique",
    "Port",
    "Agro",
    "Services",
    "Import-Export",
    "Télécom",
    "Mines",
    "Hôtellerie",
    "Assurances",
    "Sécurité",
]
CITIES = ["Lomé", "Kara", "Sokodé", "Atakpamé", "Kpalimé", "Dapaong", "Tsévié", "Aného", "Accra", "Cotonou"]

ACTIONS = [
    "Demande de",
    "Invitation à",
    "Note relative à",
    "Transmission du dossier de",
    "Compte rendu de",
    "Projet d'accord de",
    "Proposition de",
    "Sollicitation d'appui pour",
    "Information sur",
    "Accréditation pour",
    "Demande d'audience au sujet de",
    "Réponse concernant",
    "Rappel relatif à",
    "Convocation à",
    "Programme de",
    "Félicitations à l'occasion de",
    "Candidature pour",
]
TOPICS = [
    "coopération bilatérale",
    "la commission mixte de coopération",
    "la visite officielle du ministre",
    "le sommet de l'Union africaine",
    "la session ordinaire de l'Assemblée générale",
    "la sécurité maritime",
    "l'exemption de visa",
    "la délivrance de passeports diplomatiques",
    "la protection consulaire",
    "l'ouverture d'un consulat honoraire",
    "la coopération culturelle",
    "la coopération militaire",
    "l'accord de siège",
    "le financement d'un projet d'infrastructure",
    "la conférence sur le climat",
    "la réunion ministérielle de la CEDEAO",
    "le forum économique",
    "les bourses d'études",
    "la coopération sanitaire",
    "la campagne de vaccination",
    "les élections régionales",
    "le rapatriement de ressortissants",
    "la diaspora togolaise",
    "le corridor Abidjan-Lagos",
    "la sécurité dans le golfe de Guinée",
    "l'intégration régionale",
    "le commerce transfrontalier",
    "la coopération technique",
    "la célébration de la fête nationale",
    "le renouvellement d'agrément",
    "la nomination d'un ambassadeur",
    "la lettre de créance",
    "la coopération décentralisée",
    "le mémorandum d'entente",
    "la formation des diplomates",
    "la candidature du Togo",
]
KEYWORDS = ["visa", "CEDEAO", "UA", "sommet", "bourses", "sécurité", "climat", "consulaire", "protocole", "diaspora"]
MAIL_STATE_OLD_IN = [("repondu", 45), ("classe", 35), ("archive", 20)]
MAIL_STATE_OLD_OUT = [("enregistre", 40), ("classe", 40), ("archive", 20)]


def _weighted(pairs):
    values = [v for v, _w in pairs]
    cumulative = list(accumulate(w for _v, w in pairs))
    return values, cumulative


class _Picker:
    """Weighted choice in O(log n) with a caller's Random."""

    def __init__(self, pairs):
        self.values, self.cumulative = _weighted(pairs)
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


# --- What is generated ----------------------------------------------------------------------
@dataclass
class VolumeReport:
    mails: int = 0
    correspondents: int = 0
    imputations: int = 0
    grants: int = 0
    events: int = 0
    attachments: int = 0
    audiences: int = 0
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)

    @property
    def mails_per_second(self) -> float:
        return self.mails / self.seconds if self.seconds else 0.0


class _Corr:
    __slots__ = ("id", "name", "acronym")

    def __init__(self, pk, name, acronym):
        self.id = pk
        self.name = name
        self.acronym = acronym


MAIL_COLUMNS = (
    "id", "register", "year", "number", "reference", "administrative_reference", "registered_at",
    "registered_by_id", "arrival_date", "letter_date", "sender_reference", "correspondent_id", "subject",
    "kind_id", "channel_id", "pages", "enclosures", "priority", "confidentiality", "keywords", "state",
    "state_changed_at", "signatory_id", "sent_date", "cancelled_at", "cancelled_by_id", "cancel_reason",
    "chain_hash", "search_text",
)  # fmt: skip
IMPUTATION_COLUMNS = (
    "id", "mail_id", "assignee_id", "assignee_unit_id", "instruction", "deadline", "comment", "state",
    "created_at", "created_by_id", "acknowledged_at", "acknowledged_by_id", "opinion", "completed_at",
    "completed_by_id",
)  # fmt: skip
GRANT_COLUMNS = ("content_object_id", "permission_id", "user_id")
EVENT_COLUMNS = ("mail_id", "at", "actor_id", "action", "imputation_id", "changes", "text")
ATTACHMENT_COLUMNS = (
    "mail_id", "kind", "file", "original_name", "content_type", "size", "sha256", "uploaded_at", "uploaded_by_id",
)  # fmt: skip
RECIPIENT_COLUMNS = ("mail_id", "correspondent_id")
CORRESPONDENT_COLUMNS = (
    "id", "name", "kind", "acronym", "country", "address", "email", "phone", "is_active", "created_at",
    "search_name",
)  # fmt: skip


def _table(model) -> str:
    return model._meta.db_table


TABLES = {
    "mail": (_table(Mail), MAIL_COLUMNS),
    "imputation": (_table(Imputation), IMPUTATION_COLUMNS),
    "grant": ("correspondence_mailuserobjectpermission", GRANT_COLUMNS),
    "event": (_table(MailEvent), EVENT_COLUMNS),
    "attachment": (_table(Attachment), ATTACHMENT_COLUMNS),
    "recipient": (Mail.recipients.through._meta.db_table, RECIPIENT_COLUMNS),
    "correspondent": (_table(Correspondent), CORRESPONDENT_COLUMNS),
}


def _attachment_row(mail_id: int, reference: str, registered_at, registrar: int) -> tuple:
    """A scan's metadata (no file behind it), derived from the letter alone."""
    return (
        mail_id,
        SCAN,
        f"correspondence/volume/{mail_id:08d}.pdf",
        f"{reference}.pdf",
        "application/pdf",
        40_000 + (mail_id * 7919) % 2_000_000,
        hashlib.sha256(str(mail_id).encode()).hexdigest(),
        registered_at,
        registrar,
    )


_LABEL_CASE = " ".join(
    "WHEN '{}' THEN '{}'".format(value, str(label).replace("'", "''")) for value, label in Instruction.choices
)
# On PostgreSQL the rows that follow from the letters and imputations are derived in SQL,
# server-side, from the rows just copied (a year: the ids from %(mail)s / %(imputation)s); the
# scans' metadata come from the workers (COPY). Same rows as the SQLite path (_load_sqlite).
DERIVED_SQL = [
    f"""INSERT INTO {TABLES["event"][0]} ({", ".join(EVENT_COLUMNS)})
        SELECT id, registered_at, registered_by_id, '{REGISTERED}', NULL, '{{}}', reference
        FROM {TABLES["mail"][0]} WHERE id BETWEEN %(mail)s AND %(last_mail)s ORDER BY id""",
    f"""INSERT INTO {TABLES["event"][0]} ({", ".join(EVENT_COLUMNS)})
        SELECT mail_id, created_at, created_by_id, '{ROUTED}', id, '{{}}',
               CASE instruction {_LABEL_CASE} END
               || ', échéance ' || to_char(deadline, 'DD/MM/YYYY')
        FROM {TABLES["imputation"][0]} WHERE id BETWEEN %(imputation)s AND %(last_imputation)s ORDER BY id""",
    f"""INSERT INTO {TABLES["recipient"][0]} ({", ".join(RECIPIENT_COLUMNS)})
        SELECT id, correspondent_id FROM {TABLES["mail"][0]}
        WHERE id BETWEEN %(mail)s AND %(last_mail)s AND register = '{DEPART}' ORDER BY id""",
    f"""INSERT INTO {TABLES["grant"][0]} ({", ".join(GRANT_COLUMNS)})
        SELECT DISTINCT mail_id, %(view_mail)s, assignee_id FROM {TABLES["imputation"][0]}
        WHERE id BETWEEN %(imputation)s AND %(last_imputation)s AND assignee_id IS NOT NULL""",
]


# --- COPY text format -----------------------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_str(value: str) -> str:
    return value.translate(_ESCAPES) if _SPECIAL.search(value) else value


_COPY_FORMAT = {
    str: _copy_str,
    int: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    datetime.datetime: datetime.datetime.isoformat,
    datetime.date: datetime.date.isoformat,
}


def _copy_line(row) -> str:
    """One row in COPY's text format."""
    return "\t".join([_COPY_FORMAT[type(v)](v) for v in row])


# --- People and reference data --------------------------------------------------------------
@dataclass
class _Cast:
    registrar: int
    signatories: list[int]
    advisers: _Picker
    heavy: int
    units: list[int]
    view_mail: int
    kinds: _Picker
    channels: _Picker


def _ensure_cast(stdout) -> _Cast:
    User = get_user_model()
    people = seed_organisation()
    registrar, _created = User.objects.get_or_create(
        username=VOLUME_USERNAME,
        defaults={"first_name": "Greffe", "last_name": "VOLUME", "title": "Données de volume", "is_active": False},
    )
    cab = people["units"]["cab"]
    advisers = [(people[HEAVY_ADVISER].pk, 12), (people["conseiller2"].pk, 10), (people["attache"].pk, 6)]
    start = datetime.date(timezone.localdate().year - YEARS, 1, 1)
    for n in range(1, 9):
        username = f"{VOLUME_ADVISER_PREFIX}{n}"
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": f"Conseiller {n}", "last_name": "VOLUME", "title": "Conseiller technique"},
        )
        position, _created = Position.objects.get_or_create(
            title=f"Conseiller technique (volume) n° {n}", unit=cab, defaults={"kind": Role.CONSEILLER}
        )
        if not Mandate.objects.filter(user=user, position=position).exists():
            Mandate.objects.create(user=user, position=position, start_date=start, act_reference="Données de volume")
        advisers.append((user.pk, 9))
    units = [people["units"][key].pk for key in ("daai", "deam", "doi", "dajc", "scom")]
    kinds = {k.code: k.pk for k in MailKind.objects.all()}
    channels = {c.code: c.pk for c in ArrivalChannel.objects.all()}
    kind_weights = {"lettre": 50, "note-verbale": 25, "invitation": 8, "telegramme": 4, "rapport": 6}
    channel_weights = {"courrier-simple": 40, "porteur": 25, "valise-diplomatique": 15, "courriel": 15, "fax": 2}
    if not kinds:
        kinds = {"lettre": MailKind.objects.create(code="lettre", label="Lettre").pk}
    view_mail = Permission.objects.get(content_type__app_label="correspondence", codename="view_mail").pk
    return _Cast(
        registrar=registrar.pk,
        signatories=[people["ministre"].pk, people["directeur"].pk],
        advisers=_Picker(advisers),
        heavy=people[HEAVY_ADVISER].pk,
        units=units,
        view_mail=view_mail,
        kinds=_Picker([(pk, kind_weights.get(code, 2)) for code, pk in kinds.items()]),
        channels=_Picker([(pk, channel_weights.get(code, 2)) for code, pk in channels.items()] or [(None, 1)]),
    )


def _correspondent_rows(rng: random.Random, count: int, first_id: int, now: datetime.datetime):
    """Embassies and organisations first (few, frequent), then ministries, companies, people."""
    fixed = []
    for country, _adjective in COUNTRIES:
        fixed.append((f"Ambassade de {country} au Togo", "ambassade", "", country))
    for name, acronym in ORGANISATIONS:
        fixed.append((name, "organisation_internationale", acronym, ""))
    for name in MINISTRIES:
        fixed.append((name, "ministere", "", "Togo"))
    rows = []
    for n in range(count):
        if n < len(fixed):
            name, kind, acronym, country = fixed[n]
        elif n % 3 == 0:
            word = rng.choice(COMPANY_WORDS)
            name = f"{word} {rng.choice(LAST_NAMES).title()} {rng.choice(CITIES)} SARL n° {n}"
            kind, acronym, country = "entreprise", "", "Togo"
        elif n % 3 == 1:
            name = f"{rng.choice(('M.', 'Mme'))} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} ({n})"
            kind, acronym, country = "personne", "", "Togo"
        else:
            name = f"Association {rng.choice(TOPICS)} de {rng.choice(CITIES)} n° {n}"
            kind, acronym, country = "ong", "", "Togo"
        pk = first_id + n
        search_name = normalise(f"{name} {acronym}")[:300]
        rows.append((pk, name[:255], kind, acronym, country, "", "", "", True, now, search_name))
    return rows


# --- The generator --------------------------------------------------------------------------
# Every letter of a (register, year) chains on the previous one of the same register and year,
# and nothing else: each year is generated on its own (its own random stream, seeded from
# ``--seed`` and the year, so the same seed gives the same letters whoever generates them), in
# worker processes on PostgreSQL, while the main process streams the finished years to COPY.
# A year comes out as COPY text: the letters, their imputations and the extra grants.
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
DAY = 86_400
# Hashed payload, in Mail.hashed_payload's order (json.dumps(sort_keys=True)).
_PAYLOAD_ORDER = (
    "administrative_reference", "arrival_date", "correspondent_id", "kind_id", "letter_date", "number",
    "reference", "register", "registered_at", "registered_by_id", "sender_reference", "subject", "year",
)  # fmt: skip
assert tuple(sorted(Mail.HASHED_FIELDS)) == _PAYLOAD_ORDER, "Mail.HASHED_FIELDS changed: update _payload"
_json = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes for a str


def _lookup(pairs) -> list:
    """A weighted choice as a list to index with ``int(random() * len)`` (integer weights)."""
    return [value for value, weight in pairs for _n in range(weight)]


@dataclass
class _Context:
    """What every year's generation reads (inherited by the forked workers)."""

    seed: int
    cast: _Cast
    corr_ids: list[int]
    corr_cumulative: list[float]
    corr_acronyms: list[str]
    corr_tails: list[tuple[str, str]]  # (incoming, outgoing) search text after the keywords
    stamps: list[int]  # registration times, epoch seconds, sorted
    now: int
    sqlite: bool
    escape: bool
    vectors: _Vectors | None = None  # PostgreSQL: the search vector is assembled here
    binary: bool = False  # PostgreSQL: the letters in COPY's binary format
    day_text: dict = field(default_factory=dict)  # epoch day -> ISO date
    local_offsets: dict = field(default_factory=dict)  # epoch day -> UTC offset (s) or False


_CONTEXT: _Context | None = None


@dataclass
class _Chunk:
    year: int
    mails: bytes
    imputations: bytes
    grants: bytes
    counters: dict  # register -> [last_number, last_hash]
    counts: dict
    cpu: float = 0.0
    mail_ids: tuple = (0, -1)  # first, last
    imputation_ids: tuple = (0, -1)  # first, last (unused ids within are gaps)
    attachments: bytes = b""  # PostgreSQL: the scans' metadata (COPY text)


def _day_text(ctx: _Context, day: int) -> str:
    text = ctx.day_text.get(day)
    if text is None:
        text = ctx.day_text[day] = datetime.date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
    return text


def _local_offset(ctx: _Context, t: int, tz) -> int:
    """The zone's UTC offset at ``t`` (s): one per day unless it changes that day."""
    day = t // DAY
    offset = ctx.local_offsets.get(day)
    if offset is None:
        first, last = (
            int(datetime.datetime.fromtimestamp(moment, tz=datetime.UTC).astimezone(tz).utcoffset().total_seconds())
            for moment in (day * DAY, day * DAY + DAY - 1)
        )
        offset = ctx.local_offsets[day] = first if first == last else False
    if offset is False:  # a change of offset that day: by the quarter hour
        moment = datetime.datetime.fromtimestamp(t // 900 * 900, tz=datetime.UTC).astimezone(tz)
        return int(moment.utcoffset().total_seconds())
    return offset


def _local_year(ctx: _Context, t: int, tz) -> int:
    return datetime.date.fromordinal(_EPOCH_ORDINAL + (t + _local_offset(ctx, t, tz)) // DAY).year


def _timestamps(rng: random.Random, count: int, today: datetime.date, now: int) -> list[int]:
    """Registration times over ``YEARS`` years up to an hour ago, office hours, weekdays."""
    start = int(datetime.datetime(today.year - YEARS + 1, 1, 1, tzinfo=datetime.UTC).timestamp())
    span = now - 3600 - start
    latest = now - 300
    rand = rng.random
    stamps = []
    append = stamps.append
    for _n in range(count):
        t = start + int(rand() * span)
        weekday = (t // DAY + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5:
            t -= (weekday - 4) * DAY
        hour = t % DAY // 3600
        t += (7 + hour % 11 - hour) * 3600
        if t > latest:
            t = latest - 60 * int(rand() * 600)
        append(t)
    stamps.sort()
    return stamps


def _year_chunks(ctx: _Context, first_mail: int, first_imputation: int, counters: dict) -> list[tuple]:
    """(year, start, stop, first mail id, first imputation id, counters) of each year."""
    tz = timezone.get_current_timezone()
    stamps = ctx.stamps
    chunks = []
    start = 0
    while start < len(stamps):
        year = _local_year(ctx, stamps[start], tz)
        # The first letter of the next year (local time is monotonic in UTC time).
        stop = bisect(stamps, int(datetime.datetime(year + 1, 1, 1, tzinfo=tz).timestamp()) - 1, lo=start)
        state = {
            register: list(counters.get((register, year)) or [0, previous_chain_hash(register, year, 1)])
            for register in (ARRIVEE, DEPART)
        }
        # At most two imputations per letter: a range of ids per year (unused ids stay gaps).
        chunks.append((year, start, stop, first_mail + start, first_imputation + 2 * start, state))
        start = stop
    return chunks


# A year is handed over in parts of this many letters (PostgreSQL starts on the first part).
PART = 25_000


def _generate_year(spec):
    """The COPY text of one year's letters, imputations and extra grants, part by part."""
    # Millions of short-lived objects and no cycle: the collector would only walk the caches.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield from _generate(spec)
    finally:
        if collecting:
            gc.enable()


def _generate(spec):
    year, start, stop, mail_id, imputation_id, counters = spec
    ctx = _CONTEXT
    cast = ctx.cast
    tz = timezone.get_current_timezone()
    started = time.process_time()
    rng = random.Random(f"{ctx.seed}:{year}")
    rand = rng.random
    stamps = ctx.stamps
    corr_ids, corr_cum, corr_acronyms, corr_tails = ctx.corr_ids, ctx.corr_cumulative, ctx.corr_acronyms, ctx.corr_tails
    corr_total = corr_cum[-1]
    registrar = str(cast.registrar)
    director = str(cast.signatories[1])
    signatories = [str(pk) for pk in cast.signatories]
    advisers = _lookup([(str(v), w) for v, w in zip(cast.advisers.values, _weights(cast.advisers), strict=True)])
    n_advisers = len(advisers)
    units = [str(pk) for pk in cast.units]
    kinds = _lookup([(str(v), w) for v, w in zip(cast.kinds.values, _weights(cast.kinds), strict=True)])
    channels = _lookup(
        [(NULL if v is None else str(v), w) for v, w in zip(cast.channels.values, _weights(cast.channels), strict=True)]
    )
    view_mail = str(cast.view_mail)
    priorities = _lookup([("normale", 80), ("urgente", 15), ("tres_urgente", 5)])
    delays = {"normale": 14, "urgente": 5, "tres_urgente": 1}
    confidentialities = _lookup([("ordinaire", 90), ("confidentiel", 8), ("secret", 2)])
    instructions = _lookup(
        [
            (Instruction.ATTRIBUTION.value, 50),
            (Instruction.AVIS.value, 20),
            (Instruction.SUITE.value, 15),
            (Instruction.INFORMATION.value, 10),
            (Instruction.SIGNATURE.value, 5),
        ]
    )
    old_in, old_out = _lookup(MAIL_STATE_OLD_IN), _lookup(MAIL_STATE_OLD_OUT)
    recent_states = ("en_attente", "accusee", "terminee")
    n_actions, n_topics, n_countries, n_keywords, n_units = (
        len(ACTIONS),
        len(TOPICS),
        len(COUNTRIES),
        len(KEYWORDS),
        len(units),
    )
    # Times: "YYYY-MM-DD HH:MM:SS" + the zone PostgreSQL reads (SQLite: naive UTC, as Django
    # stores them); the hashed form is Mail.hashed_payload's isoformat().
    zone = "" if ctx.sqlite else "+00"
    clock = _CLOCK
    day_text = ctx.day_text

    def stamp(t: int) -> str:
        day, second = divmod(t, DAY)
        text = day_text.get(day) or _day_text(ctx, day)
        return f"{text} {clock[second]}{zone}"

    subjects: dict = {}
    keywords_n = [normalise(k) for k in KEYWORDS]
    escape = ctx.escape
    # PostgreSQL: the letters in COPY's binary format (no text for PostgreSQL to parse: the
    # times, dates, numbers and the tsvector as they are stored).
    binary = ctx.binary
    b_text = _BinaryFields(_b_text)
    b_id = _BinaryFields(lambda token: _B_NULL if token == NULL else _b_int8(8, int(token)))
    year_binary = _b_int2(2, year)
    subjects_binary: dict = {}

    def subject_binary(key, text: str) -> bytes:
        field = subjects_binary.get(key)
        if field is None:
            field = subjects_binary[key] = _b_text(_unescape(text))
        return field

    def finish(rows: list) -> bytes:
        if binary:
            return b"".join((_B_HEADER, *rows, _B_TRAILER))
        return "".join(rows).encode()

    vectors = ctx.vectors
    fallbacks = 0
    recent = ctx.now - 60 * DAY
    old = ctx.now - 120 * DAY
    year_text = str(year)
    yy = f"{year % 100:02d}"
    mails, imputations, grants, attachments = [], [], [], []
    add_mail, add_imputation, add_grant = mails.append, imputations.append, grants.append
    add_attachment = attachments.append
    # PostgreSQL: the scans' metadata written here, by the workers, whose core idles at the
    # end of the copy (SQLite derives them from the letters, as _attachment_row does).
    scans = not ctx.sqlite
    part_mail, part_imputation = mail_id, imputation_id
    for t in stamps[start:stop]:
        if len(mails) == PART:
            yield _Chunk(
                year=year,
                mails=finish(mails),
                imputations="".join(imputations).encode(),
                grants="".join(grants).encode(),
                attachments="".join(attachments).encode(),
                counters={register: list(state) for register, state in counters.items()},
                counts={
                    "mail": len(mails),
                    "imputation": len(imputations),
                    "grant": len(grants),
                    "attachment": len(attachments),
                },
                cpu=time.process_time() - started,
                mail_ids=(part_mail + 1, mail_id),
                imputation_ids=(part_imputation + 1, imputation_id),
            )
            started = time.process_time()
            part_mail, part_imputation = mail_id, imputation_id
            mails, imputations, grants, attachments = [], [], [], []
            add_mail, add_imputation, add_grant = mails.append, imputations.append, grants.append
            add_attachment = attachments.append
        local_day = (t + _local_offset(ctx, t, tz)) // DAY
        day, second = divmod(t, DAY)
        day_iso = day_text.get(day) or _day_text(ctx, day)
        registered_at = f"{day_iso} {clock[second]}{zone}"
        local_date = day_text.get(local_day) or _day_text(ctx, local_day)
        incoming = rand() < 0.6
        register = ARRIVEE if incoming else DEPART
        state = counters[register]
        number = state[0] + 1
        c = bisect(corr_cum, rand() * corr_total)
        corr_id = corr_ids[c]
        reference = format_reference(register, year, number)
        # Subject: an action, a topic, sometimes a country, rarely the rare word.
        key = (
            int(rand() * n_actions),
            int(rand() * n_topics),
            int(rand() * n_countries) if rand() < 0.3 else -1,
            rand() < RARE_RATE,
        )
        subject = subjects.get(key)
        if subject is None:
            subject = subjects[key] = _subject(*key)
        subject_text, subject_json, subject_n, subject_parts = subject
        kind = kinds[int(rand() * len(kinds))]
        if incoming:
            administrative_reference = ""
            arrival_day = local_day - (0, 0, 0, 1, 2)[int(rand() * 5)]
            arrival = day_text.get(arrival_day) or _day_text(ctx, arrival_day)
            letter_day = arrival_day - int(rand() * 15)
            letter_date = day_text.get(letter_day) or _day_text(ctx, letter_day)
            sender_reference = ""
            if rand() < 0.7:
                sender_reference = f"N° {1 + int(rand() * 2999)}/{corr_acronyms[c] or 'REF'}/{yy}"
            arrival_copy, arrival_json = arrival, f'"{arrival}"'
        else:
            administrative_reference = format_administrative_reference(year, number)
            letter_date = local_date
            sender_reference = ""
            arrival_copy, arrival_json = NULL, "null"
        keywords = int(rand() * n_keywords) if rand() < 0.25 else -1
        payload = (
            f'{{"administrative_reference":{_json(administrative_reference)},"arrival_date":{arrival_json},'
            f'"correspondent_id":{corr_id},"kind_id":{kind},"letter_date":"{letter_date}","number":{number},'
            f'"reference":{_json(reference)},"register":"{register}","registered_at":"{day_iso}T{clock[second]}+00:00",'
            f'"registered_by_id":{registrar},"sender_reference":{_json(sender_reference)},"subject":{subject_json},'
            f'"year":{year}}}'
        )
        chain_hash = sha256(f"{state[1]}|{payload}".encode()).hexdigest()
        state[0] = number
        state[1] = chain_hash
        # Search text exactly as Mail.build_search_text (outgoing: the recipient too).
        unique = (
            normalise(reference),
            normalise(administrative_reference) if administrative_reference else "",
            normalise(sender_reference) if sender_reference else "",
        )
        keywords_part = keywords_n[keywords] if keywords >= 0 else ""
        tail = corr_tails[c][0 if incoming else 1]
        search_text = " ".join(part for part in (*unique, subject_n, keywords_part, tail) if part)
        if binary:
            vector = vectors.binary(unique, (*subject_parts, keywords_part, tail)) if subject_parts else None
            if vector is None:
                fallbacks += 1
                vector = _B_NULL
        elif vectors is not None:
            vector = vectors.vector(unique, (*subject_parts, keywords_part, tail)) if subject_parts else None
            if vector is None:
                fallbacks += 1
                vector = NULL
            elif "\\" in vector:
                vector = _copy_str(vector)
            search_text = f"{search_text}\t{vector}"
        priority = priorities[int(rand() * len(priorities))]
        confidentiality = confidentialities[int(rand() * len(confidentialities))]
        cancelled = rand() < 0.003
        is_recent = t > recent
        is_old = t < old

        mail_id += 1
        granted = None
        mail_state = "enregistre"
        if incoming and (not is_recent or rand() < 0.8):
            acknowledged_any = False
            granted = []
            for _k in range(1 if rand() < 0.8 else 2):
                imputation_id += 1
                to_unit = confidentiality != "secret" and rand() < 0.3
                created = t + 3600 * (1 + int(rand() * 47))
                deadline_day = (created + _local_offset(ctx, created, tz)) // DAY + delays[priority]
                weekday = (deadline_day + 3) % 7
                if weekday >= 5:
                    deadline_day += 7 - weekday
                if is_old:
                    imputation_state = "terminee" if rand() > 0.01 else "en_attente"
                elif is_recent:
                    imputation_state = recent_states[int(rand() * 3)]
                else:
                    imputation_state = "terminee" if rand() > 0.1 else "accusee"
                if to_unit:
                    assignee, unit = NULL, units[int(rand() * n_units)]
                else:
                    assignee, unit = advisers[int(rand() * n_advisers)], NULL
                    if assignee not in granted:
                        granted.append(assignee)
                instruction = instructions[int(rand() * len(instructions))]
                done = imputation_state == "terminee"
                acknowledged = done or imputation_state == "accusee"
                # Taking a routing into account (its completion includes it) puts the letter
                # « en traitement », as services.imputation_acknowledge does.
                acknowledged_any = acknowledged_any or acknowledged
                by = registrar if to_unit else assignee
                add_imputation(
                    f"{imputation_id}\t{mail_id}\t{assignee}\t{unit}\t{instruction}\t"
                    f"{day_text.get(deadline_day) or _day_text(ctx, deadline_day)}\t\t{imputation_state}\t"
                    f"{stamp(created)}\t{director}\t"
                    f"{stamp(created + 3 * 3600) if acknowledged else NULL}\t{by if acknowledged else NULL}\t\t"
                    f"{stamp(created + 3 * DAY) if done else NULL}\t{by if done else NULL}\n"
                )
            if is_old:
                mail_state = old_in[int(rand() * len(old_in))]
            elif acknowledged_any:
                mail_state = "en_traitement"
            else:
                mail_state = "impute"
        elif not incoming and is_old:
            mail_state = old_out[int(rand() * len(old_out))]
        if incoming:
            channel, signatory, sent_date = channels[int(rand() * len(channels))], NULL, NULL
        else:
            channel, signatory, sent_date = NULL, signatories[int(rand() * 2)], local_date
        changed = t + DAY * int(rand() * 30) if is_old else t
        pages, enclosures = 1 + int(rand() * 12), int(rand() * 4)
        if binary:
            add_mail(
                b"".join(
                    (
                        _B_ROW_MAIL,
                        _b_int8(8, mail_id),
                        b_text[register],
                        year_binary,
                        _b_int4(4, number),
                        _b_text(reference),
                        _b_text(administrative_reference),
                        _b_int8(8, (t - _PG_EPOCH) * 1_000_000),
                        b_id[registrar],
                        _b_int4(4, arrival_day - _PG_EPOCH_DAY) if incoming else _B_NULL,
                        _b_int4(4, (letter_day if incoming else local_day) - _PG_EPOCH_DAY),
                        _b_text(sender_reference),
                        _b_int8(8, corr_id),
                        subject_binary(key, subject_text),
                        b_id[kind],
                        b_id[channel],
                        _b_int2(2, pages),
                        _b_int2(2, enclosures),
                        b_text[priority],
                        b_text[confidentiality],
                        b_text[KEYWORDS[keywords] if keywords >= 0 else ""],
                        b_text[mail_state],
                        _b_int8(8, (changed - _PG_EPOCH) * 1_000_000),
                        b_id[signatory],
                        _b_int4(4, local_day - _PG_EPOCH_DAY) if sent_date != NULL else _B_NULL,
                        _b_int8(8, (t + 7200 - _PG_EPOCH) * 1_000_000) if cancelled else _B_NULL,
                        b_id[registrar] if cancelled else _B_NULL,
                        b_text[_CANCEL_REASON if cancelled else ""],
                        _b_text(chain_hash),
                        _b_text(search_text),
                        vector,
                    )
                )
            )
        else:
            state_changed_at = stamp(changed) if is_old else registered_at
            cancellation = f"{stamp(t + 7200)}\t{registrar}\t{_CANCEL_REASON}" if cancelled else f"{NULL}\t{NULL}\t"
        if escape and not binary:
            reference, administrative_reference, sender_reference = map(
                _copy_str, (reference, administrative_reference, sender_reference)
            )
            search_text = _copy_str(search_text)
        if not binary:
            add_mail(
                f"{mail_id}\t{register}\t{year_text}\t{number}\t{reference}\t{administrative_reference}\t"
                f"{registered_at}\t{registrar}\t{arrival_copy}\t{letter_date}\t{sender_reference}\t{corr_id}\t"
                f"{subject_text}\t{kind}\t{channel}\t{pages}\t{enclosures}\t{priority}\t{confidentiality}\t"
                f"{KEYWORDS[keywords] if keywords >= 0 else ''}\t{mail_state}\t{state_changed_at}\t{signatory}\t"
                f"{sent_date}\t{cancellation}\t{chain_hash}\t{search_text}\n"
            )
        if scans and incoming and mail_id % 20 < 17:
            # A scan's metadata (no file behind it), as _attachment_row gives it.
            add_attachment(
                f"{mail_id}\t{SCAN}\tcorrespondence/volume/{mail_id:08d}.pdf\t"
                f"{_copy_str(reference) if escape and binary else reference}.pdf\tapplication/pdf\t"
                f"{40_000 + (mail_id * 7919) % 2_000_000}\t{sha256(str(mail_id).encode()).hexdigest()}\t"
                f"{registered_at}\t{registrar}\n"
            )
        if confidentiality == "secret" and rand() < 0.5:
            # A secret letter explicitly opened to one more adviser.
            extra = advisers[int(rand() * n_advisers)]
            if granted is None or extra not in granted:
                add_grant(f"{mail_id}\t{view_mail}\t{extra}\n")
    yield _Chunk(
        year=year,
        mails=finish(mails),
        imputations="".join(imputations).encode(),
        grants="".join(grants).encode(),
        attachments="".join(attachments).encode(),
        counters=counters,
        counts={
            "mail": len(mails),
            "imputation": len(imputations),
            "grant": len(grants),
            "attachment": len(attachments),
            "vector_fallback": fallbacks,
        },
        cpu=time.process_time() - started,
        mail_ids=(part_mail + 1, mail_id),
        imputation_ids=(part_imputation + 1, imputation_id),
    )


_CLOCK = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
NULL = "\\N"
_CANCEL_REASON = "Erreur d'enregistrement (doublon)"

# COPY's binary format: a header, each row (its number of fields, then each field's length and
# bytes, -1 for NULL), a trailer. Times in microseconds and dates in days from 2000-01-01.
_B_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_B_TRAILER = struct.pack(">h", -1)
_B_NULL = struct.pack(">i", -1)
_B_ROW_MAIL = struct.pack(">h", len(MAIL_COLUMNS) + 1)  # and the search vector
_PG_EPOCH = 946_684_800
_PG_EPOCH_DAY = _PG_EPOCH // DAY
_b_int2 = struct.Struct(">ih").pack
_b_int4 = struct.Struct(">ii").pack
_b_int8 = struct.Struct(">iq").pack
_b_length = struct.Struct(">i").pack


def _b_text(text: str) -> bytes:
    data = text.encode()
    return _b_length(len(data)) + data


class _BinaryFields(dict):
    """token -> its binary field, made once."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, token):
        field = self[token] = self.make(token)
        return field


def _weights(picker: _Picker) -> list[int]:
    return [int(c - p) for p, c in zip([0, *picker.cumulative[:-1]], picker.cumulative, strict=True)]


def _subject(action: int, topic: int, country: int, rare: bool) -> tuple[str, str, str, tuple]:
    """A subject (COPY text), its JSON string (hashed payload), its normalised form and the
    normalised pieces it is made of (their vectors are cached; None if they do not join up)."""
    pieces = [ACTIONS[action], TOPICS[topic]]
    if country >= 0:
        pieces.append(f"({COUNTRIES[country][0]})")
    if rare:
        pieces.append(f"— {RARE_WORD} des côtes")
    subject = " ".join(pieces)
    normal = normalise(subject)
    parts = tuple(normalise(piece) for piece in pieces)
    return _copy_str(subject), _json(subject), normal, parts if " ".join(parts) == normal else ()


def _vector_texts(correspondents, tails, first_number: int, count: int) -> list[str]:
    """The texts whose words (or digit shapes) PostgreSQL is asked about before the load."""
    texts = [tail for pair in tails for tail in pair] + [normalise(k) for k in KEYWORDS]
    texts += [normalise(t) for t in (*ACTIONS, *TOPICS, f"— {RARE_WORD} des côtes")]
    texts += [normalise(f"({country})") for country, _adjective in COUNTRIES]
    acronyms = {corr.acronym or "REF" for corr in correspondents}
    year = timezone.localdate().year
    for width in range(len(str(first_number)), len(str(first_number + count)) + 1):
        number = 10 ** (width - 1)
        texts += [normalise(format_reference(register, year, number)) for register in (ARRIVEE, DEPART)]
        texts.append(normalise(format_administrative_reference(year, number)))
    for number in (1, 10, 100, 1000):
        texts += [normalise(f"N° {number}/{acronym}/{year % 100:02d}") for acronym in acronyms]
    return texts


def _context(seed, rng, cast, correspondents, count, sqlite, cursor=None, first_number=1) -> _Context:
    now = int(timezone.now().timestamp())
    n = len(correspondents)
    tails = []
    for corr in correspondents:
        name, acronym = normalise(corr.name), normalise(corr.acronym) if corr.acronym else ""
        incoming = " ".join(p for p in (name, acronym) if p)
        tails.append((incoming, " ".join(p for p in (name, acronym, name) if p)))
    texts = [corr.name for corr in correspondents] + [corr.acronym for corr in correspondents]
    texts += list(settings.CABINET_MAIL_REFERENCE_FORMATS.values()) + [
        settings.CABINET_OUTGOING_REFERENCE_FORMAT,
        settings.CABINET_MINISTRY_ACRONYM,
        settings.CABINET_OFFICE_ACRONYM,
    ]
    vectors = None
    if cursor is not None:
        vectors = _Vectors()
        vectors.load(cursor, _vector_texts(correspondents, tails, first_number, count))
    return _Context(
        vectors=vectors,
        binary=vectors is not None and COPY_FORMAT == "binary",
        seed=seed,
        cast=cast,
        corr_ids=[corr.id for corr in correspondents],
        # Correspondents: a few write very often (Zipf-like over the directory).
        corr_cumulative=list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(n))),
        corr_acronyms=[corr.acronym for corr in correspondents],
        corr_tails=tails,
        stamps=_timestamps(rng, count, timezone.localdate(), now),
        now=now,
        sqlite=sqlite,
        escape=any(_SPECIAL.search(text) for text in texts),
    )


# --- The tsvector, assembled here from PostgreSQL's own vectors of each word ------------------
# to_tsvector(french_unaccent, text) costs PostgreSQL 22 µs a letter, more than the whole copy
# of the row. Its parser never lets a token span a space, so the vector of a text is the union
# of the vectors of its words, each word's positions shifted by the positions the words before
# it used (a stop word uses one). PostgreSQL gives the vector of each distinct word once (a
# word with digits is asked in its "shape": same letters, digits by place, the digits' lexemes
# then cut from the letter's own word); the letters are assembled here. A word PostgreSQL was
# not asked about, or a shape that does not cut cleanly, leaves the vector NULL: PostgreSQL
# computes that letter's vector after the copy (an UPDATE). A sample of each load is compared with to_tsvector.
TS_CONFIG = "french_unaccent"
# The letters' COPY format on PostgreSQL. Binary spares PostgreSQL's backend the parsing (its
# CPU for the letters' copy at 1M: 22 -> 19.7 s) but costs the workers more than it saves
# (+6 us a letter warm, 30.8 -> 45.9 s of CPU at 1M): on two cores, text (see docs/performance.md).
COPY_FORMAT = os.environ.get("VOLUME_COPY_FORMAT", "text")
_POSITIONS = [struct.Struct(f">H{n}H").pack for n in range(257)]


def _b_lexeme(lexeme: bytes, positions: tuple) -> bytes:
    return lexeme + b"\0" + _POSITIONS[len(positions)](len(positions), *positions)


def _merge(merged: dict, lexeme: bytes, positions: tuple) -> None:
    """A lexeme's positions added to those it already has (a word twice in a text)."""
    known = merged.get(lexeme)
    merged[lexeme] = positions if known is None else known + positions


def _unquote(quoted: str) -> str:
    """A lexeme as tsvector's text output writes it (' and \\ doubled), as it is."""
    return quoted.replace("''", "'").replace("\\\\", "\\")


_SENTINEL = "zzzqx"
_DIGITS = "0123456789"
_TO_ZERO = str.maketrans(_DIGITS, "0" * 10)
_HAS_DIGIT = re.compile("[0-9]")
_LEXEME = re.compile(r"'((?:[^']|'')*)':([\d,]+)")


def _by_place(word: str) -> str:
    """``word`` with each digit replaced by its place (mod 10): every digit run is distinct."""
    return "".join(_DIGITS[n % 10] if ch in _DIGITS else ch for n, ch in enumerate(word))


class _Vectors:
    def __init__(self):
        # Lexemes as PostgreSQL writes them between quotes (' and \\ doubled).
        self.words: dict[str, tuple | None] = {}  # word without digit -> (items, positions used)
        self.shapes: dict[str, tuple | None] = {}  # word, digits as 0 -> (recipe, positions used)
        self.templates: dict[tuple, tuple | None] = {}  # (shape of a text, offset) -> _template
        self.rendered: dict[tuple, tuple] = {}  # (recurring text, offset) -> (vector text, used)
        self.relative: dict[str, tuple | None] = {}  # recurring text -> (format, positions, used)
        self.pieces: dict[str, tuple | None] = {}  # word -> (format, positions, used)
        # COPY's binary format: lexemes as bytes, positions as numbers.
        self.binary_templates: dict[tuple, tuple | None] = {}  # (shape of a text, offset) -> items
        self.binary_rendered: dict[tuple, tuple] = {}  # (recurring text, offset) -> its field's part
        self.binary_relative: dict[str, tuple | None] = {}  # recurring text -> its lexemes from 0
        self.binary_pieces: dict[str, tuple | None] = {}  # word -> its template from 0

    def load(self, cursor, texts) -> None:
        words = set()
        for text in set(texts):
            words.update(text.split())
        plain, shapes = set(), {}
        for word in words:
            if _HAS_DIGIT.search(word):
                shapes.setdefault(word.translate(_TO_ZERO), word)
            else:
                plain.add(word)
        asked = sorted(plain - self.words.keys())
        asked += [_by_place(word) for shape, word in shapes.items() if shape not in self.shapes]
        if not asked:
            return
        cursor.execute(
            f"SELECT x, to_tsvector('{TS_CONFIG}', x || ' {_SENTINEL}')::text FROM unnest(%s::text[]) AS x",
            [asked],
        )
        for text, vector in cursor.fetchall():
            items, used = [], None
            for quoted, positions in _LEXEME.findall(vector):
                numbers = [int(p) for p in positions.split(",")]
                if quoted == _SENTINEL:
                    used = max(numbers) - 1
                    numbers = [p for p in numbers if p <= used]
                if numbers:
                    items.append((quoted, tuple(numbers)))
            if _HAS_DIGIT.search(text):
                self.shapes[text.translate(_TO_ZERO)] = self._recipe(text, items, used)
            else:
                self.words[text] = (tuple(items), used) if used is not None else None

    @staticmethod
    def _recipe(by_place: str, items, used):
        """Each lexeme fixed, or (for one with digits) the slice of the word it is."""
        if used is None:
            return None
        recipe = []
        for quoted, positions in items:
            lexeme = quoted.replace("''", "'")
            if _HAS_DIGIT.search(lexeme):
                start = by_place.find(lexeme)
                if "\\" in quoted or "'" in lexeme or start < 0 or by_place.find(lexeme, start + 1) >= 0:
                    return None
                recipe.append((None, start, start + len(lexeme), positions))
            else:
                recipe.append((quoted, 0, 0, positions))
        return tuple(recipe), used

    def _walk(self, text: str, offset: int):
        """``text`` placed after ``offset`` positions: its lexemes as (quoted lexeme, or None for
        one cut from the text; cut start; cut end; positions), and the positions used; None
        when a word's vector is not known."""
        items, used, start = [], 0, 0
        for word in text.split(" "):
            if _HAS_DIGIT.search(word):
                shape = self.shapes.get(word.translate(_TO_ZERO))
                if shape is None:
                    return None
                recipe, n = shape
            else:
                known = self.words.get(word)
                if known is None:
                    return None
                entries, n = known
                recipe = [(quoted, 0, 0, positions) for quoted, positions in entries]
            for quoted, a, b, positions in recipe:
                at = tuple([p + offset + used for p in positions])
                items.append((None, start + a, start + b, at) if quoted is None else (quoted, 0, 0, at))
            used += n
            start += len(word) + 1
        return items, used

    def _template(self, text: str, offset: int):
        """``text`` placed after ``offset`` positions: (vector text with a %s for each lexeme
        cut from the text, the (start, end) of each cut, positions used), or None."""
        walked = self._walk(text, offset)
        if walked is None:
            return None
        items, used = walked
        pieces, cuts = [], []
        for quoted, a, b, positions in items:
            at = ",".join(map(str, positions))
            if quoted is None:
                pieces.append(f"'%s':{at}")
                cuts.append((a, b))
            else:
                pieces.append(f"'{quoted.replace('%', '%%')}':{at}")
        return " ".join(pieces), tuple(cuts), used

    def _unique(self, text: str, offset: int):
        key = (text.translate(_TO_ZERO), offset)
        template = self.templates.get(key, False)
        if template is False:
            template = self.templates[key] = self._template(text, offset)
        if template is None:
            return None
        pattern, cuts, used = template
        return (pattern % tuple([text[a:b] for a, b in cuts]) if cuts else pattern), used

    def vector(self, unique: tuple, shared: tuple) -> str | None:
        """The vector text of the parts ``unique`` (this letter's) then ``shared`` (recurring)."""
        pieces, offset = [], 0
        for text in unique:
            if text:
                done = self._unique(text, offset)
                if done is None:
                    return None
                pieces.append(done[0])
                offset += done[1]
        rendered = self.rendered
        for text in shared:
            if text:
                done = rendered.get((text, offset))
                if done is None:
                    done = rendered[(text, offset)] = self._shifted(text, offset)
                if done[0] is None:
                    return None
                pieces.append(done[0])
                offset += done[1]
        return " ".join(pieces)

    def binary(self, unique: tuple, shared: tuple) -> bytes | None:
        """``vector``'s tsvector as a field of COPY's binary format: its number of lexemes,
        then each lexeme (NUL-terminated) with its positions. PostgreSQL sorts the lexemes
        (tsvectorrecv) but does not merge a lexeme given twice: the letter's are merged here."""
        own = self._binary_unique(unique)
        if own is None:
            return None
        merged, offset = own
        parts = [_b_lexeme(lexeme, positions) for lexeme, positions in merged.items()]
        count, seen, start = len(merged), set(merged), offset
        for text in shared:
            if text:
                lexemes, encoded, _items, used = self._binary_part(text, offset)
                if lexemes is None:
                    return None
                if not seen.isdisjoint(lexemes):  # a lexeme twice (an acronym in a reference, say)
                    return self._binary_merged(merged, start, shared)
                parts.append(encoded)
                count += len(lexemes)
                seen.update(lexemes)
                offset += used
        body = b"".join(parts)
        return _b_length(len(body) + 4) + _b_length(count) + body

    def _binary_unique(self, unique: tuple):
        """The letter's own parts (its references, cut from the text), lexemes merged:
        ({lexeme: positions}, the offset after them), or None."""
        merged: dict[bytes, tuple] = {}
        offset = 0
        for text in unique:
            if text:
                key = (text.translate(_TO_ZERO), offset)
                template = self.binary_templates.get(key, False)
                if template is False:
                    template = self.binary_templates[key] = self._binary_template(text, offset)
                if template is None:
                    return None
                items, used = template
                for lexeme, a, b, positions in items:
                    _merge(merged, text[a:b].encode() if lexeme is None else lexeme, positions)
                offset += used
        return merged, offset

    def _binary_merged(self, own: dict, offset: int, shared: tuple) -> bytes | None:
        """The slow way: every lexeme merged (a shared part overlapping an earlier one)."""
        merged = dict(own)
        for text in shared:
            if text:
                lexemes, _encoded, items, used = self._binary_part(text, offset)
                if lexemes is None:
                    return None
                for lexeme, positions in items:
                    _merge(merged, lexeme, positions)
                offset += used
        body = b"".join([_b_lexeme(lexeme, positions) for lexeme, positions in merged.items()])
        return _b_length(len(body) + 4) + _b_length(len(merged)) + body

    def _binary_template(self, text: str, offset: int):
        """``_template`` as (lexeme bytes or None for a cut, cut start, cut end, positions)."""
        walked = self._walk(text, offset)
        if walked is None:
            return None
        items, used = walked
        return tuple((q if q is None else _unquote(q).encode(), a, b, at) for q, a, b, at in items), used

    def _binary_part(self, text: str, offset: int) -> tuple:
        """``_binary_shifted``, kept per (text, offset): a recurring text recurs at few offsets."""
        done = self.binary_rendered.get((text, offset))
        if done is None:
            done = self.binary_rendered[(text, offset)] = self._binary_shifted(text, offset)
        return done

    def _binary_shifted(self, text: str, offset: int) -> tuple:
        """A recurring text after ``offset`` positions: (its lexemes, their binary form, the
        (lexeme, positions) pairs, positions used), its own repeated lexemes merged."""
        relative = self.binary_relative.get(text, False)
        if relative is False:
            relative = self.binary_relative[text] = self._binary_relative(text)
        if relative is None:
            return None, b"", (), 0
        lexemes, items, used = relative
        shifted = tuple((lexeme, tuple([p + offset for p in positions])) for lexeme, positions in items)
        encoded = b"".join([_b_lexeme(lexeme, positions) for lexeme, positions in shifted])
        return lexemes, encoded, shifted, used

    def _binary_relative(self, text: str):
        """A recurring text's (lexemes, merged (lexeme, positions from 0) pairs, positions
        used), from its words' templates (kept per word, as ``_relative``)."""
        merged: dict[bytes, tuple] = {}
        used = 0
        for word in text.split(" "):
            piece = self.binary_pieces.get(word, False)
            if piece is False:
                piece = self.binary_pieces[word] = self._binary_template(word, 0)
            if piece is None:
                return None
            items, n = piece
            for lexeme, a, b, positions in items:
                _merge(merged, word[a:b].encode() if lexeme is None else lexeme, tuple([p + used for p in positions]))
            used += n
        return frozenset(merged), tuple(merged.items()), used

    def _shifted(self, text: str, offset: int) -> tuple:
        """A recurring text's vector after ``offset`` positions (its positions as a format)."""
        relative = self.relative.get(text, False)
        if relative is False:
            relative = self.relative[text] = self._relative(text)
        if relative is None:
            return None, 0
        pattern, positions, used = relative
        return pattern.format(*[p + offset for p in positions]), used

    def _relative(self, text: str):
        """A recurring text's vector from position 0 as a format (a {} for each position), its
        positions and the positions it uses, from its words' (each word's piece is kept: a
        correspondent's name is in the tail of its incoming and of its outgoing letters)."""
        pattern, positions, used = [], [], 0
        pieces = self.pieces
        for word in text.split(" "):
            piece = pieces.get(word)
            if piece is None:
                piece = pieces[word] = self._piece(word)
                if piece is None:
                    return None
            form, numbers, n = piece
            if form:
                pattern.append(form)
                positions += [p + used for p in numbers]
            used += n
        return " ".join(pattern), positions, used

    def _piece(self, word: str):
        """One word's (format, positions from 0, positions used), as _template places it."""
        if _HAS_DIGIT.search(word):
            shape = self.shapes.get(word.translate(_TO_ZERO))
            if shape is None:
                return None
            recipe, n = shape
            items = [(word[a:b] if quoted is None else quoted, positions) for quoted, a, b, positions in recipe]
        else:
            known = self.words.get(word)
            if known is None:
                return None
            items, n = known
        form = " ".join(
            f"'{quoted.replace('{', '{{').replace('}', '}}')}':" + ",".join(["{}"] * len(positions))
            for quoted, positions in items
        )
        return form, [p for _quoted, positions in items for p in positions], n


# --- Writing ---------------------------------------------------------------------------------
def _secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` that back no constraint."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.tablename, i.indexname
        """,
        [tables],
    )
    return list(cursor.fetchall())


def _next_ids(cursor, table: str, count: int) -> int:
    """Reserve ``count`` ids of ``table`` (PostgreSQL sequence or SQLite max): the first."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our table names
        current = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, current + count + 1])
        return current + 1
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
    return cursor.fetchone()[0] + 1


def _sync_sequences(cursor, tables: list[str]) -> None:
    if connection.vendor != "postgresql":
        return
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(COALESCE(MAX(id), 0), 1)) FROM {table}",  # noqa: S608
            [table],
        )


def _insert_many(cursor, key: str, rows) -> None:
    table, columns = TABLES[key]
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    rows = list(rows)
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])


def _copy(cursor, key: str, source, *, columns: tuple | None = None, binary: bool = False) -> None:
    table, default = TABLES[key]
    options = " (FORMAT binary)" if binary else ""
    cursor.copy_expert(
        f"COPY {table} ({', '.join(columns or default)}) FROM STDIN{options}", source, 1 << 20
    )  # size positional: the debug cursor takes no keyword


def _unescape(field: str) -> str | None:
    if field == NULL:
        return None
    if "\\" not in field:
        return field
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m[1], m[1]), field)


def _copy_rows(text: bytes) -> list[list]:
    """COPY text back into rows (the SQLite path)."""
    return [[_unescape(f) for f in line.split("\t")] for line in text.decode().splitlines()]


class _Clock:
    """Wall time (cumulative, as the report has always given it) and the CPU of each phase:
    this process, the worker processes, and the PostgreSQL backend when it runs here."""

    def __init__(self, report: VolumeReport):
        self.report = report
        self.started = time.monotonic()
        self.backend = None
        self.last = self._cpu()
        self.workers = 0.0
        self.backend_last = 0.0

    def attach(self, cursor) -> None:
        cursor.execute("SELECT pg_backend_pid()")
        path = f"/proc/{cursor.fetchone()[0]}/stat"
        if os.path.exists(path):
            self.backend = path
            self.last = self._cpu()

    def _cpu(self) -> tuple[float, float]:
        postgres = 0.0
        if self.backend:
            try:
                with open(self.backend) as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                postgres = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError, IndexError):
                postgres = 0.0
        return time.process_time(), postgres

    def step(self, name: str | None = None) -> None:
        """PostgreSQL's CPU since the last step, added to ``name`` (the load's statements)."""
        now = self._cpu()[1]
        if name is not None:
            steps = self.report.cpu.setdefault("postgres_by_statement", {})
            steps[name] = round(steps.get(name, 0.0) + now - self.backend_last, 2)
        self.backend_last = now

    def phase(self, name: str, *, cumulative=True) -> None:
        self.report.phases[name] = round(time.monotonic() - self.started, 2)
        now = self._cpu()
        self.report.cpu[name] = {
            "python": round(now[0] - self.last[0], 1),
            "workers": round(self.workers, 1),
            "postgres": round(now[1] - self.last[1], 1),
        }
        self.last = now
        self.workers = 0.0


# Workers generating the years on PostgreSQL (the main process streams them to COPY); 1: in
# this process, before the copy. Small loads are generated here.
WORKERS = int(os.environ.get("VOLUME_WORKERS", "0")) or min(2, os.cpu_count() or 1)
PARALLEL_FROM = 20_000
WORKER_NICENESS = int(os.environ.get("VOLUME_WORKER_NICENESS", "5"))


def seed_volume(
    *, mails: int, contacts: int | None = None, audiences: int = 0, seed: int = 1, stdout=None
) -> VolumeReport:
    """Add ``mails`` letters (and ``contacts`` correspondents) to the registers. The caller
    checks first that the database holds no real letter (``real_mail_count``)."""
    global _CONTEXT
    report = VolumeReport()
    clock = _Clock(report)
    rng = random.Random(seed)
    contacts = contacts if contacts is not None else max(200, mails // 10)
    postgres = connection.vendor == "postgresql"
    tables = [TABLES[k][0] for k in ("mail", "imputation", "grant", "event", "attachment", "recipient")]
    counts = dict.fromkeys(TABLES, 0)
    with transaction.atomic():
        cast = _ensure_cast(stdout)
        with connection.cursor() as cursor:
            if postgres:
                clock.attach(cursor)
                # Check now what the caller's transaction left deferred: the table changes below
                # are refused while trigger events are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    # Skip the deferred foreign-key triggers (millions of queued checks) for
                    # the rows generated here, which point only at rows that exist.
                    cursor.execute("SET LOCAL session_replication_role = replica")
                # Registrations wait for the load to finish; readers go on reading.
                cursor.execute(
                    f"LOCK TABLE {_table(RegisterCounter)}, {_table(Mail)}, {_table(Correspondent)} IN EXCLUSIVE MODE"
                )
            # Counters, locked like services._lock_counter: numbering continues each register.
            counters = {}
            for counter in RegisterCounter.objects.select_for_update():
                counters[(counter.register, counter.year)] = [
                    counter.last_number,
                    previous_chain_hash(counter.register, counter.year, counter.last_number + 1),
                ]
            first_corr = _next_ids(cursor, _table(Correspondent), contacts)
            corr_rows = _correspondent_rows(rng, contacts, first_corr, timezone.now())
            correspondents = [_Corr(r[0], r[1], r[3]) for r in corr_rows]
            report.correspondents = len(corr_rows)
            # Ids: at most 2 imputations per letter.
            first_mail = _next_ids(cursor, _table(Mail), mails)
            first_imputation = _next_ids(cursor, _table(Imputation), 2 * mails)
            first_number = 1 + min((last for last, _hash in counters.values()), default=0)
            _CONTEXT = context = _context(
                seed, rng, cast, correspondents, mails, not postgres, cursor if postgres else None, first_number
            )
            chunks = _year_chunks(context, first_mail - 1, first_imputation - 1, counters)
            clock.phase("cast")
            try:
                if postgres:
                    _load_postgres(cursor, chunks, corr_rows, tables, counts, clock, first_mail, first_imputation, cast)
                else:
                    _load_sqlite(cursor, chunks, corr_rows, counts, cast)
            finally:
                _CONTEXT = None
            for chunk in chunks:
                for register, (last_number, last_hash) in chunk[5].items():
                    if last_number or (register, chunk[0]) in counters:
                        defaults = {"last_number": last_number}
                        if last_number != (counters.get((register, chunk[0])) or [0])[0]:
                            # The last entry's hash kept, as the registration service keeps
                            # it: the next registration chains on it without a look-up.
                            defaults.update(last_hash=last_hash, last_hash_number=last_number)
                        RegisterCounter.objects.update_or_create(register=register, year=chunk[0], defaults=defaults)
            _sync_sequences(cursor, tables + [_table(Correspondent)])
        clock.phase("commit")
    # Outside the load's transaction, PostgreSQL's VACUUM (ANALYZE) of the tables written
    # (statistics for the planner, and the visibility map that index-only scans need: what
    # autovacuum would do some minutes later) runs while a thread, on its own connection,
    # records the audience requests; inside a caller's transaction, one after the other.
    alongside = postgres and not connection.in_atomic_block and audiences
    recorded: list = []

    def record_audiences() -> None:
        try:
            # The notices the services send (after each commit) go nowhere: volume data.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                recorded.append(_seed_audiences(rng, audiences, correspondents))
        except BaseException as exc:  # re-raised by the main thread
            recorded.append(exc)
        finally:
            if alongside:
                connection.close()  # this thread's own

    thread = threading.Thread(target=record_audiences, name="seed-volume-audiences") if alongside else None
    if thread is not None:
        thread.start()
    elif audiences:
        record_audiences()
    if postgres:
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        names = [TABLES[k][0] for k in TABLES]
        if connection.in_atomic_block:
            _vacuum(command, names)
        else:
            # Two connections (two backends, two cores): the letters on this one, the other
            # tables on a thread's own.
            done: list = []

            def others() -> None:
                try:
                    _vacuum(command, names[1:])
                except BaseException as exc:  # re-raised here
                    done.append(exc)
                finally:
                    connection.close()  # this thread's own

            helper = threading.Thread(target=others, name="seed-volume-vacuum")
            helper.start()
            _vacuum(command, names[:1])
            helper.join()
            if done:
                raise done[0]
        clock.phase("vacuum_analyze")
    if thread is not None:
        thread.join()
    if recorded:
        if isinstance(recorded[0], BaseException):
            raise recorded[0]
        report.audiences = recorded[0]
        clock.phase("audiences")
    # COPY on the raw connection is not seen by cabinet.freshness' write watch: move the data
    # generation by hand, so no cached count or right survives the load.
    freshness.bump()
    report.seconds = time.monotonic() - clock.started
    report.mails = counts["mail"]
    report.imputations = counts["imputation"]
    report.grants = counts["grant"]
    report.events = counts["event"]
    report.attachments = counts["attachment"]
    return report


def _vacuum(command: str, tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {table}")


def _started(chunks, workers: int, *, heard: dict | None = None):
    """``_generated``, its worker processes already started (close it whatever happens)."""
    years = _generated(chunks, workers, primed=True, heard=heard)
    next(years)
    return years


def _generated(chunks, workers: int, *, primed: bool = False, heard: dict | None = None):
    """The years generated, in order: by ``workers`` forked processes (year n by worker
    n mod workers), or here. ``primed``: None first, once the workers are started."""
    if workers < 2 or len(chunks) < 2:
        if primed:
            yield None
        for spec in chunks:
            yield from _generate_year(spec)
        return
    # Forked: the workers inherit the context and never touch the database connection (a
    # forked process ends with os._exit, which does not close it).
    fork = multiprocessing.get_context("fork")
    processes, pipes = [], []
    # What each worker sent, read as soon as it is sent (a thread here): a worker never waits
    # for the copy to reach its year, so the workers run ahead of PostgreSQL and keep the
    # second core busy while the backend copies (the parts wait here, in memory).
    received: list[list] = []
    arrived = threading.Condition()

    def read() -> None:
        live = dict(enumerate(pipes))
        while live:
            for pipe in multiprocessing.connection.wait(list(live.values())):
                n = pipes.index(pipe)
                try:
                    message = pipe.recv()
                except (EOFError, OSError):
                    message = ("eof", None)
                if message[0] in ("eof", "error"):
                    live.pop(n, None)
                if heard is not None:  # when the workers were last heard of (-v2)
                    heard["at"] = time.monotonic()
                with arrived:
                    received[n].append(message)
                    arrived.notify_all()

    reader = None
    try:
        for n in range(min(workers, len(chunks))):
            receiver, sender = fork.Pipe(duplex=False)
            process = fork.Process(target=_work, args=(chunks[n::workers], sender), daemon=True)
            process.start()
            sender.close()
            processes.append(process)
            pipes.append(receiver)
            received.append([])
        reader = threading.Thread(target=read, name="seed-volume-reader", daemon=True)
        reader.start()
        if primed:
            yield None
        for n in range(len(chunks)):
            queue = received[n % len(pipes)]
            while True:
                with arrived:
                    while not queue:
                        arrived.wait()
                    kind, value = queue.pop(0)
                if kind == "error":
                    raise value
                if kind == "eof":
                    raise RuntimeError("seed_volume: a worker process ended before its years were generated")
                if kind == "end":  # of the year
                    break
                yield value
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(10)
        if reader is not None:
            reader.join(10)  # every pipe at its end once the workers are gone
        for pipe in pipes:
            pipe.close()


def _work(specs, pipe) -> None:
    """A worker process: its years, in order, through ``pipe`` (or the error)."""
    # PostgreSQL's backend is the critical path: the workers use what CPU it leaves.
    os.nice(WORKER_NICENESS)
    try:
        for spec in specs:
            for part in _generate_year(spec):
                pipe.send(("part", part))
            pipe.send(("end", None))
    except BaseException as exc:  # re-raised by the main process
        try:
            pipe.send(("error", exc))
        except Exception:  # an exception that does not pickle
            pipe.send(("error", RuntimeError(repr(exc))))
    finally:
        pipe.close()


def _load_sqlite(cursor, chunks, corr_rows, counts, cast) -> None:
    """The same rows through executemany, the derived ones built here (as DERIVED_SQL does)."""
    _insert_many(cursor, "correspondent", corr_rows)
    mails, imputations, grants = [], [], []
    for chunk in _generated(chunks, 1):
        mails += _copy_rows(chunk.mails)
        imputations += _copy_rows(chunk.imputations)
        grants += _copy_rows(chunk.grants)
    labels = {value: str(label) for value, label in Instruction.choices}
    columns = {name: n for n, name in enumerate(MAIL_COLUMNS)}
    mail_id, register, reference, registered_at, registered_by, correspondent = (
        columns[name]
        for name in ("id", "register", "reference", "registered_at", "registered_by_id", "correspondent_id")
    )
    events = [(m[mail_id], m[registered_at], m[registered_by], REGISTERED, None, "{}", m[reference]) for m in mails]
    routed = {}  # (mail, assignee), in imputation order
    for imp in imputations:
        pk, mail, assignee, _unit, instruction, deadline, created, created_by = (
            imp[0], imp[1], imp[2], imp[3], imp[4], imp[5], imp[8], imp[9]
        )  # fmt: skip
        day = datetime.date.fromisoformat(deadline)
        events.append((mail, created, created_by, ROUTED, pk, "{}", f"{labels[instruction]}, échéance {day:%d/%m/%Y}"))
        if assignee is not None:
            routed[(mail, assignee)] = True
    grants += [(mail, cast.view_mail, assignee) for mail, assignee in routed]
    recipients = [(m[mail_id], m[correspondent]) for m in mails if m[register] == DEPART]
    attachments = [
        _attachment_row(int(m[mail_id]), m[reference], m[registered_at], m[registered_by])
        for m in mails
        if m[register] == ARRIVEE and int(m[mail_id]) % 20 < 17
    ]
    for key, rows in (
        ("mail", mails), ("imputation", imputations), ("grant", grants), ("event", events),
        ("attachment", attachments), ("recipient", recipients),
    ):  # fmt: skip
        _insert_many(cursor, key, rows)
        counts[key] += len(rows)


INDEX_POLICY = os.environ.get("VOLUME_INDEX_POLICY", "auto")


def _load_postgres(cursor, chunks, corr_rows, tables, counts, clock, first_mail, first_imputation, cast):
    """COPY the generated rows, derive the others in SQL, keep or rebuild the indexes."""
    report = clock.report
    mail_table = _table(Mail)
    cursor.execute("SELECT pg_current_wal_lsn()::text")
    wal_start = cursor.fetchone()[0]
    mails = sum(stop - start for _year, start, stop, *_rest in chunks)
    # Year by year as the workers finish them: the letters, their imputations and grants,
    # then the rows derived from them (PostgreSQL works on one year while the workers
    # generate the next ones). The workers start first: they generate while the indexes are
    # dropped and the correspondents copied.
    workers = WORKERS if mails >= PARALLEL_FROM else 1
    derived = [(s, next(k for k, (table, _c) in TABLES.items() if f"INTO {table} " in s)) for s in DERIVED_SQL]
    heard: dict = {}
    years = _started(chunks, workers, heard=heard)
    differing = 0
    dropped = []
    by_year = {chunk[0]: chunk for chunk in chunks}
    try:
        policy = INDEX_POLICY
        if policy == "auto":
            # From 50 000 letters the B-tree indexes are rebuilt after the copy (a sorted build,
            # in parallel workers, beats a million random insertions); the GIN indexes are kept
            # and fed during the copy (rebuilding the tsvector's costs the same 10 s of CPU, and a
            # GIN build is not parallel).
            policy = "btree" if mails >= 50_000 else "keep"
        if policy != "keep":
            dropped = _secondary_indexes(cursor, tables + [_table(Correspondent)])
            if policy in ("btree", "all"):
                # Partial indexes (cancelled letters, restricted ones, open imputations) take few
                # rows: fed during the load rather than rebuilt from a full scan (0.7 s at 1M).
                dropped = [(n, d) for n, d in dropped if " WHERE " not in d]
            if policy == "btree":
                dropped = [(n, d) for n, d in dropped if " USING gin " not in d]
            for name, _definition in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
            report.phases["dropped_indexes"] = len(dropped)
        _copy(cursor, "correspondent", io.StringIO("".join(_copy_line(r) + "\n" for r in corr_rows)))
        for chunk in years:
            by_year[chunk.year][5].update(chunk.counters)
            for key, value in chunk.counts.items():
                counts[key] = counts.get(key, 0) + value
            clock.workers += chunk.cpu
            clock.step()
            _copy(
                cursor,
                "mail",
                io.BytesIO(chunk.mails),
                columns=(*MAIL_COLUMNS, "search_vector"),
                binary=chunk.mails.startswith(_B_HEADER),
            )
            clock.step("copy_mail")
            _copy(cursor, "imputation", io.BytesIO(chunk.imputations))
            clock.step("copy_imputation")
            _copy(cursor, "grant", io.BytesIO(chunk.grants))
            clock.step("copy_grant")
            _copy(cursor, "attachment", io.BytesIO(chunk.attachments))
            clock.step("copy_attachment")
            params = {
                "mail": chunk.mail_ids[0],
                "last_mail": chunk.mail_ids[1],
                "imputation": chunk.imputation_ids[0],
                "last_imputation": chunk.imputation_ids[1],
                "view_mail": cast.view_mail,
            }
            for statement, key in derived:
                cursor.execute(statement, params)
                counts[key] += cursor.rowcount
                clock.step(f"derive_{key}")
            # The vectors assembled here, on a sample (the ids multiple of 97, looked up by
            # key: no scan of the table), against PostgreSQL's own: should one differ, every
            # letter's is recomputed by PostgreSQL after the copy (slow, but right).
            sample = list(range(-(-chunk.mail_ids[0] // 97) * 97, chunk.mail_ids[1] + 1, 97))
            if sample and not differing:
                cursor.execute(
                    f"SELECT count(*) FROM {mail_table} WHERE id = ANY(%s) AND search_vector IS NOT NULL "
                    f"AND search_vector IS DISTINCT FROM to_tsvector('{TS_CONFIG}', search_text)",
                    [sample],
                )
                differing = cursor.fetchone()[0]
                clock.step("vector_sample")
    finally:
        years.close()  # the workers stopped, whatever happened
    report.phases["vectors_by_postgres"] = counts.pop("vector_fallback", 0)
    if "at" in heard:  # the workers' last part handed over (the copy may still be behind)
        report.phases["generated"] = round(heard["at"] - clock.started, 2)
    if report.phases["vectors_by_postgres"]:
        # The letters whose vector was not assembled (a word PostgreSQL was not asked about)
        # have it computed here, as the app's SearchVector("search_text", config=...) does. No
        # trigger during the copy: a BEFORE ROW trigger makes COPY insert row by row instead
        # of in batches.
        cursor.execute(
            f"UPDATE {mail_table} SET search_vector = to_tsvector('{TS_CONFIG}', search_text) "
            "WHERE id >= %s AND search_vector IS NULL",
            [first_mail],
        )
    if differing:
        cursor.execute(
            f"UPDATE {mail_table} SET search_vector = to_tsvector('{TS_CONFIG}', search_text) WHERE id >= %s "
            f"AND search_vector IS DISTINCT FROM to_tsvector('{TS_CONFIG}', search_text)",
            [first_mail],
        )
        report.phases["vectors_recomputed"] = cursor.rowcount
    clock.phase("generate_copy_derive")
    clock.step()
    for _name, definition in dropped:
        cursor.execute(definition)
        clock.step("index_gin" if " USING gin " in definition else "index_btree")
    clock.phase("indexes")
    cursor.execute("SELECT pg_current_wal_lsn() - %s::pg_lsn", [wal_start])
    report.phases["wal_mb"] = round(cursor.fetchone()[0] / 2**20)


AUDIENCE_HOURS = (9, 10, 11, 15, 16)
PROGRAMMED_AUDIENCES = 120


def _seed_audiences(rng: random.Random, count: int, correspondents: list[_Corr]) -> int:
    """Audience requests recorded and programmed through the audiences app's own services
    (the agenda's overlap rules hold): the first ones in the coming weeks' slots, the others
    left as requests. Nothing if the app is not installed."""
    from django.apps import apps

    if not apps.is_installed("audiences"):
        return 0
    from audiences import services as audience_services
    from audiences.models import Place
    from cabinet.workdays import next_working_day

    User = get_user_model()
    chef = User.objects.get(username="chef-sp")
    place, _created = Place.objects.get_or_create(name="Bureau du ministre")
    tz = timezone.get_current_timezone()
    day = next_working_day(timezone.localdate() + datetime.timedelta(days=1))
    slots = []
    while len(slots) < min(count, PROGRAMMED_AUDIENCES):
        for hour in AUDIENCE_HOURS:
            slots.append(datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=tz))
        day = next_working_day(day + datetime.timedelta(days=1))
    for n in range(count):
        audience = audience_services.audience_request_create(
            by=chef,
            requester=Correspondent.objects.get(pk=correspondents[n % len(correspondents)].id),
            purpose=f"{ACTIONS[rng.randrange(len(ACTIONS))]} {TOPICS[rng.randrange(len(TOPICS))]}",
            wished_from=timezone.localdate() + datetime.timedelta(days=1 + n % 30),
        )
        if n < len(slots):
            audience_services.audience_programme(
                audience=audience,
                by=chef,
                starts_at=slots[n],
                ends_at=slots[n] + datetime.timedelta(minutes=40),
                place=place,
                confirm_warnings=True,
            )
    return count
