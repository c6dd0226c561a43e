"""The exclusion constraint on PostgreSQL: no overlap even under concurrent programming."""

import contextlib
import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from audiences import scheduling, services
from audiences.models import AgendaSlot, Audience, AudienceState, Unavailability

from .conftest import at, future_workday

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db
def test_constraint_refuses_an_overlapping_slot_written_behind_the_services_back(programmed, make_request, day):
    first = programmed(hour=10)
    other = make_request()
    with pytest.raises(IntegrityError, match="agenda_slot_no_overlap"), transaction.atomic():
        AgendaSlot.objects.create(
            audience=other, starts_at=at(day, 10, 15), ends_at=at(day, 10, 45), occupied_until=at(day, 11)
        )
    assert AgendaSlot.objects.get().audience == first


@pytest.mark.django_db
def test_constraint_error_becomes_the_french_message_naming_the_item(
    programmed, make_request, place, people, day, monkeypatch
):
    """If a concurrent transaction commits between the check and the write, the service turns
    the constraint's error into the same message. Simulated: the check sees nothing."""
    programmed(hour=10)
    real = scheduling.conflicting_slot
    calls = []

    def blind_first_time(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "conflicting_slot", blind_first_time)
    with pytest.raises(ValidationError) as exc:
        services.audience_programme(
            audience=make_request(), by=people.attache, starts_at=at(day, 10), ends_at=at(day, 10, 30), place=place
        )
    assert "Ambassade du Ghana" in exc.value.message_dict["starts_at"][0]
    assert f"{day:%d/%m/%Y} 10:00–10:30" in exc.value.message_dict["starts_at"][0]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_overlapping_programmings_exactly_one_succeeds(people, make_request, place, day):
    first, second = make_request(), make_request()
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}
    original = scheduling.conflicting_slot

    def check_then_wait(*args, **kwargs):
        # Both transactions pass the service's check before either writes: only the
        # constraint can stop the second one.
        result = original(*args, **kwargs)
        if result is None and threading.current_thread() is not threading.main_thread():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
        return result

    saved_check = scheduling.conflicting_slot
    scheduling.conflicting_slot = check_then_wait

    def programme(audience, minute):
        try:
            services.audience_programme(
                audience=audience,
                by=people.attache,
                starts_at=at(day, 10, minute),
                ends_at=at(day, 10, minute + 30),
                place=place,
            )
            outcomes[audience.pk] = "ok"
        except ValidationError as exc:
            outcomes[audience.pk] = exc.message_dict["starts_at"][0]
        finally:
            connections.close_all()

    try:
        threads = [
            threading.Thread(target=programme, args=(first, 0)),
            threading.Thread(target=programme, args=(second, 10)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        scheduling.conflicting_slot = saved_check

    assert sorted(v == "ok" for v in outcomes.values()) == [False, True]
    refused = next(v for v in outcomes.values() if v != "ok")
    assert "Ambassade du Ghana" in refused and f"{day:%d/%m/%Y}" in refused
    assert Audience.objects.filter(state=AudienceState.PROGRAMMED).count() == 1
    assert AgendaSlot.objects.count() == 1
    assert connection.vendor == "postgresql"
    assert datetime.timedelta(0) < AgendaSlot.objects.get().occupied_until - AgendaSlot.objects.get().ends_at


@pytest.mark.django_db(transaction=True)
def test_a_correction_runs_in_its_own_transaction_with_the_row_locked(people, make_request):
    """Called as a view calls it, outside any transaction: the service opens its own (its
    row lock, ``select_for_update``, needs one on PostgreSQL; SQLite does not say)."""
    audience = make_request()
    assert not connection.in_atomic_block
    updated, changed = services.audience_update(
        actor=people.attache,
        audience=audience,
        purpose="Coopération sanitaire",
        seen_event=services.last_event(audience),
    )
    assert changed and Audience.objects.get(pk=audience.pk).purpose == "Coopération sanitaire"


@pytest.mark.django_db(transaction=True)
def test_a_block_correction_runs_in_its_own_transaction_with_the_row_locked(people):
    """Called as the view calls it, outside any transaction: ``select_for_update`` on the block
    needs the service's own transaction on PostgreSQL, and the slot moves with it."""
    day = future_workday()
    block = services.unavailability_create(
        by=people.attache, title="Conseil des ministres", kind="conseil", starts_at=at(day, 8), ends_at=at(day, 9)
    )
    assert not connection.in_atomic_block
    _block, changed = services.unavailability_update(
        by=people.attache,
        block=block,
        title=block.title,
        kind=block.kind,
        starts_at=at(day, 9),
        ends_at=at(day, 10),
        note="",
    )
    assert changed and AgendaSlot.objects.get(unavailability=block).starts_at == at(day, 9)
    assert Unavailability.objects.get(pk=block.pk).sequence == 1


@pytest.mark.django_db(transaction=True)
def test_a_preparation_change_runs_in_its_own_transaction_with_the_row_locked(people, programmed):
    """Called as the view calls it, outside any transaction: ``select_for_update`` on the
    audience needs the service's own transaction on PostgreSQL (SQLite does not say)."""
    audience = programmed()
    assert not connection.in_atomic_block
    _audience, changed = services.audience_preparation_update(
        actor=people.attache,
        audience=audience,
        attendees=[people.conseiller1],
        needs_interpreter=True,
        seen_event=services.last_event(audience),
    )
    audience = Audience.objects.get(pk=audience.pk)
    assert changed and audience.needs_interpreter and list(audience.attendees.all()) == [people.conseiller1]
