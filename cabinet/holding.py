"""Files held between two submissions of a form, for every app.

A browser cannot put a file back into a re-displayed ``<input type=file>``: when a form comes
back with an error, the files that passed their checks are kept in a holding area (private
storage, never served) and the form carries a signed token naming them, bound to the person
and valid for a day. The next valid submission saves them with the record; what is left is
removed by the app's nightly purge. Each app has its own ``HoldingArea`` (folder and signing
salt): a token issued by one app's form names nothing in another's.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from .uploads import sanitise_name

# The names the forms post: the token, and the indexes of the held files kept ticked.
TOKEN_FIELD = "held_files"
KEEP_FIELD = "keep_held"


@dataclass(frozen=True)
class HoldingArea:
    folder: str
    salt: str
    max_age: int = 24 * 3600

    def hold(self, user, uploads) -> list[dict]:
        entries = []
        for upload in uploads:
            upload.seek(0)
            path = default_storage.save(f"{self.folder}/{uuid.uuid4().hex}", upload)
            entries.append({"path": path, "name": sanitise_name(upload.name), "size": upload.size})
        return entries

    def token_for(self, user, entries: list[dict]) -> str:
        return signing.dumps({"u": user.pk, "f": entries}, salt=self.salt) if entries else ""

    def held_entries(self, user, token: str) -> list[dict]:
        """The entries of a token issued to ``user`` within ``max_age``; anything else
        (another person's token, a forged or expired one) is ignored."""
        if not token:
            return []
        try:
            data = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.BadSignature:
            return []
        if data.get("u") != user.pk:
            return []
        return [
            e
            for e in data.get("f", [])
            if str(e.get("path", "")).startswith(self.folder + "/") and default_storage.exists(e["path"])
        ]

    @staticmethod
    def as_uploads(entries: list[dict]) -> list[File]:
        uploads = []
        for entry in entries:
            handle = default_storage.open(entry["path"], "rb")
            uploads.append(File(handle.file, name=entry["name"]))
        return uploads

    @staticmethod
    def release(entries: list[dict]) -> None:
        for entry in entries:
            default_storage.delete(entry["path"])

    def purge(self, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
        """Remove held files older than ``older_than`` (forms abandoned half-way)."""
        if not default_storage.exists(self.folder):
            return 0
        limit = timezone.now() - older_than
        removed = 0
        for name in default_storage.listdir(self.folder)[1]:
            path = f"{self.folder}/{name}"
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                removed += 1
        return removed


class HeldFiles:
    """The held files of one form field in one request: those the person kept ticked (the
    unticked ones are released at once), then, after an error, the ones just uploaded.

    For a single-file field (``single=True``) a file chosen again replaces the held one."""

    def __init__(self, area: HoldingArea, request: HttpRequest, field: str, *, single: bool = False):
        self.area = area
        self.request = request
        self.field = field
        self.single = single
        self.entries = self._kept() if request.method == "POST" else []

    def _kept(self) -> list[dict]:
        entries = self.area.held_entries(self.request.user, self.request.POST.get(TOKEN_FIELD, ""))
        kept_indexes = set(self.request.POST.getlist(KEEP_FIELD))
        kept = [e for i, e in enumerate(entries) if str(i) in kept_indexes]
        self.area.release([e for e in entries if e not in kept])
        return kept

    def _release(self) -> None:
        self.area.release(self.entries)
        self.entries = []

    @contextmanager
    def files(self, chosen: list) -> Iterator[list]:
        """The files to save with the record: those chosen now, then the held ones. The held
        copies are released once the block succeeds (the record has its own); if it raises,
        they stay held for the next submission."""
        uploads = self.area.as_uploads(self.entries)
        try:
            yield [*chosen, *uploads]
        finally:
            for upload in uploads:
                upload.close()
        self._release()

    @contextmanager
    def file(self, chosen) -> Iterator:
        """The one file of a single-file field: the one chosen now, else the held one, else
        None."""
        with self.files([chosen] if chosen else []) as files:
            yield files[0] if files else None

    def keep_after_error(self, form) -> None:
        """After an error elsewhere in the form, hold the files just uploaded: only those that
        passed their checks (none if the field itself has an error)."""
        if self.request.method != "POST" or not form.errors or self.field in form.errors:
            return
        value = form.cleaned_data.get(self.field)
        uploads = list(value) if isinstance(value, list | tuple) else [value] if value else []
        if uploads and self.single:
            self._release()
        self.entries = self.entries + self.area.hold(self.request.user, uploads)

    def context(self) -> dict:
        """What the form's template shows (``includes/held_file.html``) and posts back."""
        return {"held": self.entries, "held_token": self.area.token_for(self.request.user, self.entries)}
