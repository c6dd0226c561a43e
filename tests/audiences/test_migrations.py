"""Data migrations of the audiences app, run on today's models."""

from importlib import import_module

import pytest
from django.apps import apps

from audiences.models import Unavailability, UnavailabilityEvent

from .conftest import at

pytestmark = pytest.mark.django_db


def test_blocks_made_before_their_history_get_their_creation_event_once(people, council, day):
    backfill = import_module("audiences.migrations.0008_backfill_unavailability_created_event").backfill
    older = Unavailability.objects.create(
        title="Voyage à Accra",
        kind=Unavailability.Kind.TRAVEL,
        starts_at=at(day, 14),
        ends_at=at(day, 18),
        created_by=people.chef_sp,
    )
    backfill(apps, None)
    backfill(apps, None)  # applied again (after a rollback): nothing twice
    [event] = older.events.all()
    assert event.action == UnavailabilityEvent.Action.CREATED
    assert (event.actor, event.at) == (people.chef_sp, older.created_at)
    assert (event.new_starts_at, event.comment) == (None, "")  # its first times are not known
    assert council.events.count() == 1  # already recorded by the service
