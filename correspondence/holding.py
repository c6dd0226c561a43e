"""Files held between two submissions of a registration form.

A browser cannot put a file back into a re-displayed ``<input type=file>``: when a form comes
back with an error, the files that passed their checks are kept here (private storage) and
the form carries a signed token naming them, bound to the person and valid for a day. The
next valid submission registers them with the mail; a nightly task removes what was left.
"""

from __future__ import annotations

import datetime
import uuid

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from .files import sanitise_name

SALT = "correspondence.held-files"
MAX_AGE = 24 * 3600
FOLDER = "correspondence/holding"


def hold(user, uploads) -> list[dict]:
    entries = []
    for upload in uploads:
        upload.seek(0)
        path = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}", upload)
        entries.append({"path": path, "name": sanitise_name(upload.name), "size": upload.size})
    return entries


def token_for(user, entries: list[dict]) -> str:
    return signing.dumps({"u": user.pk, "f": entries}, salt=SALT) if entries else ""


def held_entries(user, token: str) -> list[dict]:
    """The entries of a token issued to ``user`` within a day; anything else is ignored."""
    if not token:
        return []
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return []
    if data.get("u") != user.pk:
        return []
    return [
        e
        for e in data.get("f", [])
        if str(e.get("path", "")).startswith(FOLDER + "/") and default_storage.exists(e["path"])
    ]


def as_uploads(entries: list[dict]) -> list[File]:
    uploads = []
    for entry in entries:
        handle = default_storage.open(entry["path"], "rb")
        uploads.append(File(handle.file, name=entry["name"]))
    return uploads


def release(entries: list[dict]) -> None:
    for entry in entries:
        default_storage.delete(entry["path"])


def purge(older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Remove held files older than ``older_than`` (forms abandoned half-way)."""
    if not default_storage.exists(FOLDER):
        return 0
    limit = timezone.now() - older_than
    removed = 0
    for name in default_storage.listdir(FOLDER)[1]:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
            removed += 1
    return removed
