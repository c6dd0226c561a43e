"""Fixtures of the correspondence tests: kinds, correspondents, files, and a helper that
registers mail through the services (the way the application does)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from correspondence import services
from correspondence.models import ArrivalChannel, Correspondent, Mail, MailKind


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


# The start of a Windows executable ("MZ" header, "PE" signature).
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00"
    + b"\x00" * 400
)


@pytest.fixture
def note_verbale(db):
    # get_or_create: a transactional test elsewhere may have flushed the seeded lists.
    return MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})[0]


@pytest.fixture
def lettre(db):
    return MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]


@pytest.fixture
def valise(db):
    return ArrivalChannel.objects.get_or_create(code="valise-diplomatique", defaults={"label": "Valise diplomatique"})[
        0
    ]


@pytest.fixture
def embassy(db):
    return services.correspondent_create(
        name="Ambassade de France au Togo", acronym="AMBAFRANCE", kind=Correspondent.Kind.EMBASSY, country="France"
    )


@pytest.fixture
def ecowas(db):
    return services.correspondent_create(
        name="Communauté économique des États de l'Afrique de l'Ouest",
        acronym="CEDEAO",
        kind=Correspondent.Kind.INTERNATIONAL,
    )


@pytest.fixture
def register_incoming(people, embassy, note_verbale):
    """``register_incoming(**overrides)`` registers an incoming letter as the secretariat."""

    def _register(**overrides):
        fields = {
            "registered_by": people.secretariat,
            "correspondent": embassy,
            "subject": "Demande d'audience de l'ambassadeur",
            "kind": note_verbale,
            "arrival_date": timezone.localdate(),
            "letter_date": timezone.localdate() - datetime.timedelta(days=2),
            "sender_reference": "NV/2026/118",
        }
        fields.update(overrides)
        return services.mail_register_incoming(**fields)

    return _register


@pytest.fixture
def confidential(register_incoming):
    return register_incoming(subject="Dossier confidentiel", confidentiality=Mail.Confidentiality.CONFIDENTIEL)


@pytest.fixture
def secret(register_incoming):
    return register_incoming(subject="Dossier secret", confidentiality=Mail.Confidentiality.SECRET)
