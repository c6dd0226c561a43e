"""Fixtures for the audiences tests: a place, a requester, and helpers that build requests
and programmed audiences on a future working day."""

import datetime

import pytest
from django.utils import timezone

from audiences import services
from audiences.models import Place, Unavailability
from cabinet.workdays import is_working_day
from correspondence.models import Correspondent


def future_workday(offset: int = 7) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=offset)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def place(db):
    return Place.objects.create(name="Bureau du ministre")


@pytest.fixture
def requester(db):
    return Correspondent.objects.create(name="Ambassade du Ghana", kind=Correspondent.Kind.EMBASSY)


@pytest.fixture
def day():
    return future_workday()


@pytest.fixture
def make_request(people, requester):
    def _make(by=None, **extra):
        data = {
            "requester": requester,
            "purpose": "Préparation de la commission mixte",
            "wished_from": timezone.localdate(),
            "participants": [{"name": "S.E. Kwame Mensah", "title": "Ambassadeur", "nationality": "ghanéenne"}],
        }
        data.update(extra)
        return services.audience_request_create(by=by or people.secretariat, **data)

    return _make


@pytest.fixture
def programmed(people, make_request, place, day):
    """``programmed(hour=10, minutes=30, **request_fields)``: an audience programmed by the
    attaché on the test day."""

    def _programmed(hour=10, minute=0, minutes=30, **extra):
        audience = make_request(**extra)
        start = at(day, hour, minute)
        return services.audience_programme(
            audience=audience,
            by=people.attache,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=minutes),
            place=place,
        )

    return _programmed


@pytest.fixture
def council(people, day):
    """The Conseil des ministres, 08:00–09:30 on the test day, blocked by the attaché."""
    return services.unavailability_create(
        by=people.attache,
        title="Conseil des ministres",
        kind=Unavailability.Kind.COUNCIL,
        starts_at=at(day, 8),
        ends_at=at(day, 9, 30),
    )
