"""The nightly collector of stored files that no row names (cabinet.orphans)."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from cabinet import orphans
from cabinet.tasks import sweep_orphan_files
from correspondence.models import Attachment
from delegations.models import Delegation

pytestmark = pytest.mark.django_db


def _stored(name: str, *, days_old: float) -> str:
    name = default_storage.save(name, ContentFile(b"%PDF-1.4 contenu confidentiel"))
    when = (timezone.now() - datetime.timedelta(days=days_old)).timestamp()
    os.utime(default_storage.path(name), (when, when))
    return name


def test_every_file_field_of_the_project_is_known():
    fields = {(model._meta.label, name) for model, name in orphans.file_fields()}
    assert {
        ("correspondence.Attachment", "file"),
        ("delegations.Delegation", "scan"),
        ("delegations.SignatureItem", "document"),
        ("delegations.SignatureItem", "signed_pdf"),
        ("audiences.Attachment", "file"),
    } <= fields


def _quarantined(name: str) -> str:
    return f"{orphans.QUARANTINE_FOLDER}/{timezone.localdate():%Y-%m-%d}/{name}"


def test_old_file_that_no_row_names_goes_to_quarantine_named_and_recent_ones_stay(delegation_with_scan):
    orphan = _stored("correspondence/2026/01/orphelin", days_old=3)
    recent = _stored("correspondence/2026/11/en-cours", days_old=0.5)
    named = delegation_with_scan.scan.name

    report = orphans.sweep()

    assert report.quarantined == [orphan]
    assert not default_storage.exists(orphan)
    with default_storage.open(_quarantined(orphan)) as moved:
        assert moved.read() == b"%PDF-1.4 contenu confidentiel"
    assert default_storage.exists(recent) and default_storage.exists(named)
    assert (report.examined, report.kept, report.too_recent) == (3, 1, 1)


def test_quarantine_is_not_swept_again_and_is_emptied_after_thirty_days():
    orphan = _stored("correspondence/2026/01/orphelin", days_old=3)
    orphans.sweep()
    again = orphans.sweep()
    assert (again.examined, again.quarantined, again.purged) == (0, [], 0)
    moved = default_storage.path(_quarantined(orphan))
    old = (timezone.now() - orphans.QUARANTINE - datetime.timedelta(hours=1)).timestamp()
    os.utime(moved, (old, old))
    assert orphans.sweep().purged == 1
    assert not os.path.exists(moved)


def test_dry_run_lists_without_moving():
    orphan = _stored("delegations/arretes/2026/01/abc-projet.pdf", days_old=10)
    report = orphans.sweep(dry_run=True)
    assert report.quarantined == [orphan]
    assert default_storage.exists(orphan)
    assert not default_storage.exists(_quarantined(orphan))


def test_names_are_checked_in_batches_with_one_query_per_file_field(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(orphans, "BATCH", 2)
    for n in range(5):
        _stored(f"audiences/2026/01/f{n}", days_old=5)
    fields = len(orphans.file_fields())
    with django_assert_num_queries(3 * fields):  # 5 files: batches of 2, 2 and 1
        report = orphans.sweep()
    assert len(report.quarantined) == 5


def test_empty_or_missing_storage_is_not_an_error():
    assert orphans.sweep().examined == 0


def test_nightly_task_and_command(capsys):
    orphan = _stored("correspondence/2025/12/x", days_old=4)
    call_command("sweep_orphan_files", "--dry-run")
    assert "1 orphelin(s) à mettre en quarantaine" in capsys.readouterr().out
    assert default_storage.exists(orphan)
    assert sweep_orphan_files() == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(_quarantined(orphan))
    assert not Attachment.objects.exists()


@pytest.fixture
def delegation_with_scan(people):
    from delegations.defaults import act_categories_ensure
    from delegations.delegation_services import delegation_create

    delegation = delegation_create(
        actor=people.attache,
        number="2026-001/MAE/CAB",
        signed_on=datetime.date(2026, 1, 5),
        delegator=people.ministre,
        delegate=people.directeur,
        categories=[act_categories_ensure()["correspondance-courante"]],
        valid_from=datetime.date(2026, 1, 5),
    )
    delegation.scan.save("arrete.pdf", ContentFile(b"%PDF-1.4 arrete"), save=True)
    old = (timezone.now() - datetime.timedelta(days=30)).timestamp()
    os.utime(default_storage.path(delegation.scan.name), (old, old))
    assert Delegation.objects.filter(scan=delegation.scan.name).exists()
    return delegation
