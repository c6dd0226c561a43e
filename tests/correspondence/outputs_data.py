"""Mail for the outputs' tests, made through the register's own services."""

import datetime

from django.utils import timezone

from correspondence import services
from correspondence.models import ArrivalChannel, Correspondent, Instruction, Mail, MailKind


def kind(code: str) -> MailKind:
    # get_or_create: transactional tests flush the rows the data migration seeded.
    return MailKind.objects.get_or_create(code=code, defaults={"label": code.replace("-", " ").capitalize()})[0]


def channel(code: str) -> ArrivalChannel:
    return ArrivalChannel.objects.get_or_create(code=code, defaults={"label": code.capitalize()})[0]


def correspondent(name="Ambassade de France au Togo", **fields) -> Correspondent:
    found = Correspondent.objects.filter(name=name).first()
    return found or services.correspondent_create(name=name, kind=Correspondent.Kind.EMBASSY, **fields)


def incoming(
    people, *, subject="Visite du ministre français de l'Europe", confidentiality="ordinaire", **fields
) -> Mail:
    today = timezone.localdate()
    values = {
        "registered_by": people.secretariat,
        "correspondent": correspondent(),
        "subject": subject,
        "kind": kind("note-verbale"),
        "channel": channel("porteur"),
        "arrival_date": today,
        "letter_date": today - datetime.timedelta(days=2),
        "sender_reference": "NV/2026/0412/AMB",
        "confidentiality": confidentiality,
        "pages": 2,
        "enclosures": 1,
    }
    values.update(fields)
    return services.mail_register_incoming(**values)


def outgoing(people, *, subject="Réponse à la note verbale", replies_to=(), **fields) -> Mail:
    values = {
        "registered_by": people.secretariat,
        "recipients": [correspondent()],
        "subject": subject,
        "kind": kind("lettre"),
        "signatory": people.ministre,
        "replies_to": replies_to,
    }
    values.update(fields)
    return services.mail_register_outgoing(**values)


def route(mail, people, *, to=None, instruction=Instruction.ATTRIBUTION, deadline=None, **fields):
    return services.imputation_create(
        mail=mail,
        created_by=people.directeur,
        instruction=instruction,
        assignee=to or people.conseiller1,
        deadline=deadline,
        **fields,
    )
