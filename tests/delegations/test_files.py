"""Uploaded files are judged by their bytes, not by their name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from delegations import services
from delegations.files import DOCX, content_type_of, validate_document, validate_scan

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_word_draft_is_a_document_but_not_a_scanned_arrete():
    upload = SimpleUploadedFile("projet.docx", docx_bytes())
    assert content_type_of(upload) == DOCX
    validate_document(upload)
    with pytest.raises(ValidationError):
        validate_scan(SimpleUploadedFile("arrete.pdf", docx_bytes()))


def test_renamed_executable_and_empty_file_are_refused():
    with pytest.raises(ValidationError):
        validate_document(SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00\x03\x00 program"))
    with pytest.raises(ValidationError):
        validate_scan(SimpleUploadedFile("vide.pdf", b""))
    validate_scan(SimpleUploadedFile("arrete.pdf", PDF))


@pytest.mark.django_db
def test_the_correspondence_register_can_submit_a_word_draft(people, cats):
    # As correspondence.services.draft_reply_submit does: a ContentFile read from its storage.
    item = services.signature_item_submit(
        drafter=people.conseiller1,
        category=cats["correspondance-courante"],
        title="Réponse",
        body="Texte",
        document=ContentFile(docx_bytes(), name="projet.docx"),
        source_label="Courrier A-2026-00001",
        source_url="/courrier/1/",
    )
    assert item.document.name.endswith("projet.docx")


def test_a_download_is_named_as_chosen_else_by_the_fallback():
    from delegations.files import chosen_stem

    assert chosen_stem("Arrêté n° 12 & annexe.pdf", "arrete-1") == "Arrêté n° 12 & annexe"
    assert chosen_stem("rapport.final.docx", "x") == "rapport.final"
    assert chosen_stem("sans-extension", "x") == "sans-extension"
    assert chosen_stem("", "arrete-1") == "arrete-1"  # stored before names were kept
    assert chosen_stem(".pdf", "arrete-1") == "arrete-1"
