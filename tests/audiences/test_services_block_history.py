"""A block's history, written by its services in the same transaction as the change: who
blocked it, who moved it (from when to when) and what else changed, who lifted it; a
correction that changes nothing, or that is refused, writes nothing."""

import pytest
from django.core.exceptions import ValidationError

from audiences import services
from audiences.models import Unavailability, UnavailabilityEvent

from .conftest import at

pytestmark = pytest.mark.django_db

Action = UnavailabilityEvent.Action


def fields(block, **changes):
    data = {"title": block.title, "kind": block.kind, "starts_at": block.starts_at, "ends_at": block.ends_at}
    return {**data, "note": block.note, **changes}


def test_blocking_a_slot_records_who_blocked_it_and_when(people, council, day):
    [event] = council.events.all()
    assert (event.action, event.actor, event.comment) == (Action.CREATED, people.attache, "")
    assert (event.new_starts_at, event.new_ends_at) == (at(day, 8), at(day, 9, 30))
    assert event.old_starts_at is None and event.at >= council.created_at


def test_a_correction_records_who_moved_it_from_when_to_when_and_what_else_changed(people, council, day):
    services.unavailability_update(
        by=people.chef_sp,
        block=council,
        **fields(
            council,
            title="Conseil extraordinaire",
            kind=Unavailability.Kind.CEREMONY,
            starts_at=at(day, 9),
            ends_at=at(day, 10, 30),
        ),
    )
    created, updated = council.events.all()
    assert created.action == Action.CREATED
    assert (updated.action, updated.actor) == (Action.UPDATED, people.chef_sp)
    assert (updated.old_starts_at, updated.old_ends_at) == (at(day, 8), at(day, 9, 30))
    assert (updated.new_starts_at, updated.new_ends_at) == (at(day, 9), at(day, 10, 30))
    assert updated.comment.splitlines() == [
        "Intitulé : Conseil des ministres → Conseil extraordinaire",
        "Nature : Conseil des ministres → Cérémonie officielle",
    ]


def test_a_correction_of_the_note_alone_keeps_no_times(people, council):
    services.unavailability_update(by=people.attache, block=council, **fields(council, note="Au palais"))
    updated = council.events.get(action=Action.UPDATED)
    assert updated.comment == "Observations : — → Au palais"
    assert updated.old_starts_at is None and updated.new_starts_at is None


def test_a_correction_that_changes_nothing_writes_nothing(people, council):
    _, changed = services.unavailability_update(by=people.attache, block=council, **fields(council))
    assert not changed
    assert list(council.events.values_list("action", flat=True)) == [Action.CREATED]


def test_a_refused_correction_writes_nothing(people, council, programmed, day):
    programmed(hour=11)
    with pytest.raises(ValidationError):
        services.unavailability_update(
            by=people.attache, block=council, **fields(council, starts_at=at(day, 10, 30), ends_at=at(day, 12))
        )
    assert list(council.events.values_list("action", flat=True)) == [Action.CREATED]


def test_lifting_records_who_freed_which_slot(people, council, day):
    services.unavailability_lift(block=council, by=people.chef_sp)
    lifted = council.events.last()
    assert (lifted.action, lifted.actor) == (Action.LIFTED, people.chef_sp)
    assert (lifted.old_starts_at, lifted.old_ends_at) == (at(day, 8), at(day, 9, 30))
    assert council.events.count() == 2
