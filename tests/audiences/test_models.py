"""How an audience's history line names itself (administration, logs): in Lomé time."""

import datetime

from django.utils import translation

from audiences.models import AudienceEvent


def test_an_audience_event_names_its_moment_in_lome_time():
    """Lomé is UTC+0: 00:30 at UTC+1 is 23:30 the day before there."""
    at = datetime.datetime(2026, 11, 30, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    with translation.override("fr"):
        assert str(AudienceEvent(kind=AudienceEvent.Kind.MOVED, at=at)) == "Déplacée — 29/11/2026 23:30"
