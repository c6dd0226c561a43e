"""Demo data of the register (``python manage.py seed_demo``): a directory of correspondents
and about three months of letters in and out, registered, routed, worked on and answered
through the register's own services, in the order they happened.

Each action runs at its own date (freezegun moves the clock), so numbers follow the days,
the chain hash is the one ``verify_register`` expects, deadlines are counted in working days
from the routing date, and what would fall after today has not happened yet: recent letters
are still enregistré or imputé, some imputations are late. Idempotent: once the register
holds a letter, only the directory is completed.
"""

from __future__ import annotations

import datetime
import heapq
import io
import itertools
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cabinet.models import Notification
from cabinet.workdays import add_working_days, is_working_day

from . import services
from .demo_data import AFRICAN, CHANNEL_LABELS, CORRESPONDENTS, KIND_LABELS, LETTERS, NOTES, OPINIONS, OUTGOING
from .models import ArrivalChannel, Correspondent, Imputation, Instruction, Mail, MailKind

WEEKS = 13
SEED = 2026


def seed(*, people: dict, stdout=None) -> None:
    directory = seed_correspondents()
    if Mail.objects.exists():
        _say(stdout, "Courrier : registre déjà rempli, rien à ajouter.")
        return
    try:
        from freezegun import freeze_time
    except ImportError:  # production install without the dev tools: no backdated letters
        _say(stdout, "Courrier : freezegun absent (requirements.txt), pas de lettres de démonstration.")
        return
    with transaction.atomic():
        simulation = Simulation(people=people, directory=directory, rng=random.Random(SEED))
        started = timezone.now()
        with freeze_time(started) as clock:
            simulation.run(clock, until=started)
        # History, not news: the demo's past notices are in the app but not e-mailed (they
        # would flood the outbox); those older than a week are read.
        demo_notices = Notification.objects.filter(created_at__lte=started, emailed_at__isnull=True)
        demo_notices.update(emailed_at=started)
        Notification.objects.filter(created_at__lt=started - datetime.timedelta(days=7)).update(read_at=started)
    _say(
        stdout,
        f"Courrier : {Mail.objects.filter(register='arrivee').count()} lettres arrivées, "
        f"{Mail.objects.filter(register='depart').count()} départs, {Imputation.objects.count()} imputations.",
    )


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def seed_correspondents() -> dict[str, Correspondent]:
    directory = {}
    for key, name, kind, acronym, country, address in CORRESPONDENTS:
        directory[key], _created = Correspondent.objects.get_or_create(
            name=name, defaults={"kind": kind, "acronym": acronym, "country": country, "address": address}
        )
    return directory


def scan_pdf(lines: list[str]) -> bytes:
    """A one-page PDF standing for a scanned letter (drawn with pydyf, WeasyPrint's own PDF
    writer: a few milliseconds, where a WeasyPrint layout takes a few hundred)."""
    import pydyf

    pdf = pydyf.PDF()
    font = pydyf.Dictionary(
        {"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica", "Encoding": "/WinAnsiEncoding"}
    )
    pdf.add_object(font)
    stream = pydyf.Stream()
    stream.begin_text()
    stream.set_font_size("F1", 11)
    stream.set_text_matrix(1, 0, 0, 1, 64, 780)
    for line in lines:
        stream.show_text_string(line.encode("cp1252", "replace"))
        stream.move_text_to(0, -18)
    stream.end_text()
    pdf.add_object(stream)
    page = pydyf.Dictionary(
        {
            "Type": "/Page",
            "Parent": pdf.pages.reference,
            "MediaBox": pydyf.Array([0, 0, 595, 842]),
            "Contents": stream.reference,
            "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})}),
        }
    )
    pdf.add_page(page)
    output = io.BytesIO()
    pdf.write(output)
    return output.getvalue()


def _listed(model, code: str, label: str):
    """An entry of an admin-editable list, by code (re-created if an administrator removed it)."""
    return model.objects.get_or_create(code=code, defaults={"label": label})[0]


