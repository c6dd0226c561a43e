"""Demo organisation and people (``python manage.py seed_demo``); also the test fixtures'
organisation, so that tests and demo speak of the same cabinet."""

from __future__ import annotations

import datetime
import functools
import os
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Mandate, OrgUnit, Position
from .roles import Role
from .services import holidays_seed

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Cabinet-Lome-2026")
MANDATES_START = datetime.date(2025, 9, 1)

UNITS = [
    # key, name, acronym, kind, parent key
    (
        "mae",
        "Ministère des affaires étrangères, de l'intégration régionale et des Togolais de l'extérieur",
        "MAE",
        OrgUnit.Kind.MINISTRY,
        None,
    ),
    ("cab", "Cabinet du ministre", "CAB", OrgUnit.Kind.CABINET, "mae"),
    ("sp", "Secrétariat particulier du ministre", "SP", OrgUnit.Kind.SECRETARIAT, "cab"),
    ("courrier", "Bureau du courrier du cabinet", "BC", OrgUnit.Kind.SECRETARIAT, "cab"),
    ("dpe", "Direction du protocole d'État", "DPE", OrgUnit.Kind.PROTOCOL, "mae"),
    ("daai", "Direction des affaires africaines et de l'intégration", "DAAI", OrgUnit.Kind.DIRECTION, "mae"),
    ("deam", "Direction Europe, Amériques et Asie", "DEAA", OrgUnit.Kind.DIRECTION, "mae"),
    ("doi", "Direction des organisations internationales", "DOI", OrgUnit.Kind.DIRECTION, "mae"),
    ("dajc", "Direction des affaires juridiques et consulaires", "DAJC", OrgUnit.Kind.DIRECTION, "mae"),
    ("scom", "Service de la communication", "SCOM", OrgUnit.Kind.SERVICE, "mae"),
    ("amb-paris", "Ambassade du Togo à Paris", "AMB-PARIS", OrgUnit.Kind.EXTERNAL, "mae"),
    ("amb-abuja", "Ambassade du Togo à Abuja", "AMB-ABUJA", OrgUnit.Kind.EXTERNAL, "mae"),
    ("mp-ny", "Mission permanente du Togo auprès des Nations unies", "MP-NY", OrgUnit.Kind.EXTERNAL, "mae"),
]

POSITIONS = [
    # key, title, role, unit key, domain
    ("ministre", "Ministre des affaires étrangères", Role.MINISTRE, "cab", ""),
    ("dircab", "Directeur de cabinet", Role.DIRECTEUR_CABINET, "cab", ""),
    ("attache", "Attaché de cabinet", Role.ATTACHE, "cab", ""),
    (
        "ct-afrique",
        "Conseiller technique chargé de l'Afrique et de l'intégration",
        Role.CONSEILLER,
        "cab",
        "Afrique et intégration régionale",
    ),
    (
        "ct-multi",
        "Conseiller technique chargé des affaires multilatérales",
        Role.CONSEILLER,
        "cab",
        "Organisations internationales et coopération multilatérale",
    ),
    ("chef-sp", "Chef du secrétariat particulier", Role.CHEF_SP, "sp", ""),
    ("agent-courrier", "Agent du courrier", Role.SECRETARIAT, "courrier", ""),
    ("agent-protocole", "Chargé des audiences au protocole d'État", Role.PROTOCOLE, "dpe", ""),
    ("dir-daai", "Directeur des affaires africaines et de l'intégration", Role.DIRECTEUR, "daai", ""),
    ("dir-doi", "Directeur des organisations internationales", Role.DIRECTEUR, "doi", ""),
]

PEOPLE = [
    # username, civility, first, last, title, position key
    ("ministre", "S.E.M.", "Yao Kossi", "AGBENOU", "Ministre des affaires étrangères", "ministre"),
    ("directeur", "M.", "Edem", "AKAKPO", "Directeur de cabinet", "dircab"),
    ("attache", "Mme", "Afi", "MENSAH", "Attachée de cabinet", "attache"),
    ("conseiller1", "M.", "Koffi", "DOGBE", "Conseiller technique", "ct-afrique"),
    ("conseiller2", "Mme", "Essi", "LAWSON", "Conseillère technique", "ct-multi"),
    ("chef-sp", "Mme", "Akouvi", "TCHALLA", "Chef du secrétariat particulier", "chef-sp"),
    ("secretariat", "M.", "Kodjo", "AHOSSOU", "Agent du courrier", "agent-courrier"),
    ("protocole", "M.", "Mawuli", "GBEDEY", "Chargé des audiences, protocole d'État", "agent-protocole"),
    ("dir-afrique", "M.", "Tchilabalo", "ESSO", "Directeur des affaires africaines et de l'intégration", "dir-daai"),
]


def ensure_admin_group() -> Group:
    group, _created = Group.objects.get_or_create(name=settings.CABINET_ADMIN_GROUP)
    labels = ["cabinet", "auth", "guardian", "axes", "otp_totp", *settings.CABINET_DOMAIN_APPS]
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=labels))
    return group


@transaction.atomic
def seed_organisation(*, password: str = DEMO_PASSWORD, with_admin: bool = True) -> dict:
    """Create (or find) the demo units, positions and people; returns people by username,
    plus ``units`` and ``positions`` dicts keyed as above."""
    User = get_user_model()
    units: dict[str, OrgUnit] = {}
    for key, name, acronym, kind, parent in UNITS:
        units[key], _created = OrgUnit.objects.get_or_create(
            name=name, parent=units.get(parent), defaults={"acronym": acronym, "kind": kind}
        )
    positions: dict[str, Position] = {}
    for key, title, role, unit, domain in POSITIONS:
        positions[key], _created = Position.objects.get_or_create(
            title=title, unit=units[unit], defaults={"kind": role, "domain": domain}
        )
    people: dict = {}
    # One hash for every demo account created (same password; PBKDF2 costs 0.18 s a hash,
    # 1.8 s for the cast: most of seed_volume's set-up on a new database).
    hashed = functools.cache(lambda: make_password(password))
    for username, civility, first, last, title, position in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "civility": civility,
                "first_name": first,
                "last_name": last,
                "title": title,
                "email": f"{username}@diplomatie.gouv.tg",
            },
        )
        if created:
            user.password = hashed()
            user.save(update_fields=["password"])
        if not Mandate.objects.filter(user=user, position=positions[position]).exists():
            Mandate.objects.create(
                user=user,
                position=positions[position],
                start_date=MANDATES_START,
                act_reference="Décret de nomination (démo)",
            )
        people[username] = user
    if with_admin:
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={
                "first_name": "Administrateur",
                "last_name": "CABINET",
                "email": "admin@diplomatie.gouv.tg",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created:
            admin.password = hashed()
            admin.save(update_fields=["password"])
        admin.groups.add(ensure_admin_group())
        people["admin"] = admin
    people["units"] = units
    people["positions"] = positions
    return people


def seed_all(*, stdout=None) -> dict:
    """The whole demo: calendar, organisation, then each domain app's ``demo.seed``."""
    today = datetime.date.today()
    holidays_seed(years=[today.year - 1, today.year, today.year + 1])
    people = seed_organisation()
    for app in settings.CABINET_DOMAIN_APPS:
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        module.seed(people=people, stdout=stdout)
    return people
