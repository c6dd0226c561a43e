"""Numbering of the registers under concurrent registration (PostgreSQL: row locks are real
there), and working-day deadlines on Togo's calendar."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from cabinet.models import Holiday
from cabinet.services import holidays_seed
from correspondence import services
from correspondence.models import Instruction, Mail, MailKind, Register, RegisterCounter

THREADS = 8
PER_THREAD = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_give_consecutive_numbers(people, embassy):
    kind = MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def clerk(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                services.mail_register_incoming(
                    registered_by=people.secretariat,
                    correspondent=embassy,
                    subject=f"Lettre {n}-{i}",
                    kind=kind,
                    arrival_date=timezone.localdate(),
                )
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Mail.objects.filter(register=Register.ARRIVEE).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS * PER_THREAD + 1))
    assert RegisterCounter.objects.get(register=Register.ARRIVEE).last_number == THREADS * PER_THREAD
    # The chain holds too: each entry chains on the one numbered just before it.
    from correspondence.integrity import verify_all

    assert verify_all() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_registration_burns_no_number(people, embassy):
    kind = MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]

    def register():
        return services.mail_register_incoming(
            registered_by=people.secretariat,
            correspondent=embassy,
            subject="Lettre",
            kind=kind,
            arrival_date=timezone.localdate(),
        )

    assert register().number == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert register().number == 2
        raise RuntimeError("la suite de l'enregistrement échoue")
    assert register().number == 2
    assert list(Mail.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db
@freeze_time("2026-04-24 09:00:00")  # a Friday; Monday 27 April is Independence Day
def test_default_deadlines_count_working_days_across_holidays(register_incoming, people):
    holidays_seed(years=[2026])
    assert Holiday.objects.filter(date=datetime.date(2026, 4, 27)).exists()
    urgent = register_incoming(priority=Mail.Priority.URGENTE)
    normal = register_incoming(priority=Mail.Priority.NORMALE)
    very = register_incoming(priority=Mail.Priority.TRES_URGENTE)
    deadlines = {
        mail.priority: services.imputation_create(
            mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
        ).deadline
        for mail in (urgent, normal, very)
    }
    # 3 working days: Tue 28, Wed 29, Thu 30 April (Mon 27 is a holiday, the weekend does not count).
    assert deadlines["urgente"] == datetime.date(2026, 4, 30)
    # 1 working day: Tuesday 28 April.
    assert deadlines["tres_urgente"] == datetime.date(2026, 4, 28)
    # 10 working days, skipping the weekends, 27 April and 1 May: Tuesday 12 May.
    assert deadlines["normale"] == datetime.date(2026, 5, 12)


@pytest.mark.django_db
@freeze_time("2026-04-20 09:00:00")
def test_a_chosen_deadline_on_a_holiday_moves_to_the_next_working_day(register_incoming, people):
    holidays_seed(years=[2026])
    mail = register_incoming()
    imputation = services.imputation_create(
        mail=mail,
        created_by=people.directeur,
        assignee=people.conseiller1,
        instruction=Instruction.AVIS,
        deadline=datetime.date(2026, 4, 25),  # Saturday, then Sunday, then Monday 27 (holiday)
    )
    assert imputation.deadline == datetime.date(2026, 4, 28)


def test_an_invalid_letter_is_refused_before_the_register_is_locked(register_incoming):
    """Validation runs before the counter's lock (the lock stays short): a bad letter never
    takes it, and burns no number."""
    from django.core.exceptions import ValidationError
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from correspondence.models import RegisterCounter

    first = register_incoming()
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as error:
        register_incoming(priority="inexistante")
    assert "priority" in error.value.message_dict
    assert not [q for q in queries if "FOR UPDATE" in q["sql"]]
    assert RegisterCounter.objects.get(register=first.register, year=first.year).last_number == first.number
    assert register_incoming().number == first.number + 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_entry_with_the_same_reference_or_number(register_incoming):
    """The locked counter decides the numbers; the unique constraints stay the database's guard
    (the reference's as a constraint since migration 0008, without its LIKE index)."""
    from django.db import IntegrityError

    mail = register_incoming()
    copy = Mail.objects.get(pk=mail.pk)
    copy.pk = None
    copy.number = mail.number + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()  # same reference
    copy.reference = f"{mail.reference}-bis"
    copy.number = mail.number
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()  # same register, year and number
