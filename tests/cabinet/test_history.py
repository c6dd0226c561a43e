"""``cabinet.history.shown``: how every history writes a value a correction changed. A moment
keeps its time, read in Lomé; a date stays jj/mm/aaaa."""

import datetime
import zoneinfo

from cabinet.history import shown

UTC_PLUS_ONE = datetime.timezone(datetime.timedelta(hours=1))


def test_a_moment_shows_its_date_and_time_in_lome():
    assert shown(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC)) == "29/11/2026 à 10:00"


def test_a_moment_from_another_zone_is_converted_to_lome():
    """Lomé is UTC+0: 10:00 at UTC+1 is 09:00 there, and 00:30 at UTC+1 the day before."""
    assert shown(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=UTC_PLUS_ONE)) == "29/11/2026 à 09:00"
    assert shown(datetime.datetime(2026, 11, 30, 0, 30, tzinfo=UTC_PLUS_ONE)) == "29/11/2026 à 23:30"
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert shown(datetime.datetime(2026, 7, 1, 17, 45, tzinfo=paris)) == "01/07/2026 à 15:45"  # summer: UTC+2


def test_two_times_of_the_same_day_are_told_apart():
    before = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC)
    after = before.replace(hour=15)
    assert shown(before) != shown(after)


def test_a_naive_moment_is_shown_as_it_reads_not_refused():
    assert shown(datetime.datetime(2026, 11, 29, 10, 5)) == "29/11/2026 à 10:05"


def test_a_date_stays_day_month_year():
    assert shown(datetime.date(2026, 3, 10)) == "10/03/2026"


def test_a_time_shows_hours_and_minutes():
    assert shown(datetime.time(9, 5)) == "09:05"
    assert shown(datetime.time(15, 0, 42)) == "15:00"


def test_the_other_values_are_written_as_before():
    assert shown(None) == shown("") == "—"
    assert (shown(True), shown(False)) == ("oui", "non")
    assert shown(["Visas", "Notes verbales"]) == "Visas, Notes verbales"
    assert shown(3) == "3"
