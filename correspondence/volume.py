"""Realistic, reproducible volume for the correspondence register (``seed_volume``).

Ten years of incoming and outgoing letters from a directory of correspondents, routed to
advisers and directions with deadlines and states, a share of confidential and secret mail
with its row-level grants (guardian's direct-FK table), scans' metadata, the timeline's first
events. Numbers continue each register's counter (per year, without gap) and every entry is
chained exactly as ``services._register`` does (``Mail.compute_chain_hash`` and
``services.previous_chain_hash`` are reused, not copied), so ``verify_register`` passes.

On PostgreSQL the rows are streamed with COPY inside one transaction: for large loads the B-tree
secondary indexes of the tables written are dropped first and re-created, identical
(``pg_indexes.indexdef``), before the commit (the GIN indexes are fed during the copy), and
foreign-key triggers are skipped for the load when the role may do so (the rows are generated
consistent). If anything fails, the transaction rolls back: the database is left
as it was. On SQLite (tests, small sizes) the same rows go through ``executemany``.

Volume letters are registered by the ``volume-greffe`` account: a database whose letters were
all registered by it or by the demo accounts holds no real letter (see ``real_mail_count``).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import random
import re
import threading
import time
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from queue import Queue

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

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

    @property
    def mails_per_second(self) -> float:
        return self.mails / self.seconds if self.seconds else 0.0


class _Entry:
    """The registered fields of one generated entry; hashed by the model's own methods."""

    HASHED_FIELDS = Mail.HASHED_FIELDS
    hashed_payload = Mail.hashed_payload
    compute_chain_hash = Mail.compute_chain_hash
    build_search_text = Mail.build_search_text
    __slots__ = (
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
        "correspondent",
        "keywords",
    )


