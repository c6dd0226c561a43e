import datetime

import pytest

from cabinet.models import Holiday
from cabinet.services import holidays_seed
from cabinet.workdays import (
    add_working_days,
    is_working_day,
    next_working_day,
    statutory_holidays,
    working_days_between,
)

D = datetime.date


@pytest.fixture
def calendar_2026(db):
    holidays_seed(years=[2026])


def test_statutory_holidays_include_easter_based_days():
    days = {d: name for d, name, _kind in statutory_holidays(2026)}
    assert days[D(2026, 4, 6)] == "Lundi de Pâques"  # Easter 2026 is 5 April
    assert days[D(2026, 5, 14)] == "Ascension"
    assert days[D(2026, 5, 25)] == "Lundi de Pentecôte"
    assert days[D(2026, 4, 27)] == "Fête de l'indépendance"
    assert days[D(2026, 1, 13)] == "Fête de la libération nationale"


def test_weekends_are_not_working_days(calendar_2026):
    assert not is_working_day(D(2026, 11, 28))  # Saturday
    assert not is_working_day(D(2026, 11, 29))  # Sunday
    assert is_working_day(D(2026, 11, 30))


def test_deadline_skips_weekend_and_holidays(calendar_2026):
    # Friday 24 April 2026 + 2 working days: Mon 27 April is Independence day → Tue 28, Wed 29.
    assert add_working_days(D(2026, 4, 24), 2) == D(2026, 4, 29)
    # Thursday 31 Dec 2026 + 1: Fri 1 Jan 2027 not seeded here, so Fri 1 Jan counts.
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 24)
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 28)  # 25 Dec holiday, then weekend


def test_deadline_on_a_non_working_day_moves_to_the_next_working_day(calendar_2026):
    assert next_working_day(D(2026, 5, 1)) == D(2026, 5, 4)  # Fête du travail is a Friday
    assert add_working_days(D(2026, 8, 15), 0) == D(2026, 8, 17)


def test_islamic_feasts_entered_in_admin_count(calendar_2026):
    Holiday.objects.update_or_create(date=D(2026, 8, 26), defaults={"name": "Maouloud", "kind": Holiday.Kind.ISLAMIC})
    assert add_working_days(D(2026, 8, 25), 1) == D(2026, 8, 27)


def test_working_days_between(calendar_2026):
    assert working_days_between(D(2026, 4, 24), D(2026, 4, 29)) == 2
    assert working_days_between(D(2026, 4, 29), D(2026, 4, 24)) == -2


def test_holiday_seeding_is_idempotent_and_keeps_corrections(db):
    holidays_seed(years=[2026])
    Holiday.objects.filter(date=D(2026, 3, 20)).update(name="Aïd el-Fitr (corrigé)")
    assert holidays_seed(years=[2026]) == 0
    assert Holiday.objects.get(date=D(2026, 3, 20)).name == "Aïd el-Fitr (corrigé)"
