"""The holding area shared by the apps' forms (cabinet.holding): a token names held files only
for the person it was issued to, in the area that issued it, for a day."""

import datetime

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time

from cabinet.holding import HoldingArea
from correspondence.holding import AREA as CORRESPONDENCE
from delegations.files import HELD_FILES as DELEGATIONS

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def held_token(area: HoldingArea, user) -> tuple[str, list[dict]]:
    entries = area.hold(user, [SimpleUploadedFile("arrete.pdf", PDF)])
    return area.token_for(user, entries), entries


def test_a_token_names_the_held_files_of_its_owner_only(people):
    token, entries = held_token(DELEGATIONS, people.attache)
    assert DELEGATIONS.held_entries(people.attache, token) == entries
    assert DELEGATIONS.held_entries(people.directeur, token) == []
    assert DELEGATIONS.held_entries(people.attache, token[:-2]) == []
    [upload] = DELEGATIONS.as_uploads(entries)
    with upload:
        assert (upload.name, upload.read()) == ("arrete.pdf", PDF)


def test_a_token_of_one_app_names_nothing_in_another(people):
    token, _ = held_token(CORRESPONDENCE, people.attache)
    assert DELEGATIONS.held_entries(people.attache, token) == []
    assert CORRESPONDENCE.held_entries(people.attache, token) != []


def test_a_token_expires_after_a_day(people):
    with freeze_time(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        token, _ = held_token(DELEGATIONS, people.attache)
    with freeze_time(datetime.datetime(2026, 3, 3, 9, 1, tzinfo=datetime.UTC)):
        assert DELEGATIONS.held_entries(people.attache, token) == []


def test_a_signed_entry_outside_the_area_s_folder_is_ignored(people):
    """Defence in depth: even a validly signed token names only files of its own folder."""
    path = default_storage.save("delegations/arretes/autre.pdf", SimpleUploadedFile("autre.pdf", PDF))
    entry = {"path": path, "name": "autre.pdf", "size": len(PDF)}
    token = signing.dumps({"u": people.attache.pk, "f": [entry]}, salt=DELEGATIONS.salt)
    assert DELEGATIONS.held_entries(people.attache, token) == []


def test_released_and_purged_files_leave_the_storage(people):
    _, entries = held_token(DELEGATIONS, people.attache)
    DELEGATIONS.release(entries)
    assert not default_storage.exists(entries[0]["path"])
    _, entries = held_token(DELEGATIONS, people.attache)
    assert DELEGATIONS.purge() == 0
    assert DELEGATIONS.purge(older_than=datetime.timedelta(seconds=-1)) == 1
    assert not default_storage.exists(entries[0]["path"])
