"""How a mail's history line names itself (administration, logs): in Lomé time."""

import datetime

from django.utils import translation

from cabinet.models import User
from correspondence.models import MailConsultation, MailEvent


def test_a_mail_event_names_its_moment_in_lome_time():
    """Lomé is UTC+0: 00:30 at UTC+1 is 23:30 the day before there."""
    at = datetime.datetime(2026, 11, 30, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    with translation.override("fr"):
        assert str(MailEvent(action=MailEvent.Action.REGISTERED, at=at)) == "Enregistrement — 29/11/2026 23:30"


def test_a_consultation_names_its_moment_in_lome_time():
    at = datetime.datetime(2026, 11, 30, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert str(MailConsultation(user=User(username="greffe"), at=at)) == "greffe — 29/11/2026 23:30"
