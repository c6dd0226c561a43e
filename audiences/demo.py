"""Demo data for ``seed_demo``: places, requests in every state and a month of audiences
around today, plus a few blocks. Idempotent: does nothing once audiences exist."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from correspondence.models import Correspondent

from . import services
from .models import Audience, AudienceEvent, AudienceState, Place, Unavailability
from .scheduling import buffer

PLACES = ["Bureau du ministre", "Salon d'honneur", "Salle de conférence du cabinet", "Salon VIP de l'aéroport"]

REQUESTERS = [
    ("Ambassade de France au Togo", Correspondent.Kind.EMBASSY, "", "France"),
    ("Ambassade de la République fédérale du Nigeria", Correspondent.Kind.EMBASSY, "", "Nigeria"),
    ("Ambassade du Ghana", Correspondent.Kind.EMBASSY, "", "Ghana"),
    ("Programme des Nations unies pour le développement", Correspondent.Kind.INTERNATIONAL, "PNUD", ""),
    ("Commission de la CEDEAO", Correspondent.Kind.INTERNATIONAL, "CEDEAO", ""),
    ("Union africaine", Correspondent.Kind.INTERNATIONAL, "UA", ""),
    ("Ambassade de la République populaire de Chine", Correspondent.Kind.EMBASSY, "", "Chine"),
    ("Association des Togolais de l'extérieur", Correspondent.Kind.NGO, "ATE", "Togo"),
]

PURPOSES = [
    "Présentation des copies figurées des lettres de créance",
    "Préparation de la commission mixte de coopération",
    "Point sur la sécurité dans le golfe de Guinée",
    "Programme de coopération 2027-2030",
    "Visite de courtoisie du nouveau représentant résident",
    "Préparation du sommet des chefs d'État",
    "Signature d'un mémorandum d'entente",
    "Doléances de la diaspora",
]


DELEGATES = [
    ("M. Jean-Marc Duval", "française"),
    ("S.E. Mme Ngozi Okafor", "nigériane"),
    ("M. Kwabena Asante", "ghanéenne"),
    ("Mme Aïssatou Diallo", "sénégalaise"),
    ("M. Li Wei", "chinoise"),
    ("Dr Omar Touray", "gambienne"),
    ("Mme Abla Kpodar", "togolaise"),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _working_days(start: datetime.date, count: int) -> list[datetime.date]:
    from cabinet.workdays import is_working_day

    days, day = [], start
    while len(days) < count:
        if is_working_day(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


@transaction.atomic
def seed(*, people: dict, stdout=None) -> None:
    places = [Place.objects.get_or_create(name=name)[0] for name in PLACES]
    if Audience.objects.exists():
        return
    requesters = [
        Correspondent.objects.get_or_create(name=name, defaults={"kind": kind, "acronym": acr, "country": country})[0]
        for name, kind, acr, country in REQUESTERS
    ]
    attache, secretariat, protocole = people["attache"], people["secretariat"], people["protocole"]
    conseillers = [people["conseiller1"], people["conseiller2"]]
    today = timezone.localdate()

    def request(i: int, **extra) -> Audience:
        return services.audience_request_create(
            by=secretariat if i % 2 else attache,
            requester=requesters[i % len(requesters)],
            purpose=PURPOSES[i % len(PURPOSES)],
            wished_from=today,
            wished_until=today + datetime.timedelta(days=30),
            participants=[
                {
                    "name": DELEGATES[i % len(DELEGATES)][0],
                    "title": "Chef de délégation",
                    "nationality": DELEGATES[i % len(DELEGATES)][1],
                },
                {
                    "name": DELEGATES[(i + 3) % len(DELEGATES)][0],
                    "title": "Conseiller(ère)",
                    "nationality": DELEGATES[(i + 3) % len(DELEGATES)][1],
                },
            ],
            languages="français, anglais" if i % 3 == 0 else "français",
            interpreter_needed=i % 3 == 0,
            **extra,
        )

    # Requests waiting for a decision.
    request(0)
    services.audience_study(audience=request(1), by=attache)
    services.audience_accept(audience=request(2), by=attache)
    services.audience_refuse(audience=request(3), by=attache, reason="Le ministre sera en mission à ces dates.")

    # A month of audiences: past ones held, upcoming ones programmed or confirmed.
    days = _working_days(today - datetime.timedelta(days=10), 22)
    for n, day in enumerate(days):
        audience = request(10 + n, is_confidential=(n % 9 == 4))
        starts = _at(day, 9 + (n % 3) * 2, 30 if n % 2 else 0)
        ends = starts + datetime.timedelta(minutes=45)
        if starts < timezone.now():
            _seed_past(audience, starts, ends, places[n % len(places)], attache, protocole)
            continue
        services.audience_programme(
            audience=audience,
            by=attache,
            starts_at=starts,
            ends_at=ends,
            place=places[n % 2],
            attendees=[conseillers[n % 2]],
            confirm_warnings=True,
            needs_interpreter=audience.interpreter_needed,
            needs_press=n % 4 == 0,
            protocol_notes="Accueil au pied de l'escalier d'honneur." if n % 3 == 0 else "",
        )
        if n % 3 != 2 and not audience.is_confidential:
            services.audience_confirm(audience=audience, by=protocole)
        if n % 7 == 6:
            services.audience_cancel(audience=audience, by=attache, reason="Empêchement du demandeur.")
        elif n % 7 == 5:
            services.audience_cancel(
                audience=audience, by=attache, reason="Le ministre accompagne le chef de l'État.", postpone=True
            )

    # Blocks: the Conseil des ministres on Wednesdays, one trip.
    for day in days:
        if day.weekday() == 2 and _at(day, 15) > timezone.now():
            services.unavailability_create(
                by=attache,
                title="Conseil des ministres",
                kind=Unavailability.Kind.COUNCIL,
                starts_at=_at(day, 15),
                ends_at=_at(day, 18),
            )
    if stdout:
        stdout.write(f"audiences: {Audience.objects.count()} demandes et audiences")


def _seed_past(audience: Audience, starts, ends, place, attache, protocole) -> None:
    """Past audiences are written directly (services refuse to programme in the past)."""
    from .models import AgendaSlot

    audience.state = AudienceState.HELD
    audience.starts_at, audience.ends_at, audience.place = starts, ends, place
    audience.programmed_at = starts - datetime.timedelta(days=5)
    audience.confirmed_at, audience.confirmed_by = starts - datetime.timedelta(days=3), protocole
    audience.report_requested_at = ends
    audience.save()
    AgendaSlot.objects.create(audience=audience, starts_at=starts, ends_at=ends, occupied_until=ends + buffer())
    for kind, at, actor in (
        (AudienceEvent.Kind.PROGRAMMED, audience.programmed_at, attache),
        (AudienceEvent.Kind.CONFIRMED, audience.confirmed_at, protocole),
        (AudienceEvent.Kind.HELD, ends, attache),
    ):
        AudienceEvent.objects.create(audience=audience, kind=kind, actor=actor, at=at)
