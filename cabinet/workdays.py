"""Togo's working calendar: weekends and public holidays (editable in the admin).

Deadlines are counted in working days; a date falling on a non-working day moves to the next
working day.
"""

from __future__ import annotations

import datetime

from dateutil.easter import easter

from .models import Holiday

WEEKEND = {5, 6}  # Saturday, Sunday

# Fixed-date national holidays (check against the official list each year).
FIXED_HOLIDAYS = [
    (1, 1, "Jour de l'an"),
    (1, 13, "Fête de la libération nationale"),
    (4, 27, "Fête de l'indépendance"),
    (5, 1, "Fête du travail"),
    (6, 21, "Journée des martyrs"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (12, 25, "Noël"),
]

# Islamic feasts are fixed each year by the authorities: these are the announced or expected
# dates, to be checked and corrected in the admin.
ISLAMIC_HOLIDAYS = {
    2025: [
        (datetime.date(2025, 3, 31), "Aïd el-Fitr (Ramadan)"),
        (datetime.date(2025, 6, 6), "Tabaski (Aïd el-Kébir)"),
    ],
    2026: [
        (datetime.date(2026, 3, 20), "Aïd el-Fitr (Ramadan)"),
        (datetime.date(2026, 5, 27), "Tabaski (Aïd el-Kébir)"),
    ],
    2027: [
        (datetime.date(2027, 3, 10), "Aïd el-Fitr (Ramadan)"),
        (datetime.date(2027, 5, 17), "Tabaski (Aïd el-Kébir)"),
    ],
}


def statutory_holidays(year: int) -> list[tuple[datetime.date, str, str]]:
    """The fixed and Easter-based holidays of a year, as (date, name, kind)."""
    days = [(datetime.date(year, m, d), name, Holiday.Kind.FIXED) for m, d, name in FIXED_HOLIDAYS]
    sunday = easter(year)
    days += [
        (sunday + datetime.timedelta(days=1), "Lundi de Pâques", Holiday.Kind.EASTER),
        (sunday + datetime.timedelta(days=39), "Ascension", Holiday.Kind.EASTER),
        (sunday + datetime.timedelta(days=50), "Lundi de Pentecôte", Holiday.Kind.EASTER),
    ]
    return sorted(days)


def holidays_between(start: datetime.date, end: datetime.date) -> set[datetime.date]:
    return set(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def is_working_day(day: datetime.date, holidays: set[datetime.date] | None = None) -> bool:
    if day.weekday() in WEEKEND:
        return False
    if holidays is None:
        holidays = holidays_between(day, day)
    return day not in holidays


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    holidays = holidays_between(day, day + datetime.timedelta(days=60))
    while not is_working_day(day, holidays):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The date ``count`` working days after ``start`` (``start`` itself not counted).

    With count 0, ``start`` moved to the next working day if needed.
    """
    if count <= 0:
        return next_working_day(start)
    # Generous window: a run of holidays never spans more than a couple of weeks.
    holidays = holidays_between(start, start + datetime.timedelta(days=count * 2 + 60))
    day, left = start, count
    while left:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    holidays = holidays_between(start, end)
    day, total = start, 0
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays):
            total += 1
    return total
