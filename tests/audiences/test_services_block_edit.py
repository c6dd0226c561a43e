"""« Modifier » a block on the service: its slot moves under the scheduling rules of creation,
a lifted block stays as it is, the feed gets a new revision, and nothing changed writes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audiences import services
from audiences.models import AgendaSlot, Unavailability

from .conftest import at

pytestmark = pytest.mark.django_db


def fields(block, **changes):
    data = {
        "title": block.title,
        "kind": block.kind,
        "starts_at": block.starts_at,
        "ends_at": block.ends_at,
        "note": block.note,
    }
    return {**data, **changes}


def test_moving_a_block_moves_its_slot_and_bumps_the_feed_revision(people, council, day):
    block, changed = services.unavailability_update(
        by=people.attache, block=council, **fields(council, starts_at=at(day, 9), ends_at=at(day, 10, 30))
    )
    assert changed
    slot = AgendaSlot.objects.get(unavailability=council)
    assert (slot.starts_at, slot.ends_at) == (at(day, 9), at(day, 10, 30))
    block.refresh_from_db()
    assert (block.starts_at, block.ends_at, block.sequence) == (at(day, 9), at(day, 10, 30), 1)


def test_a_block_cannot_be_moved_onto_a_programmed_audience(people, council, programmed, day):
    programmed(hour=11)
    with pytest.raises(ValidationError) as exc:
        services.unavailability_update(
            by=people.attache, block=council, **fields(council, starts_at=at(day, 10), ends_at=at(day, 11, 15))
        )
    message = exc.value.message_dict["starts_at"][0]
    assert "Ambassade du Ghana" in message and f"{day:%d/%m/%Y} 11:00–11:30" in message
    block = Unavailability.objects.get(pk=council.pk)
    assert (block.starts_at, block.ends_at, block.sequence) == (at(day, 8), at(day, 9, 30), 0)
    slot = AgendaSlot.objects.get(unavailability=council)
    assert (slot.starts_at, slot.ends_at) == (at(day, 8), at(day, 9, 30))


def test_a_lifted_block_is_not_corrected(people, council, day):
    services.unavailability_lift(block=council, by=people.attache)
    with pytest.raises(ValidationError, match="a été levée"):
        services.unavailability_update(by=people.attache, block=council, **fields(council, starts_at=at(day, 9)))
    block = Unavailability.objects.get(pk=council.pk)
    assert block.starts_at == at(day, 8) and block.sequence == 1
    assert not AgendaSlot.objects.filter(unavailability=council).exists()


def test_only_who_may_programme_corrects_a_block(people, council):
    with pytest.raises(PermissionDenied):
        services.unavailability_update(by=people.secretariat, block=council, **fields(council, title="Autre"))
    assert Unavailability.objects.get(pk=council.pk).title == "Conseil des ministres"


def test_an_end_before_the_start_is_refused_in_french(people, council, day):
    with pytest.raises(ValidationError) as exc:
        services.unavailability_update(by=people.attache, block=council, **fields(council, ends_at=at(day, 7)))
    assert exc.value.message_dict["ends_at"] == ["La fin doit être postérieure au début."]


def test_renaming_a_block_keeps_its_slot_and_still_bumps_the_revision(people, council):
    slot_before = AgendaSlot.objects.get(unavailability=council)
    _block, changed = services.unavailability_update(
        by=people.attache, block=council, **fields(council, title="Conseil des ministres extraordinaire")
    )
    assert changed
    block = Unavailability.objects.get(pk=council.pk)
    assert block.title == "Conseil des ministres extraordinaire" and block.sequence == 1
    assert AgendaSlot.objects.get(unavailability=council) == slot_before


def test_nothing_changed_writes_nothing(people, council):
    with CaptureQueriesContext(connection) as ctx:
        _block, changed = services.unavailability_update(by=people.attache, block=council, **fields(council))
    assert not changed
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert Unavailability.objects.get(pk=council.pk).sequence == 0