class _Corr:
    __slots__ = ("id", "name", "acronym", "normal")

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
# server-side, from the rows just copied (ids >= %(mail)s / %(imputation)s). Same rows as the
# Python path above.
DERIVED_SQL = [
    f"""INSERT INTO {TABLES["event"][0]} ({", ".join(EVENT_COLUMNS)})
        SELECT id, registered_at, registered_by_id, '{REGISTERED}', NULL, '{{}}', reference
        FROM {TABLES["mail"][0]} WHERE id >= %(mail)s ORDER BY id""",
    f"""INSERT INTO {TABLES["event"][0]} ({", ".join(EVENT_COLUMNS)})
        SELECT mail_id, created_at, created_by_id, '{ROUTED}', id, '{{}}',
               CASE instruction {_LABEL_CASE} END
               || ', échéance ' || to_char(deadline, 'DD/MM/YYYY')
        FROM {TABLES["imputation"][0]} WHERE id >= %(imputation)s ORDER BY id""",
    f"""INSERT INTO {TABLES["recipient"][0]} ({", ".join(RECIPIENT_COLUMNS)})
        SELECT id, correspondent_id FROM {TABLES["mail"][0]}
        WHERE id >= %(mail)s AND register = '{DEPART}' ORDER BY id""",
    f"""INSERT INTO {TABLES["attachment"][0]} ({", ".join(ATTACHMENT_COLUMNS)})
        SELECT id, '{SCAN}', 'correspondence/volume/' || lpad(id::text, 8, '0') || '.pdf', reference || '.pdf',
               'application/pdf', 40000 + (id * 7919) %% 2000000, encode(sha256(id::text::bytea), 'hex'),
               registered_at, registered_by_id
        FROM {TABLES["mail"][0]} WHERE id >= %(mail)s AND register = '{ARRIVEE}' AND id %% 20 < 17 ORDER BY id""",
    f"""INSERT INTO {TABLES["grant"][0]} ({", ".join(GRANT_COLUMNS)})
        SELECT DISTINCT mail_id, %(view_mail)s, assignee_id FROM {TABLES["imputation"][0]}
        WHERE id >= %(imputation)s AND assignee_id IS NOT NULL""",
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
@dataclass
class _Ids:
    mail: int
    imputation: int
    corr: int


class _Generator:
    """Yields the rows of ``count`` entries, in registration order."""

    def __init__(
        self, *, rng, cast: _Cast, correspondents: list[_Corr], count: int, counters: dict, ids: _Ids, derive: bool
    ):
        self.derive_in_python = derive
        self.rng = rng
        self.cast = cast
        self.correspondents = correspondents
        self.count = count
        self.counters = counters  # (register, year) -> [last_number, last_hash]
        self.ids = ids
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        # Correspondents: a few write very often (Zipf-like over the directory).
        n = len(correspondents)
        self.corr_cumulative = list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(n)))
        self.normal_cache: dict[str, str] = {}
        self.priority = _Picker([("normale", 80), ("urgente", 15), ("tres_urgente", 5)])
        self.confidentiality = _Picker([("ordinaire", 90), ("confidentiel", 8), ("secret", 2)])
        self.instruction = _Picker(
            [
                (Instruction.ATTRIBUTION.value, 50),
                (Instruction.AVIS.value, 20),
                (Instruction.SUITE.value, 15),
                (Instruction.INFORMATION.value, 10),
                (Instruction.SIGNATURE.value, 5),
            ]
        )
        self.old_in = _Picker(MAIL_STATE_OLD_IN)
        self.old_out = _Picker(MAIL_STATE_OLD_OUT)
        self.instruction_labels = {value: str(label) for value, label in Instruction.choices}

    def _normal(self, text: str) -> str:
        cached = self.normal_cache.get(text)
        if cached is None:
            if text.isascii():
                # What normalise() does to ASCII text (nothing to decompose), without the cache:
                # references are unique.
                return " ".join(text.lower().split())
            cached = self.normal_cache[text] = normalise(text)
        return cached

    def timestamps(self) -> list[datetime.datetime]:
        """Registration times over ``YEARS`` years up to an hour ago, office hours, weekdays."""
        rng = self.rng
        start = datetime.datetime(self.today.year - YEARS + 1, 1, 1, tzinfo=datetime.UTC).timestamp()
        end = (self.now - datetime.timedelta(hours=1)).timestamp()
        stamps = []
        for _n in range(self.count):
            t = datetime.datetime.fromtimestamp(rng.uniform(start, end), tz=datetime.UTC)
            if t.weekday() >= 5:
                t -= datetime.timedelta(days=t.weekday() - 4)
            t = t.replace(hour=7 + (t.hour % 11), microsecond=0)
            if t > self.now - datetime.timedelta(minutes=5):
                t = self.now - datetime.timedelta(minutes=5 + rng.randrange(600))
            stamps.append(t)
        stamps.sort()
        return stamps

    def rows(self, sink) -> None:
        """Call ``sink(table_key, row)`` for every row, entry by entry."""
        rng = self.rng
        cast = self.cast
        corrs = self.correspondents
        corr_cum = self.corr_cumulative
        corr_total = corr_cum[-1]
        counters = self.counters
        mail_id = self.ids.mail
        imputation_id = self.ids.imputation
        registrar = cast.registrar
        recent = self.now - datetime.timedelta(days=60)
        old = self.now - datetime.timedelta(days=120)
        for registered_at in self.timestamps():
            local = registered_at.astimezone(self.tz)
            local_date = local.date()
            register = ARRIVEE if rng.random() < 0.6 else DEPART
            incoming = register == ARRIVEE
            year = local.year
            state = counters.get((register, year))
            if state is None:
                state = counters[(register, year)] = [0, previous_chain_hash(register, year, 1)]
            number = state[0] + 1
            corr = corrs[bisect(corr_cum, rng.random() * corr_total)]
            entry = _Entry()
            entry.register = register
            entry.year = year
            entry.number = number
            entry.reference = format_reference(register, year, number)
            entry.administrative_reference = "" if incoming else format_administrative_reference(year, number)
            entry.registered_at = registered_at
            entry.registered_by_id = registrar
            entry.correspondent_id = corr.id
            entry.correspondent = corr
            action = ACTIONS[rng.randrange(len(ACTIONS))]
            topic = TOPICS[rng.randrange(len(TOPICS))]
            subject = f"{action} {topic}"
            if rng.random() < 0.3:
                subject += f" ({COUNTRIES[rng.randrange(len(COUNTRIES))][0]})"
            if rng.random() < RARE_RATE:
                subject += f" — {RARE_WORD} des côtes"
            entry.subject = subject
            entry.kind_id = cast.kinds(rng)
            if incoming:
                arrival = local_date - datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
                entry.arrival_date = arrival
                entry.letter_date = arrival - datetime.timedelta(days=rng.randrange(15))
                entry.sender_reference = (
                    f"N° {rng.randrange(1, 3000)}/{corr.acronym or 'REF'}/{year % 100:02d}"
                    if rng.random() < 0.7
                    else ""
                )
            else:
                entry.arrival_date = None
                entry.letter_date = local_date
                entry.sender_reference = ""
            entry.keywords = KEYWORDS[rng.randrange(len(KEYWORDS))] if rng.random() < 0.25 else ""
            chain_hash = entry.compute_chain_hash(state[1])
            state[0] = number
            state[1] = chain_hash

            priority = self.priority(rng)
            confidentiality = self.confidentiality(rng)
            cancelled = rng.random() < 0.003
            is_recent = registered_at > recent
            is_old = registered_at < old
            # Search text exactly as build_search_text, with the parts normalised once each.
            parts = [
                entry.reference,
                entry.administrative_reference,
                entry.sender_reference,
                subject,
                entry.keywords,
                corr.name,
                corr.acronym,
            ]
            if not incoming:
                parts += [corr.name]  # outgoing: the recipients are searched too
            search_text = " ".join(n for n in (self._normal(p) if p else "" for p in parts) if n)

            imputations = []
            if incoming and (not is_recent or rng.random() < 0.8):
                for _k in range(1 if rng.random() < 0.8 else 2):
                    imputation_id += 1
                    to_unit = confidentiality != "secret" and rng.random() < 0.3
                    created = registered_at + datetime.timedelta(hours=rng.randrange(1, 48))
                    deadline = created.astimezone(self.tz).date() + datetime.timedelta(
                        days={"normale": 14, "urgente": 5, "tres_urgente": 1}[priority]
                    )
                    if deadline.weekday() >= 5:
                        deadline += datetime.timedelta(days=7 - deadline.weekday())
                    if is_old:
                        imputation_state = "terminee" if rng.random() > 0.01 else "en_attente"
                    elif is_recent:
                        imputation_state = ("en_attente", "accusee", "terminee")[rng.randrange(3)]
                    else:
                        imputation_state = "terminee" if rng.random() > 0.1 else "accusee"
                    imputations.append(
                        (
                            imputation_id,
                            None if to_unit else cast.advisers(rng),
                            cast.units[rng.randrange(len(cast.units))] if to_unit else None,
                            self.instruction(rng),
                            deadline,
                            imputation_state,
                            created,
                        )
                    )
            if incoming:
                if not imputations:
                    mail_state = "enregistre"
                elif is_old:
                    mail_state = self.old_in(rng)
                elif any(i[5] == "accusee" for i in imputations):
                    mail_state = "en_traitement"
                else:
                    mail_state = "impute"
            else:
                mail_state = self.old_out(rng) if is_old else "enregistre"
            mail_id += 1
            sink(
                "mail",
                (
                    mail_id,
                    register,
                    year,
                    number,
                    entry.reference,
                    entry.administrative_reference,
                    registered_at,
                    registrar,
                    entry.arrival_date,
                    entry.letter_date,
                    entry.sender_reference,
                    corr.id,
                    subject,
                    entry.kind_id,
                    cast.channels(rng) if incoming else None,
                    1 + rng.randrange(12),
                    rng.randrange(4),
                    priority,
                    confidentiality,
                    entry.keywords,
                    mail_state,
                    registered_at + datetime.timedelta(days=rng.randrange(30)) if is_old else registered_at,
                    None if incoming else cast.signatories[rng.randrange(2)],
                    None if incoming else local_date,
                    registered_at + datetime.timedelta(hours=2) if cancelled else None,
                    registrar if cancelled else None,
                    "Erreur d'enregistrement (doublon)" if cancelled else "",
                    chain_hash,
                    search_text,
                ),
            )
            derive = self.derive_in_python
            if derive:
                # The same rows as DERIVED_SQL builds on PostgreSQL (keep both in step).
                sink("event", (mail_id, registered_at, registrar, REGISTERED, None, "{}", entry.reference))
                if not incoming:
                    sink("recipient", (mail_id, corr.id))
                elif mail_id % 20 < 17:
                    sink("attachment", _attachment_row(mail_id, entry.reference, registered_at, registrar))
            granted = set()
            for pk, assignee, unit, instruction, deadline, imputation_state, created in imputations:
                done = imputation_state == "terminee"
                acknowledged = imputation_state in ("accusee", "terminee")
                sink(
                    "imputation",
                    (
                        pk,
                        mail_id,
                        assignee,
                        unit,
                        instruction,
                        deadline,
                        "",
                        imputation_state,
                        created,
                        cast.signatories[1],
                        created + datetime.timedelta(hours=3) if acknowledged else None,
                        (assignee or registrar) if acknowledged else None,
                        "",
                        created + datetime.timedelta(days=3) if done else None,
                        (assignee or registrar) if done else None,
                    ),
                )
                if derive:
                    label = self.instruction_labels[instruction]
                    text = f"{label}, échéance {deadline:%d/%m/%Y}"
                    sink("event", (mail_id, created, cast.signatories[1], ROUTED, pk, "{}", text))
                if assignee is not None and assignee not in granted:
                    granted.add(assignee)
                    if derive:
                        sink("grant", (mail_id, cast.view_mail, assignee))
            if confidentiality == "secret" and rng.random() < 0.5:
                # A secret letter explicitly opened to one more adviser.
                extra = cast.advisers(rng)
                if extra not in granted:
                    sink("grant", (mail_id, cast.view_mail, extra))
        self.ids.mail = mail_id
        self.ids.imputation = imputation_id


