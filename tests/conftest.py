"""Shared fixtures: the demo organisation (one user per role) plus an outsider.

``people`` gives: ministre, directeur, attache, conseiller1, conseiller2, chef_sp,
secretariat, protocole, dir_afrique, admin, outsider (a ministry agent with no cabinet
role), as attributes; ``people.units`` and ``people.positions`` hold the organisation.
All passwords are ``tests.factories.TEST_PASSWORD``.
"""

import os
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.factories import TEST_PASSWORD, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("CABINET_REQUIRE_SERVICES", "") == "1"


def pytest_collection_modifyitems(config, items):
    """PostgreSQL/Redis tests skip on a laptop without them; in CI (CABINET_REQUIRE_SERVICES=1)
    a missing service is a failure, never a silent skip."""
    missing = []
    if not settings.IS_POSTGRES:
        missing.append(("postgres", "PostgreSQL (DATABASE_URL) absent"))
    if not settings.REDIS_URL:
        missing.append(("redis", "Redis (REDIS_URL) absent"))
    for marker, reason in missing:
        for item in items:
            if marker in item.keywords:
                if REQUIRE_SERVICES:
                    raise pytest.UsageError(f"{reason}: CABINET_REQUIRE_SERVICES=1 forbids skipping {item.nodeid}")
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def people(db):
    from cabinet.demo import seed_organisation

    org = seed_organisation(password=TEST_PASSWORD)
    outsider = UserFactory(username="outsider", first_name="Agent", last_name="EXTERIEUR")
    return SimpleNamespace(
        ministre=org["ministre"],
        directeur=org["directeur"],
        attache=org["attache"],
        conseiller1=org["conseiller1"],
        conseiller2=org["conseiller2"],
        chef_sp=org["chef-sp"],
        secretariat=org["secretariat"],
        protocole=org["protocole"],
        dir_afrique=org["dir-afrique"],
        admin=org["admin"],
        outsider=outsider,
        units=org["units"],
        positions=org["positions"],
    )


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as ``user`` and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "media")}},
    }
