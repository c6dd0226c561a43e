"""Data migrations of the delegations app, run on today's models."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from delegations import directive_services
from delegations.models import Delegation, ExecutionReport, SignatureItem

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


def test_report_attachments_stored_before_their_name_was_kept_get_it_back(people, make_directive):
    backfill = import_module("delegations.migrations.0010_backfill_executionreport_attachment_name_and_size").backfill
    (transmission,) = directive_services.directive_transmit(
        directive=make_directive(), actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    kept, lost, without = (
        directive_services.transmission_report(
            transmission=transmission, user=people.dir_afrique, text=text, executed=False
        )
        for text in ("Premier point.", "Deuxième point.", "Troisième point.")
    )
    for report in (kept, lost):
        report.attachment.save("Rapport-n°3.pdf", SimpleUploadedFile("Rapport-n°3.pdf", PDF), save=True)
    lost.attachment.storage.delete(lost.attachment.name)  # a restore without its files
    backfill(apps, None)
    for report in (kept, lost, without):
        report.refresh_from_db()
    assert kept.attachment_name == lost.attachment_name == kept.attachment.storage.get_valid_name("Rapport-n°3.pdf")
    assert (kept.attachment_size, lost.attachment_size) == (len(PDF), None)
    assert ExecutionReport.objects.filter(attachment="").get() == without  # nothing to name
    assert (without.attachment_name, without.attachment_size) == ("", None)
