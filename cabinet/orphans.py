"""Files in the private storage that no row names any more.

A file is written to the storage before the row that names it is committed (Django saves a
``FileField``'s content when the model is saved, inside the service's transaction). When that
transaction rolls back (a check fails after the upload, a lock times out, the database goes
away), the row disappears and the file stays: confidential content that no permission check
will ever serve again, and that nobody can find to delete. Databases have no "on rollback"
hook that survives an outer transaction, so the cleanup is a collector: every night, the files
older than ``MIN_AGE`` that no ``FileField`` of any model names are moved to a quarantine folder,
and deleted from it ``QUARANTINE`` later. The age keeps it clear of a transaction still running
(and of the registration forms' held files, which live a day and have their own purge). The
quarantine is for the day a database is restored from a dump older than the files: the files
of the letters registered after the dump are orphans then, and may be the only copy left.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils import timezone

log = logging.getLogger(__name__)

MIN_AGE = datetime.timedelta(days=2)
QUARANTINE = datetime.timedelta(days=30)
QUARANTINE_FOLDER = "orphelins"
BATCH = 500


@dataclass
class SweepReport:
    examined: int = 0
    kept: int = 0
    too_recent: int = 0
    quarantined: list[str] = field(default_factory=list)  # the names they had
    purged: int = 0  # deleted from the quarantine


def file_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) that stores a file in the default storage."""
    found = []
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField) and model_field.storage is default_storage:
                found.append((model, model_field.name))
    return found


def _walk(storage: Storage, folder: str = "", *, skip: str | None = None) -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        path = f"{folder}/{sub}" if folder else sub
        if path != skip:
            yield from _walk(storage, path, skip=skip)


def _named(names: list[str], fields: list[tuple[type[models.Model], str]]) -> set[str]:
    """Those of ``names`` that some row names (one query per file field and batch)."""
    named: set[str] = set()
    for model, name in fields:
        named.update(model._base_manager.filter(**{f"{name}__in": names}).values_list(name, flat=True))
    return named


def sweep(*, storage: Storage = default_storage, min_age: datetime.timedelta = MIN_AGE, dry_run: bool = False):
    """Move to the quarantine (or, ``dry_run``, only list) the stored files that no row names,
    and delete what has been in the quarantine longer than ``QUARANTINE``."""
    report = SweepReport()
    if not storage.exists(""):
        return report
    now = timezone.now()
    limit = now - min_age
    fields = file_fields()
    batch: list[str] = []

    def flush() -> None:
        named = _named(batch, fields)
        for name in batch:
            if name in named:
                report.kept += 1
                continue
            if not dry_run:
                with storage.open(name, "rb") as content:
                    storage.save(f"{QUARANTINE_FOLDER}/{timezone.localdate():%Y-%m-%d}/{name}", content)
                storage.delete(name)
            report.quarantined.append(name)
        batch.clear()

    for name in _walk(storage, skip=QUARANTINE_FOLDER):
        report.examined += 1
        if storage.get_modified_time(name) >= limit:
            report.too_recent += 1
            continue
        batch.append(name)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if storage.exists(QUARANTINE_FOLDER):
        for name in _walk(storage, QUARANTINE_FOLDER):
            if storage.get_modified_time(name) < now - QUARANTINE:
                if not dry_run:
                    storage.delete(name)
                report.purged += 1
    if report.quarantined:
        log.warning(
            "%s fichier(s) orphelin(s) %s", len(report.quarantined), "trouvés" if dry_run else "mis en quarantaine"
        )
    return report
