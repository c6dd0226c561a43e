"""A file the register names but the storage no longer holds (a restore of the database
without its files, a disk fault): the person who may see it is told so in French (404), the
operators find it in the log, and nothing is written to the consultation log."""

import pytest
from django.urls import reverse

from correspondence.models import MailConsultation

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("view", ["attachment_download", "attachment_preview"])
def test_an_attachment_missing_from_storage_says_so(view, people, register_incoming, login, caplog):
    mail = register_incoming(confidentiality="confidentiel", files=[pdf_upload()])
    attachment = mail.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    response = login(people.attache).get(reverse(f"correspondence:{view}", args=[attachment.pk]))
    assert response.status_code == 404
    assert "Fichier introuvable" in response.content.decode()
    assert any("Fichier absent du stockage" in record.getMessage() for record in caplog.records)
    assert not MailConsultation.objects.filter(attachment=attachment).exists()
    hidden = login(people.conseiller2).get(reverse(f"correspondence:{view}", args=[attachment.pk]))
    assert hidden.status_code == 404 and "Fichier introuvable" not in hidden.content.decode()