# --- Writing ---------------------------------------------------------------------------------
class _QueueReader(io.TextIOBase):
    """A file-like over a queue of text chunks (None ends it): what COPY reads while the
    generator thread is still producing."""

    def __init__(self, queue: Queue):
        self.queue = queue
        self.done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        # One whole chunk per call, whatever ``size``: COPY sends what it gets, and slicing
        # megabytes of text into 8 KiB pieces would cost more than generating it.
        if self.done:
            return ""
        chunk = self.queue.get()
        if chunk is None:
            self.done = True
            return ""
        return chunk

    readline = read


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


def _insert_many(cursor, key: str, rows: list) -> None:
    table, columns = TABLES[key]
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])


def _copy(cursor, key: str, source, *, table: str | None = None) -> None:
    target, columns = TABLES[key]
    cursor.copy_expert(f"COPY {table or target} ({', '.join(columns)}) FROM STDIN", source)


def _log(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def seed_volume(
    *, mails: int, contacts: int | None = None, audiences: int = 0, seed: int = 1, stdout=None
) -> VolumeReport:
    """Add ``mails`` letters (and ``contacts`` correspondents) to the registers. The caller
    checks first that the database holds no real letter (``real_mail_count``)."""
    started = time.monotonic()
    report = VolumeReport()
    rng = random.Random(seed)
    contacts = contacts if contacts is not None else max(200, mails // 10)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        cast = _ensure_cast(stdout)
        report.phases["cast"] = round(time.monotonic() - started, 2)
        with connection.cursor() as cursor:
            if postgres:
                # Check now what the caller's transaction left deferred: the table changes below
                # are refused while trigger events are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
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
            now = timezone.now()
            first_corr = _next_ids(cursor, _table(Correspondent), contacts)
            corr_rows = _correspondent_rows(rng, contacts, first_corr, now)
            correspondents = [_Corr(r[0], r[1], r[3]) for r in corr_rows]
            report.correspondents = len(corr_rows)
            # Ids: at most 2 imputations per letter.
            first_mail = _next_ids(cursor, _table(Mail), mails)
            first_imputation = _next_ids(cursor, _table(Imputation), 2 * mails)
            ids = _Ids(mail=first_mail - 1, imputation=first_imputation - 1, corr=first_corr)
            generator = _Generator(
                rng=rng,
                cast=cast,
                correspondents=correspondents,
                count=mails,
                counters=counters,
                ids=ids,
                derive=not postgres,
            )
            tables = [TABLES[k][0] for k in ("mail", "imputation", "grant", "event", "attachment", "recipient")]
            counts = dict.fromkeys(TABLES, 0)
            if postgres:
                _load_postgres(
                    cursor, generator, corr_rows, tables, counts, report, started, first_mail, first_imputation, cast
                )
            else:
                _insert_many(cursor, "correspondent", corr_rows)
                buffers = {k: [] for k in TABLES if k != "correspondent"}

                adapt = connection.ops.adapt_datetimefield_value

                def sink(key, row):
                    counts[key] += 1
                    buffers[key].append([adapt(v) if isinstance(v, datetime.datetime) else v for v in row])

                generator.rows(sink)
                for key, rows in buffers.items():
                    _insert_many(cursor, key, rows)
            for (register, year), (last_number, _hash) in counters.items():
                RegisterCounter.objects.update_or_create(
                    register=register, year=year, defaults={"last_number": last_number}
                )
            _sync_sequences(cursor, tables + [_table(Correspondent)])
        report.seconds = time.monotonic() - started
    if audiences:
        audiences_started = time.monotonic()
        # The notices the services send (after each commit) go nowhere: these are volume data.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            report.audiences = _seed_audiences(rng, audiences, correspondents)
        report.phases["audiences"] = round(time.monotonic() - audiences_started, 2)
    if postgres:
        # Statistics for the planner, and the visibility map that index-only scans need (what
        # autovacuum would do some minutes later); VACUUM only outside a transaction.
        analyze_started = time.monotonic()
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in [TABLES[k][0] for k in TABLES]:
                cursor.execute(f"{command} {table}")
        report.phases["vacuum_analyze"] = round(time.monotonic() - analyze_started, 2)
        report.seconds += time.monotonic() - analyze_started
    report.mails = counts["mail"]
    report.imputations = counts["imputation"]
    report.grants = counts["grant"]
    report.events = counts["event"]
    report.attachments = counts["attachment"]
    return report


INDEX_POLICY = os.environ.get("VOLUME_INDEX_POLICY", "auto")


def _load_postgres(cursor, generator, corr_rows, tables, counts, report, started, first_mail, first_imputation, cast):
    """COPY the generated rows, derive the others in SQL, keep or rebuild the indexes."""
    mail_table = _table(Mail)
    dropped = []
    policy = INDEX_POLICY
    if policy == "auto":
        # From 50 000 letters the B-tree indexes are rebuilt after the copy (a sorted build,
        # in parallel workers, beats a million random insertions); the two GIN indexes are
        # kept and fed during the copy, on PostgreSQL's core, while Python generates on the
        # other (1 000 000 letters: 166 s this way, 249 s rebuilding every index).
        policy = "btree" if generator.count >= 50_000 else "keep"
    if policy != "keep":
        dropped = _secondary_indexes(cursor, tables + [_table(Correspondent)])
        if policy == "btree":
            dropped = [(n, d) for n, d in dropped if " USING gin " not in d]
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        report.phases["dropped_indexes"] = len(dropped)
    _copy(cursor, "correspondent", io.StringIO("".join(_copy_line(r) + "\n" for r in corr_rows)))
    # The tsvector is computed by PostgreSQL while the rows stream in (as the app's
    # SearchVector("search_text", config="french_unaccent") does), on the server's core,
    # while this process generates the next rows on the other.
    cursor.execute(
        """CREATE FUNCTION volume_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN NEW.search_vector := to_tsvector('french_unaccent', NEW.search_text); RETURN NEW; END $$"""
    )
    cursor.execute(
        f"CREATE TRIGGER volume_search_vector BEFORE INSERT ON {mail_table} "
        "FOR EACH ROW EXECUTE FUNCTION volume_search_vector()"
    )
    cursor.execute(f"ALTER TABLE {mail_table} ENABLE ALWAYS TRIGGER volume_search_vector")
    queue: Queue = Queue(maxsize=8)
    buffers = {k: [] for k in TABLES if k not in ("mail", "correspondent")}
    pending: list[str] = []
    failure: list[BaseException] = []

    def sink(key, row):
        counts[key] += 1
        if key == "mail":
            pending.append(_copy_line(row))
            if len(pending) >= 2000:
                queue.put("\n".join(pending) + "\n")
                pending.clear()
        else:
            buffers[key].append(_copy_line(row))

    def produce():
        try:
            generator.rows(sink)
            if pending:
                queue.put("\n".join(pending) + "\n")
        except BaseException as exc:  # re-raised by the caller's thread
            failure.append(exc)
        finally:
            queue.put(None)

    producer = threading.Thread(target=produce, name="seed-volume-generator")
    producer.start()
    try:
        _copy(cursor, "mail", _QueueReader(queue))
    finally:
        producer.join()
    if failure:
        raise failure[0]
    cursor.execute(f"DROP TRIGGER volume_search_vector ON {mail_table}")
    cursor.execute("DROP FUNCTION volume_search_vector()")
    report.phases["generate_and_copy_mail"] = round(time.monotonic() - started, 2)
    for key, lines in buffers.items():
        if lines:
            _copy(cursor, key, io.StringIO("\n".join(lines) + "\n"))
        lines.clear()
    report.phases["copy_imputations"] = round(time.monotonic() - started, 2)
    params = {"mail": first_mail, "imputation": first_imputation, "view_mail": cast.view_mail}
    for statement in DERIVED_SQL:
        cursor.execute(statement, params)
        key = next(k for k, (table, _c) in TABLES.items() if f"INTO {table} " in statement)
        counts[key] += cursor.rowcount
    report.phases["derive"] = round(time.monotonic() - started, 2)
    for _name, definition in dropped:
        cursor.execute(definition)
    report.phases["indexes"] = round(time.monotonic() - started, 2)


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
