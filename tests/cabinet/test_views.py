import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from cabinet.models import Notification


@pytest.mark.django_db
def test_every_page_requires_login(client):
    for url in ["/", reverse("cabinet:organisation"), reverse("cabinet:notifications"), reverse("password_change")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/connexion/")


@pytest.mark.django_db
def test_home_shows_my_positions_and_mandates(people, login):
    response = login(people.conseiller1).get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Conseiller technique chargé de l&#x27;Afrique et de l&#x27;intégration" in content
    assert "depuis le 01/09/2025" in content


@pytest.mark.django_db
def test_home_for_someone_without_mandate_says_so(people, login):
    response = login(people.outsider).get("/")
    assert "Aucun mandat en cours" in response.content.decode()


@pytest.mark.django_db
def test_home_wrong_method_is_405(people, login):
    assert login(people.attache).post("/").status_code == 405


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_mandates_or_notifications(people, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cabinet.services import mandate_create

    client = login(people.conseiller1)
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for day in range(1, 6):
        Notification.objects.create(recipient=people.conseiller1, subject=f"Note {day}")
    mandate_create(
        user=people.conseiller1,
        position=people.positions["ct-multi"],
        start_date=datetime.date(2024, 1, day),
        end_date=datetime.date(2024, 6, 30),
    )
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after) == len(before)


@pytest.mark.django_db
def test_navigation_shows_organisation_only_to_those_allowed(people, login):
    assert "Organisation</a>" in login(people.attache).get("/").content.decode()
    assert "Organisation</a>" not in login(people.conseiller1).get("/").content.decode()


@pytest.mark.django_db
def test_organisation_page_lists_current_holders(people, login):
    response = login(people.directeur).get(reverse("cabinet:organisation"))
    assert response.status_code == 200
    assert "AKAKPO" in response.content.decode()


@pytest.mark.django_db
def test_organisation_page_forbidden_without_role(people, login):
    assert login(people.conseiller2).get(reverse("cabinet:organisation")).status_code == 403


@pytest.mark.django_db
def test_notification_open_marks_read_and_is_private(people, login):
    mine = Notification.objects.create(recipient=people.attache, subject="Courrier imputé", url="/")
    theirs = Notification.objects.create(recipient=people.directeur, subject="Autre", url="/")
    client = login(people.attache)
    assert client.get(reverse("cabinet:notification_open", args=[mine.pk])).status_code == 405
    assert client.post(reverse("cabinet:notification_open", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("cabinet:notification_open", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


@pytest.mark.django_db
def test_notification_open_refuses_offsite_redirect(people, login):
    n = Notification.objects.create(recipient=people.attache, subject="x", url="https://evil.example/")
    response = login(people.attache).post(reverse("cabinet:notification_open", args=[n.pk]))
    assert response["Location"] == reverse("cabinet:notifications")


@pytest.mark.django_db
def test_unread_count_badge(people, login):
    Notification.objects.create(recipient=people.attache, subject="Un")
    Notification.objects.create(recipient=people.attache, subject="Deux")
    content = login(people.attache).get("/").content.decode()
    assert "2 notifications non lues" in content


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(people, login):
    response = login(people.attache).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_french_whatever_the_browser_asks_until_english_is_chosen(people, login):
    client = login(people.attache)
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fr">' in content and "Tableau de bord" in content
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # unknown: French again
    assert '<html lang="fr">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_language_switcher_serves_english(people, login):
    client = login(people.attache)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    content = client.get("/").content.decode()
    assert '<html lang="en">' in content
    assert "Dashboard" in content


@pytest.mark.django_db
def test_sessions_expire_after_inactivity_and_live_while_used(people, client, settings):
    """Thirty idle minutes end a session; a person who keeps working stays signed in; and
    page views within the refresh interval do not write the session."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from freezegun import freeze_time

    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS == 60
    with freeze_time(timezone.now()) as frozen:
        client.force_login(people.attache)
        assert client.get("/").status_code == 200
        for _ in range(6):  # two hours of work, a page every twenty minutes
            frozen.tick(datetime.timedelta(minutes=20))
            assert client.get("/").status_code == 200
        frozen.tick(datetime.timedelta(seconds=10))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert not [
            q for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
        ]
        # Twenty-nine minutes idle (since the last refresh): still in.
        frozen.tick(datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        # Thirty-one minutes idle: back to the login page.
        frozen.tick(datetime.timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_dates_are_french_and_time_zone_is_lome(settings):
    from django.utils import timezone

    assert settings.TIME_ZONE == "Africa/Lome"
    assert settings.LANGUAGE_CODE == "fr"
    assert timezone.get_current_timezone_name() == "Africa/Lome"


def test_english_catalogue_is_complete(settings, tmp_path, monkeypatch):
    """Every French string of the interface has its English translation, including strings
    added to the code since the catalogue was last refreshed (``make messages``): the
    catalogue is extracted afresh into a copy and must hold nothing untranslated."""
    import shutil
    from pathlib import Path

    import polib
    from django.core.management import call_command

    root = Path(__file__).resolve().parents[2]
    # makemessages writes into the ``locale`` folder of the tree it walks: walk a copy.
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in ("cabinet", "correspondence", "audiences", "delegations", "templates", "locale"):
        shutil.copytree(root / name, tmp_path / name, ignore=ignore)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    po = polib.pofile(str(tmp_path / "locale/en/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert missing == [], "run `make messages` and translate in locale/translations/*.json"
    assert po.percent_translated() == 100