def _upload(name: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, scan_pdf(lines), content_type="application/pdf")


class Simulation:
    """Letters arrive on working days; each step schedules the next one at a later date."""

    def __init__(self, *, people: dict, directory: dict, rng: random.Random):
        self.people = people
        self.units = people["units"]
        self.directory = directory
        self.rng = rng
        self.kinds = {code: _listed(MailKind, code, label) for code, label in KIND_LABELS.items()}
        self.channels = {code: _listed(ArrivalChannel, code, label) for code, label in CHANNEL_LABELS.items()}
        self.queue: list = []
        self.recent = timezone.now()
        self.order = itertools.count()

    def at(self, when: datetime.datetime, action, *args) -> None:
        heapq.heappush(self.queue, (when, next(self.order), action, args))

    def run(self, clock, *, until: datetime.datetime) -> None:
        today = timezone.localdate(until)
        first = today - datetime.timedelta(weeks=WEEKS)
        self.recent = until - datetime.timedelta(days=3)
        day = first
        while day <= today:
            if is_working_day(day):
                for _i in range(self.rng.randint(1, 4)):
                    self.at(self._moment(day), self.receive)
                for _i in range(self.rng.choice([0, 0, 0, 1, 1])):
                    self.at(self._moment(day, afternoon=True), self.send)
            day += datetime.timedelta(days=1)
        while self.queue:
            when, _order, action, args = heapq.heappop(self.queue)
            if when > until:
                continue  # has not happened yet
            clock.move_to(when)
            action(when, *args)

    # --- time ------------------------------------------------------------------------------
    def _moment(self, day: datetime.date, *, afternoon: bool = False) -> datetime.datetime:
        hour = self.rng.randint(14, 16) if afternoon else self.rng.randint(8, 12)
        naive = datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)))
        return timezone.make_aware(naive)

    def _later(self, when: datetime.datetime, low: int, high: int) -> datetime.datetime:
        """A moment ``low`` to ``high`` working days after ``when``, never before it."""
        day = add_working_days(timezone.localdate(when), self.rng.randint(low, high))
        moment = self._moment(day)
        if moment <= when:
            moment = when + datetime.timedelta(minutes=self.rng.randint(20, 90))
        return moment

    # --- arrivals --------------------------------------------------------------------------
    def receive(self, when) -> None:
        rng = self.rng
        keys, kind, channel, subjects, routes = rng.choices(LETTERS, weights=[34, 18, 16, 5, 8, 9, 6])[0]
        key = rng.choice(keys)
        sender = self.directory[key]
        roll = rng.random()
        confidentiality = "secret" if roll < 0.02 else "confidentiel" if roll < 0.10 else "ordinaire"
        if kind == "telegramme":
            confidentiality = rng.choice(["confidentiel", "confidentiel", "secret"])
        priority = rng.choices(["normale", "urgente", "tres_urgente"], weights=[75, 20, 5])[0]
        arrival = timezone.localdate(when)
        subject = rng.choice(subjects)
        number = rng.randint(100, 2400)
        reference = f"{number}/{arrival:%Y}/{(sender.acronym or key).upper()}"
        files = []
        if rng.random() < 0.6:
            files.append(
                _upload(
                    f"scan-{key}-{number}.pdf",
                    [
                        sender.name,
                        "",
                        f"N° {reference}",
                        f"{sender.country or 'Lomé'}, le {arrival:%d/%m/%Y}",
                        "",
                        f"Objet : {subject}",
                        "",
                        "(document numérisé au bureau du courrier du cabinet)",
                    ],
                )
            )
        mail = services.mail_register_incoming(
            registered_by=rng.choice(
                [self.people["secretariat"]] * 4 + [self.people["chef-sp"], self.people["attache"]]
            ),
            correspondent=sender,
            subject=subject,
            kind=self.kinds[kind],
            channel=self.channels[channel],
            arrival_date=arrival,
            letter_date=arrival - datetime.timedelta(days=rng.randint(0, 9)),
            sender_reference=reference,
            pages=rng.randint(1, 6),
            enclosures=rng.choice([0, 0, 1, 1, 2, 3]),
            priority=priority,
            confidentiality=confidentiality,
            keywords=", ".join(filter(None, [sender.country, sender.acronym])),
            files=files,
        )
        if rng.random() < 0.01:
            services.mail_cancel(mail=mail, actor=self.people["attache"], reason="Doublon : lettre déjà enregistrée.")
            return
        if kind == "arrete-decret" and rng.random() < 0.4:
            self.at(self._later(when, 1, 2), self.file, mail)
            return
        if when >= self.recent and rng.random() < 0.5:
            return  # arrived in the last days: still waiting to be routed
        self.at(self._later(when, 0, 1), self.route, mail, key, routes)

    def _router(self, mail: Mail):
        if mail.confidentiality == "secret":
            return self.people["ministre"] if self.rng.random() < 0.3 else self.people["directeur"]
        return self.rng.choices(
            [self.people["directeur"], self.people["attache"], self.people["ministre"]], weights=[70, 22, 8]
        )[0]

    def _assignee(self, code: str, key: str, mail: Mail) -> dict:
        adviser = self.people["conseiller1"] if key in AFRICAN else self.people["conseiller2"]
        if code == "c":
            return {"assignee": adviser}
        if code == "c2":
            return {
                "assignee": self.people["conseiller2"]
                if adviser == self.people["conseiller1"]
                else self.people["conseiller1"]
            }
        if code == "dir-afrique":
            return {"assignee": self.people["dir-afrique"]}
        if mail.is_restricted:  # restricted mail goes to a person, never to a whole service
            return {"assignee": adviser}
        return {"assignee_unit": self.units[code]}

    def route(self, when, mail: Mail, key: str, routes) -> None:
        router = self._router(mail)
        main_instruction, main_code = routes[0]
        main = services.imputation_create(
            mail=mail,
            created_by=router,
            instruction=main_instruction,
            comment=self.rng.choice(
                ["", "", "Me rendre compte.", "Urgent, à traiter en priorité.", "Voir avec le protocole."]
            ),
            **self._assignee(main_code, key, mail),
        )
        self.at(self._later(when, 0, 2), self.work, main.pk)
        if len(routes) > 1 and self.rng.random() < 0.45:
            instruction, code = routes[1]
            target = self._assignee(code, key, mail)
            if target.get("assignee") != main.assignee:
                other = services.imputation_create(mail=mail, created_by=router, instruction=instruction, **target)
                self.at(self._later(when, 0, 3), self.work, other.pk)

    # --- work of the assignee --------------------------------------------------------------
    def work(self, when, imputation_pk: int) -> None:
        imputation = Imputation.objects.select_related("mail", "assignee", "assignee_unit").get(pk=imputation_pk)
        actor = self._actor(imputation)
        rng = self.rng
        if imputation.state != Imputation.State.EN_ATTENTE or imputation.mail.is_cancelled:
            return  # closed meanwhile (the reply completed it)
        if rng.random() < 0.08:
            return  # never looked at: it will show as late
        services.imputation_acknowledge(imputation=imputation, actor=actor)
        mail = imputation.mail
        if imputation.instruction in (Instruction.INFORMATION, Instruction.CLASSEMENT):
            self.at(self._later(when, 1, 3), self.complete, imputation.pk, True)
            return
        draft = None
        if imputation.instruction == Instruction.ATTRIBUTION and rng.random() < 0.5:
            draft = _upload(
                f"projet-reponse-{mail.reference}.pdf",
                ["Projet de réponse", "", f"Réf. : {mail.reference}", f"Objet : {mail.subject}"],
            )
        services.imputation_annotate(
            imputation=imputation,
            actor=actor,
            note=rng.choice(NOTES) if rng.random() < 0.4 else "",
            opinion=rng.choice(OPINIONS),
            draft_reply=draft,
        )
        if imputation.instruction in (Instruction.ATTRIBUTION, Instruction.SUITE) and rng.random() < 0.7:
            answered_on = self._later(when, 2, 8)
            self.at(answered_on, self.reply, mail.pk)
            if imputation.instruction == Instruction.SUITE:  # the reply closes only "pour attribution"
                self.at(answered_on + datetime.timedelta(hours=1), self.complete, imputation.pk, False)
        else:
            self.at(self._later(when, 1, 6), self.complete, imputation.pk, False)

    def _actor(self, imputation: Imputation):
        """The assignee; for a service, its director when the demo has one, otherwise the
        attaché who follows the services' execution."""
        if imputation.assignee_id:
            return imputation.assignee
        if imputation.assignee_unit_id == self.units["daai"].pk:
            return self.people["dir-afrique"]
        return self.people["attache"]

    def complete(self, when, imputation_pk: int, file_mail: bool) -> None:
        imputation = Imputation.objects.select_related("mail", "assignee").get(pk=imputation_pk)
        if not imputation.is_open:
            return
        services.imputation_complete(imputation=imputation, actor=self._actor(imputation))
        if file_mail or self.rng.random() < 0.5:
            self.at(self._later(when, 1, 3), self.file, imputation.mail)

    def file(self, when, mail: Mail) -> None:
        mail.refresh_from_db()
        if mail.state in (Mail.State.REPONDU, Mail.State.CLASSE, Mail.State.ARCHIVE) or mail.is_cancelled:
            return  # an answered letter stays répondu until it is archived
        services.mail_file(mail=mail, actor=self.people["attache"])
        self.at(self._later(when, 15, 30), self.archive, mail)

    def archive(self, when, mail: Mail) -> None:
        mail.refresh_from_db()
        if mail.state == Mail.State.ARCHIVE or mail.is_cancelled:
            return
        services.mail_file(mail=mail, actor=self.people["attache"], archive=True)

    # --- departures ------------------------------------------------------------------------
    def reply(self, when, incoming_pk: int) -> None:
        incoming = Mail.objects.select_related("correspondent", "kind").get(pk=incoming_pk)
        if incoming.is_cancelled:
            return
        kind = "note-verbale" if incoming.correspondent.kind == Correspondent.Kind.EMBASSY else "lettre"
        signatory = self.people["ministre"] if self.rng.random() < 0.6 else self.people["directeur"]
        services.mail_register_outgoing(
            registered_by=self.people["secretariat"],
            recipients=[incoming.correspondent],
            subject=f"Réponse : {incoming.subject}",
            kind=self.kinds[kind],
            signatory=signatory,
            sent_date=timezone.localdate(when),
            replies_to=[incoming],
            confidentiality=incoming.confidentiality,
            pages=self.rng.randint(1, 3),
            files=[
                _upload(
                    "reponse-signee.pdf",
                    [
                        "Réponse signée",
                        "",
                        f"En réponse à : {incoming.sender_reference}",
                        f"Objet : {incoming.subject}",
                    ],
                )
            ],
        )
        if self.rng.random() < 0.4:
            self.at(self._later(when, 10, 25), self.archive, incoming)

    def send(self, when) -> None:
        recipients, copies, kind, subject = self.rng.choice(OUTGOING)
        services.mail_register_outgoing(
            registered_by=self.rng.choice([self.people["secretariat"], self.people["chef-sp"]]),
            recipients=[self.directory[k] for k in recipients],
            copies=[self.directory[k] for k in copies],
            subject=subject,
            kind=self.kinds[kind],
            signatory=self.people["ministre"] if kind != "note-verbale" else None,
            sent_date=timezone.localdate(when),
            pages=self.rng.randint(1, 4),
            enclosures=self.rng.choice([0, 1, 2]),
        )
