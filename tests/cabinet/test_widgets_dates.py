"""Dates and times as the ministry writes them, whatever the language of the page
(cabinet.widgets.FrenchDateField and friends)."""

import datetime

import pytest
from django import forms
from django.utils import timezone, translation

from cabinet.widgets import FrenchDateField, FrenchDateTimeField, FrenchTimeField


class Form(forms.Form):
    day = FrenchDateField(required=False)
    at = FrenchTimeField(required=False)
    when = FrenchDateTimeField(required=False)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_day_before_month_in_either_language(language):
    with translation.override(language):
        form = Form({"day": "03/04/2026", "at": "14h30", "when": "03/04/2026 09:05"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2026, 4, 3)  # 3 April, never 4 March
        assert form.cleaned_data["at"] == datetime.time(14, 30)
        when = timezone.localtime(form.cleaned_data["when"])
        assert (when.date(), when.time()) == (datetime.date(2026, 4, 3), datetime.time(9, 5))
        html = str(Form(initial={"day": datetime.date(2026, 4, 3), "at": datetime.time(7, 5)}))
        assert 'value="03/04/2026"' in html and 'value="07:05"' in html
        assert 'type="text"' in html and 'type="date"' not in html and 'type="time"' not in html


def test_iso_dates_from_addresses_and_older_pages_still_read():
    form = Form({"day": "2026-04-03", "when": "2026-04-03T09:05"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 4, 3)


def test_impossible_or_american_dates_get_the_french_message():
    form = Form({"day": "04/31/2026", "at": "25:00"})
    assert not form.is_valid()
    assert form.errors["day"] == ["Saisissez une date valide."]
    assert form.errors["at"] == ["Saisissez une heure valide."]


def test_date_field_carries_its_calendar_button_label_and_placeholder():
    html = str(Form()["day"])
    assert 'placeholder="jj/mm/aaaa"' in html and 'data-date-label="Ouvrir le calendrier"' in html
    assert 'inputmode="numeric"' in html
