"""Demo data of the delegations app (``seed_demo``): an arrêté in force for the directeur,
a revoked one, letters waiting in the signature book, and directives in each state.
Idempotent: what exists already is left as it is."""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import delegation_services, directive_services, services
from .defaults import act_categories_ensure
from .models import Delegation, Directive, SignatureItem, Transmission

REVOKED_NUMBER = "2025-012/MAE/CAB"
IN_FORCE_NUMBER = "2025-031/MAE/CAB"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def seed(*, people: dict, stdout=None) -> None:
    ministre, directeur = people["ministre"], people["directeur"]
    categories = act_categories_ensure()
    delegable = [c for c in categories.values() if c.is_delegable]
    start = datetime.date(2025, 9, 1)

    if not Delegation.objects.filter(number=REVOKED_NUMBER).exists():
        old = delegation_services.delegation_create(
            actor=people["attache"],
            number=REVOKED_NUMBER,
            signed_on=start + datetime.timedelta(days=1),
            delegator=ministre,
            delegate=directeur,
            categories=[categories["correspondance-courante"]],
            valid_from=start + datetime.timedelta(days=2),
        )
        delegation_services.delegation_put_in_force(
            delegation=old,
            actor=people["attache"],
            publication_reference="Bulletin officiel du MAE n° 17",
            published_on=start + datetime.timedelta(days=2),
        )
        delegation_services.delegation_revoke(
            delegation=old,
            actor=people["attache"],
            reference="Arrêté n° 2025-030/MAE/CAB",
            revoked_on=start + datetime.timedelta(days=14),
            reason="Remplacé par un arrêté au champ élargi (n° 2025-031/MAE/CAB).",
        )
        _say(stdout, f"  arrêté {REVOKED_NUMBER} (abrogé)\n")
    if not Delegation.objects.filter(number=IN_FORCE_NUMBER).exists():
        current = delegation_services.delegation_create(
            actor=people["attache"],
            number=IN_FORCE_NUMBER,
            signed_on=start + datetime.timedelta(days=14),
            delegator=ministre,
            delegate=directeur,
            categories=delegable,
            valid_from=start + datetime.timedelta(days=15),
            is_conditional=True,
        )
        delegation_services.delegation_put_in_force(
            delegation=current,
            actor=people["attache"],
            publication_reference="Journal officiel de la République togolaise n° 48",
            published_on=start + datetime.timedelta(days=15),
        )
        _say(stdout, f"  arrêté {IN_FORCE_NUMBER} (en vigueur, conditionnel)\n")

    letters = [
        (
            people["conseiller1"],
            "correspondance-courante",
            "Réponse à l'Ambassade du Ghana : réunion de la commission mixte",
            [people["conseiller2"], directeur],
        ),
        (people["conseiller2"], "notes-verbales", "Note verbale à la Mission permanente : candidature du Togo", []),
        (people["attache"], "ordres-de-mission", "Ordre de mission : délégation à Abuja (CEDEAO)", []),
        (people["conseiller1"], "traites-accords", "Accord de coopération consulaire Togo–Bénin", [directeur]),
    ]
    for drafter, code, title, visas in letters:
        if SignatureItem.objects.filter(title=title).exists():
            continue
        services.signature_item_submit(
            drafter=drafter,
            category=categories[code],
            title=title,
            body=(
                "Monsieur l'Ambassadeur,\n\nJ'ai l'honneur d'accuser réception de votre correspondance et de vous "
                "faire connaître la suite que le Ministère entend y donner.\n\nVeuillez agréer, Monsieur "
                "l'Ambassadeur, l'assurance de ma haute considération."
            ),
            visa_users=visas,
        )
        _say(stdout, f"  parapheur : {title}\n")

    today = timezone.localdate()
    dir_afrique = people["dir-afrique"]
    directives = [
        ("Préparer la session de la commission mixte Togo–Ghana", 20, Transmission.State.TRANSMISE),
        ("Note sur la situation au Sahel pour le Conseil des ministres", 5, Transmission.State.ACCUSEE),
        ("Recenser les accords de coopération à renouveler en 2026", -3, Transmission.State.EN_COURS),
        ("Rapport sur la participation du Togo au sommet de l'Union africaine", 2, Transmission.State.EXECUTEE),
    ]
    for subject, days, state in directives:
        if Directive.objects.filter(subject=subject).exists():
            continue
        directive = directive_services.directive_create(
            actor=ministre,
            subject=subject,
            text="Le Ministre demande que ce dossier soit traité en priorité et qu'il lui en soit rendu compte.",
            issued_on=min(today, today + datetime.timedelta(days=days)) - datetime.timedelta(days=10),
            deadline=today + datetime.timedelta(days=days),
            domain="Afrique et intégration régionale",
            advisers=[people["conseiller1"]],
        )
        (transmission,) = directive_services.directive_transmit(
            directive=directive,
            actor=people["conseiller1"],
            recipients=[dir_afrique],
            note="Merci d'accuser réception et de rendre compte avant l'échéance.",
        )
        if state != Transmission.State.TRANSMISE:
            directive_services.transmission_acknowledge(transmission=transmission, user=dir_afrique)
        if state in (Transmission.State.EN_COURS, Transmission.State.EXECUTEE):
            directive_services.transmission_report(
                transmission=transmission,
                user=dir_afrique,
                text="Les services ont été saisis ; travaux en cours.",
                executed=False,
            )
        if state == Transmission.State.EXECUTEE:
            directive_services.transmission_report(
                transmission=transmission, user=dir_afrique, text="Rapport transmis au cabinet.", executed=True
            )
        _say(stdout, f"  directive : {subject} ({state})\n")
