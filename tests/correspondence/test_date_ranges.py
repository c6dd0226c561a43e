"""Days filter ``registered_at`` as half-open ranges of local (Africa/Lome) days, so that the
indexes on ``registered_at`` serve them (docs/performance.md, item 3): the rows are the same
as a ``__date`` lookup's, a letter registered at 23:59 Lomé time belongs to that day, one at
00:00 the next day does not."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from correspondence.models import Mail
from correspondence.selectors import MailFilters, filtered_mails, local_midnight
from correspondence.selectors_reporting import dashboard_tiles, register_period_rows

from .outputs_data import incoming

pytestmark = pytest.mark.django_db

LOME = ZoneInfo("Africa/Lome")
DAY = datetime.date(2026, 11, 25)  # a Wednesday


def registered_at(mail, when: datetime.datetime) -> Mail:
    Mail.objects.filter(pk=mail.pk).update(registered_at=when)
    return mail


@pytest.fixture
def around_midnight(people):
    """Three letters: the day before at 23:59:59, the day at 23:59, the next day at 00:00."""
    before = registered_at(incoming(people), datetime.datetime(2026, 11, 24, 23, 59, 59, tzinfo=LOME))
    late = registered_at(incoming(people), datetime.datetime(2026, 11, 25, 23, 59, tzinfo=LOME))
    next_day = registered_at(incoming(people), datetime.datetime(2026, 11, 26, 0, 0, tzinfo=LOME))
    return before, late, next_day


def test_local_midnight_is_the_start_of_the_lome_day_and_timezone_aware():
    midnight = local_midnight(DAY)
    assert timezone.is_aware(midnight)
    assert midnight == datetime.datetime(2026, 11, 25, 0, 0, tzinfo=LOME)


def test_register_filter_on_one_day_includes_23_59_lome_and_excludes_midnight_next_day(people, around_midnight):
    before, late, next_day = around_midnight
    rows = filtered_mails(people.directeur, MailFilters(date_from=DAY, date_to=DAY))
    assert list(rows.values_list("pk", flat=True)) == [late.pk]


def test_register_filter_from_a_day_starts_at_its_lome_midnight(people, around_midnight):
    before, late, next_day = around_midnight
    rows = filtered_mails(people.directeur, MailFilters(date_from=DAY))
    assert set(rows.values_list("pk", flat=True)) == {late.pk, next_day.pk}
    rows = filtered_mails(people.directeur, MailFilters(date_to=DAY))
    assert before.pk in set(rows.values_list("pk", flat=True))
    assert next_day.pk not in set(rows.values_list("pk", flat=True))


def test_register_filter_gives_the_same_rows_as_the_local_date(people, around_midnight):
    for start, end in [(DAY, DAY), (DAY - datetime.timedelta(days=1), DAY), (DAY, DAY + datetime.timedelta(days=1))]:
        ranged = set(
            filtered_mails(people.directeur, MailFilters(date_from=start, date_to=end)).values_list("pk", flat=True)
        )
        by_date = set(
            Mail.objects.filter(registered_at__date__gte=start, registered_at__date__lte=end).values_list(
                "pk", flat=True
            )
        )
        assert ranged == by_date


def test_printed_register_period_includes_23_59_lome_and_excludes_midnight_next_day(people, around_midnight):
    before, late, next_day = around_midnight
    rows = register_period_rows(people.directeur, register="arrivee", start=DAY, end=DAY)
    assert [m.pk for m in rows] == [late.pk]


def test_received_this_week_counts_until_today_23_59_lome(people, around_midnight):
    before, late, next_day = around_midnight
    # Monday 23/11 to Wednesday 25/11: the letter of Tuesday 23:59:59 and Wednesday 23:59.
    assert dashboard_tiles(people.directeur, today=DAY).received_this_week == 2
