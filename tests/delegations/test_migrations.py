"""Data migrations of the delegations app, run on today's models."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from delegations.models import Delegation, SignatureItem

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_scans_stored_before_their_name_was_kept_get_it_back(make_delegation):
    backfill = import_module("delegations.migrations.0006_backfill_delegation_scan_name_and_size").backfill
    kept, lost = make_delegation(), make_delegation()
    for delegation in (kept, lost):
        delegation.scan.save("Arrêté-n°12.pdf", SimpleUploadedFile("Arrêté-n°12.pdf", PDF), save=True)
    lost.scan.storage.delete(lost.scan.name)  # a restore without its files
    backfill(apps, None)
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.scan_name == lost.scan_name == kept.scan.storage.get_valid_name("Arrêté-n°12.pdf")
    assert (kept.scan_size, lost.scan_size) == (len(PDF), None)
    assert Delegation.objects.filter(scan="").exclude(scan_name="").count() == 0


def test_attachments_stored_before_their_name_was_kept_get_it_back(make_item):
    backfill = import_module("delegations.migrations.0008_backfill_signatureitem_document_name_and_size").backfill
    kept, lost, without = make_item(), make_item(), make_item()
    for item in (kept, lost):
        item.document.save("Projet-n°3.pdf", SimpleUploadedFile("Projet-n°3.pdf", PDF), save=True)
    lost.document.storage.delete(lost.document.name)  # a restore without its files
    backfill(apps, None)
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.document_name == lost.document_name == kept.document.storage.get_valid_name("Projet-n°3.pdf")
    assert (kept.document_size, lost.document_size) == (len(PDF), None)
    assert SignatureItem.objects.filter(document="").get() == without  # nothing to name
    without.refresh_from_db()
    assert (without.document_name, without.document_size) == ("", None)
