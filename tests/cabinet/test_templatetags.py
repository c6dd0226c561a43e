"""``moment``: the pages print a date and time as the histories do, in Lomé time and in the
reader's language (a fixed ``date:"d/m/Y à H:i"`` kept « à » in the English pages)."""

import datetime

from django.template import Context, Template
from django.utils import translation

from cabinet.templatetags.cabinet_dates import moment

UTC_PLUS_ONE = datetime.timezone(datetime.timedelta(hours=1))
SIGNED = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC)


def test_a_moment_reads_a_in_french_and_at_in_english():
    with translation.override("fr"):
        assert moment(SIGNED) == "29/11/2026 à 10:00"
    with translation.override("en"):
        assert moment(SIGNED) == "29/11/2026 at 10:00"


def test_a_moment_in_french_is_what_the_fixed_format_printed():
    """The PDFs and their tests compare strings: French output is unchanged."""
    old = Template('{{ v|date:"d/m/Y à H:i" }}')
    new = Template("{% load cabinet_dates %}{{ v|moment }}")
    with translation.override("fr"):
        for value in (SIGNED, datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC_PLUS_ONE)):
            context = Context({"v": value})
            assert new.render(context) == old.render(context)


def test_a_moment_from_another_zone_is_shown_in_lome_time():
    """Lomé is UTC+0: 10:00 at UTC+1 is 09:00 there, and 00:30 at UTC+1 the day before."""
    with translation.override("fr"):
        assert moment(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=UTC_PLUS_ONE)) == "29/11/2026 à 09:00"
        assert moment(datetime.datetime(2026, 11, 30, 0, 30, tzinfo=UTC_PLUS_ONE)) == "29/11/2026 à 23:30"


def test_no_moment_prints_nothing():
    assert moment(None) == moment("") == ""
