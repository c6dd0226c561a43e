"""The pages: success, bad input kept with French errors, wrong method, query counts, PDF."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audiences.models import Audience, AudienceState, Unavailability

from .conftest import at

pytestmark = pytest.mark.django_db


def test_record_a_request(login, people, requester):
    client = login(people.secretariat)
    response = client.post(
        reverse("audiences:create"),
        {
            "requester": requester.pk,
            "purpose": "Présentation des lettres de créance",
            "wished_from": timezone.localdate().isoformat(),
            "participants_text": "S.E. Kwame Mensah ; Ambassadeur ; ghanéenne\nM. Kofi Annan ; Conseiller",
            "participants_count": "",
        },
    )
    audience = Audience.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audiences:detail", args=[audience.pk])
    assert [(p.name, p.title, p.nationality) for p in audience.participants.all()] == [
        ("S.E. Kwame Mensah", "Ambassadeur", "ghanéenne"),
        ("M. Kofi Annan", "Conseiller", ""),
    ]
    assert audience.participants_count == 2 and audience.created_by == people.secretariat


def test_request_in_the_past_gets_a_french_error_and_keeps_input(login, people, requester):
    client = login(people.attache)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("audiences:create"),
        {
            "requester": requester.pk,
            "purpose": "Objet que je ne veux pas retaper",
            "wished_from": yesterday.isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["wished_from"] == ["La date souhaitée ne peut pas être passée."]
    assert "Objet que je ne veux pas retaper" in response.content.decode()
    today = timezone.localdate()
    response = client.post(
        reverse("audiences:create"),
        {
            "requester": requester.pk,
            "purpose": "Objet que je ne veux pas retaper",
            "wished_from": (today + datetime.timedelta(days=5)).isoformat(),
            "wished_until": today.isoformat(),
        },
    )
    assert response.context["form"].errors["wished_until"] == [
        "La fin de la période souhaitée ne peut pas précéder son début."
    ]
    assert (today + datetime.timedelta(days=5)).isoformat() in response.content.decode()
    assert Audience.objects.count() == 0


def programme_data(day, start="10:00", end="10:30", place=None, **extra):
    data = {"day": day.isoformat(), "start_time": start, "end_time": end, "place": place.pk if place else ""}
    data.update(extra)
    return data


def test_programme_end_before_start_keeps_input(login, people, make_request, place, day):
    audience = make_request()
    response = login(people.attache).post(
        reverse("audiences:programme", args=[audience.pk]),
        programme_data(day, "11:00", "10:00", place, protocol_notes="Accueil au pied de l'escalier"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_time"] == ["La fin doit être postérieure au début."]
    assert "Accueil au pied de l&#x27;escalier" in response.content.decode()


def test_programme_overlap_names_the_conflict_next_to_the_day(login, people, programmed, make_request, place, day):
    programmed(hour=10)
    audience = make_request(on_behalf_of="Union africaine")
    response = login(people.chef_sp).post(
        reverse("audiences:programme", args=[audience.pk]), programme_data(day, "10:15", "10:45", place)
    )
    assert response.status_code == 200
    error = response.context["form"].errors["day"][0]
    assert "Ambassade du Ghana" in error and "10:00–10:30" in error
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.RECEIVED


def test_slot_outside_office_hours_is_kept_only_once_confirmed(login, people, make_request, place, day):
    audience = make_request()
    client = login(people.attache)
    url = reverse("audiences:programme", args=[audience.pk])
    response = client.post(url, programme_data(day, "18:30", "19:00", place))
    assert response.status_code == 200
    assert "heures de bureau" in response.content.decode()
    assert 'type="checkbox" name="confirm_warnings"' in response.content.decode()
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.RECEIVED
    response = client.post(url, programme_data(day, "18:30", "19:00", place, confirm_warnings="on"))
    assert response.status_code == 302
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.PROGRAMMED


def test_move_through_the_page(login, people, programmed, day):
    audience = programmed(hour=10)
    client = login(people.attache)
    url = reverse("audiences:move", args=[audience.pk])
    assert client.get(url).context["form"].initial["start_time"] == datetime.time(10, 0)
    response = client.post(url, {"day": day.isoformat(), "start_time": "14:00", "end_time": "14:30", "reason": ""})
    assert response.context["form"].errors["reason"]
    response = client.post(
        url, {"day": day.isoformat(), "start_time": "14:00", "end_time": "14:30", "reason": "Conseil avancé"}
    )
    assert response.status_code == 302
    audience.refresh_from_db()
    assert audience.starts_at == at(day, 14) and audience.sequence == 1


def test_a_move_within_the_day_shows_both_times_in_the_history(login, people, programmed, day):
    """Moved from 10:00 to 15:00 the same day: the history says from which time to which, not
    the same date twice."""
    audience = programmed(hour=10)
    client = login(people.attache)
    data = {"day": day.isoformat(), "start_time": "15:00", "end_time": "15:30", "reason": "Conseil avancé"}
    assert client.post(reverse("audiences:move", args=[audience.pk]), data).status_code == 302
    page = client.get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    history = page.split('id="historique"', 1)[1]
    d = f"{day:%d/%m/%Y}"
    assert f"du {d} 10:00 au {d} 15:00" in history


def test_protocol_confirms_and_asks_change_from_the_pages(login, people, programmed):
    audience = programmed()
    client = login(people.protocole)
    assert "Confirmer" in client.get(reverse("audiences:protocol")).content.decode()
    client.post(reverse("audiences:ask_change", args=[audience.pk]), {"comment": "Interprète indisponible"})
    assert audience.events.filter(kind="changement", comment="Interprète indisponible").exists()
    client.post(reverse("audiences:confirm", args=[audience.pk]))
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.CONFIRMED
    # Confirming twice is refused with a message, nothing changes.
    response = client.post(reverse("audiences:confirm", args=[audience.pk]), follow=True)
    assert "Action impossible" in response.content.decode()


def test_cancel_from_the_page_requires_a_reason(login, people, programmed):
    audience = programmed()
    client = login(people.attache)
    response = client.post(reverse("audiences:cancel", args=[audience.pk]), {"reason": ""}, follow=True)
    assert "Ce champ est obligatoire." in response.content.decode()
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.PROGRAMMED
    client.post(reverse("audiences:cancel", args=[audience.pk]), {"reason": "Empêchement"})
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.CANCELLED


def test_block_through_the_page_and_its_errors(login, people, day):
    client = login(people.chef_sp)
    url = reverse("audiences:block_create")
    response = client.post(
        url,
        {"title": "Voyage à Abuja", "kind": "voyage", "starts_at": f"{day}T12:00", "ends_at": f"{day}T09:00"},
    )
    assert response.context["form"].errors["ends_at"] == ["La fin doit être postérieure au début."]
    response = client.post(
        url, {"title": "Voyage à Abuja", "kind": "voyage", "starts_at": f"{day}T08:00", "ends_at": f"{day}T18:00"}
    )
    assert response.status_code == 302
    block = Unavailability.objects.get()
    assert "Voyage à Abuja" in client.get(reverse("audiences:day"), {"jour": day.isoformat()}).content.decode()
    client.post(reverse("audiences:block_lift", args=[block.pk]))
    assert Unavailability.objects.get().is_cancelled


@pytest.mark.parametrize(
    ("name", "method", "needs_pk"),
    [
        ("audiences:confirm", "get", True),
        ("audiences:cancel", "get", True),
        ("audiences:study", "get", True),
        ("audiences:detail", "post", True),
        ("audiences:week", "post", False),
        ("audiences:list", "post", False),
        ("audiences:programme_pdf", "post", False),
    ],
)
def test_wrong_method_answers_405(login, people, programmed, name, method, needs_pk):
    audience = programmed()
    args = [audience.pk] if needs_pk else []
    response = getattr(login(people.attache), method)(reverse(name, args=args))
    assert response.status_code == 405


def test_missing_audience_answers_404(login, people):
    assert login(people.attache).get(reverse("audiences:detail", args=[999999])).status_code == 404


def queries_for(client, url, params=None) -> int:
    client.get(url, params or {})  # warm-up: session and per-request caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


def page_queries(client, people, day) -> dict:
    pages = {
        "list": (people.attache, reverse("audiences:list"), None),
        "week": (people.attache, reverse("audiences:week"), {"jour": day.isoformat()}),
        "day": (people.ministre, reverse("audiences:day"), {"jour": day.isoformat()}),
        "protocol": (people.protocole, reverse("audiences:protocol"), None),
        "dashboard": (people.chef_sp, reverse("home"), None),
    }
    counts = {}
    for name, (user, url, params) in pages.items():
        client.force_login(user)
        counts[name] = queries_for(client, url, params)
    return counts


def test_list_and_agenda_pages_run_a_constant_number_of_queries(client, people, programmed, day):
    programmed(hour=8, minute=0)
    few = page_queries(client, people, day)
    for hour in (10, 12, 14, 16):
        programmed(hour=hour, minute=0)
    assert page_queries(client, people, day) == few


def test_programme_du_jour_pdf_lists_the_audiences(login, people, programmed, day):
    audience = programmed(hour=10, on_behalf_of="Union africaine")
    audience.protocol_notes = "Accueil au perron"
    audience.save(update_fields=["protocol_notes"])
    response = login(people.ministre).get(reverse("audiences:programme_pdf"), {"jour": day.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Programme du jour" in text
    assert "Union africaine" in text and "10:00" in text and "Bureau du ministre" in text
    assert "S.E. Kwame Mensah" in text and "Accueil au perron" in text
    assert abs(float(reader.pages[0].mediabox.width) - 595.3) < 1  # A4


def test_the_programme_pdf_declares_the_language_it_is_printed_in(login, people, programmed, day):
    """Read aloud by a screen reader or indexed, a PDF must say its language: French by default,
    English for whoever chose it."""
    programmed(hour=10)
    client = login(people.ministre)

    def language():
        response = client.get(reverse("audiences:programme_pdf"), {"jour": day.isoformat()})
        return PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/Lang"]

    assert language() == "fr"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert language() == "en"


def test_programme_du_jour_omits_what_the_reader_may_not_see(login, people, programmed, day):
    programmed(hour=10, on_behalf_of="Délégation discrète", is_confidential=True)
    programmed(hour=14, on_behalf_of="Union africaine")
    response = login(people.protocole).get(reverse("audiences:programme_pdf"), {"jour": day.isoformat()})
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Union africaine" in text and "Délégation discrète" not in text


def test_dashboard_panels_by_role(login, people, programmed, make_request):
    programmed()
    make_request(on_behalf_of="Demande en attente")
    page = login(people.attache).get(reverse("home")).content.decode()
    assert "Prochaines audiences" in page and "En attente de confirmation du protocole" in page
    assert "Demandes d'audience à étudier" in page and "Demande en attente" in page
    page = login(people.protocole).get(reverse("home")).content.decode()
    assert "En attente de confirmation du protocole" in page and "Demande en attente" not in page
    page = login(people.outsider).get(reverse("home")).content.decode()
    assert "Prochaines audiences" not in page


def test_report_upload_and_download(login, people, programmed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    audience = programmed()
    Audience.objects.filter(pk=audience.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=2)
    )
    client = login(people.attache)
    client.post(
        reverse("audiences:report", args=[audience.pk]),
        {"file": SimpleUploadedFile("cr.pdf", b"%PDF-1.4 Compte rendu")},
    )
    attachment = audience.attachments.get(kind="compte_rendu")
    response = login(people.directeur).get(reverse("audiences:attachment", args=[audience.pk, attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 Compte rendu"
    services_state = Audience.objects.get(pk=audience.pk).state
    assert services_state == AudienceState.HELD


def test_study_accept_refuse_from_the_pages(login, people, make_request):
    first, second = make_request(), make_request()
    client = login(people.chef_sp)
    client.post(reverse("audiences:study", args=[first.pk]))
    assert Audience.objects.get(pk=first.pk).state == AudienceState.STUDY
    client.post(reverse("audiences:accept", args=[first.pk]))
    assert Audience.objects.get(pk=first.pk).state == AudienceState.ACCEPTED
    response = client.post(reverse("audiences:refuse", args=[second.pk]), {"reason": ""}, follow=True)
    assert "Ce champ est obligatoire." in response.content.decode()
    client.post(reverse("audiences:refuse", args=[second.pk]), {"reason": "Hors attributions"})
    assert Audience.objects.get(pk=second.pk).decision_reason == "Hors attributions"
    # The secretariat records requests but does not decide on them.
    third = make_request()
    assert login(people.secretariat).post(reverse("audiences:accept", args=[third.pk])).status_code == 403
    assert Audience.objects.get(pk=third.pk).state == AudienceState.RECEIVED


def test_granting_access_to_a_confidential_audience_from_its_page(login, people, programmed):
    audience = programmed(is_confidential=True)
    assert login(people.protocole).get(reverse("audiences:detail", args=[audience.pk])).status_code == 404
    login(people.attache).post(reverse("audiences:grant", args=[audience.pk]), {"user": people.protocole.pk})
    client = login(people.protocole)
    assert client.get(reverse("audiences:detail", args=[audience.pk])).status_code == 200
    client.post(reverse("audiences:confirm", args=[audience.pk]))
    assert Audience.objects.get(pk=audience.pk).state == AudienceState.CONFIRMED
    # Only those who programme may grant access.
    response = login(people.protocole).post(
        reverse("audiences:grant", args=[audience.pk]), {"user": people.secretariat.pk}
    )
    assert response.status_code == 403


# --- Lists by pages --------------------------------------------------------------------------

PER_PAGE = 50


def _programmed_rows(requester, by, n, *, confidential=False, first_hour=0):
    """``n`` programmed audiences an hour apart from tomorrow, written straight to the table
    (the agenda's services would take minutes for sixty)."""
    start = at(timezone.localdate() + datetime.timedelta(days=1), 8) + datetime.timedelta(hours=first_hour)
    return Audience.objects.bulk_create(
        Audience(
            requester=requester,
            purpose=f"Audience {first_hour + i:02d}",
            wished_from=start.date(),
            state=AudienceState.PROGRAMMED,
            starts_at=start + datetime.timedelta(hours=i),
            ends_at=start + datetime.timedelta(hours=i, minutes=30),
            programmed_at=timezone.now(),
            is_confidential=confidential,
            created_by=by,
        )
        for i in range(n)
    )


def _same_queries(client, url, params, expected, django_assert_num_queries):
    client.get(url, params)  # warm-up: session and per-request caches
    with django_assert_num_queries(expected):
        assert client.get(url, params).status_code == 200


def test_audience_list_page_two_shows_the_next_rows_and_keeps_the_filters(login, people, requester):
    _programmed_rows(requester, people.attache, PER_PAGE + 5)
    client = login(people.attache)
    first = client.get(reverse("audiences:list"), {"state": "programmee"})
    page = first.context["page"]
    # Latest first.
    assert [a.purpose for a in page] == [f"Audience {i:02d}" for i in range(PER_PAGE + 4, 4, -1)]
    assert page.count == PER_PAGE + 5 and page.has_next
    assert 'href="?state=programmee&amp;page=2">Suivante</a>' in first.content.decode()
    second = client.get(reverse("audiences:list"), {"state": "programmee", "page": "2"}).context["page"]
    assert [a.purpose for a in second] == [f"Audience {i:02d}" for i in range(4, -1, -1)]
    for asked, shown in (("z", 1), ("0", 1), ("-7", 1), ("3", 2), ("424242", 2)):
        response = client.get(reverse("audiences:list"), {"page": asked})
        assert response.status_code == 200 and response.context["page"].number == shown


def test_audience_list_never_shows_nor_counts_a_confidential_audience(login, people, requester):
    ordinary = {a.pk for a in _programmed_rows(requester, people.attache, 3)}
    _programmed_rows(requester, people.attache, PER_PAGE + 1, confidential=True, first_hour=3)
    response = login(people.secretariat).get(reverse("audiences:list"), {"page": "2"})
    page = response.context["page"]
    assert {a.pk for a in page} == ordinary and page.number == 1 and page.count == 3
    assert not page.has_other_pages and "Suivante" not in response.content.decode()


def test_protocol_queue_pages_and_never_counts_a_confidential_audience(login, people, requester):
    _programmed_rows(requester, people.attache, PER_PAGE + 2)
    _programmed_rows(requester, people.attache, 5, confidential=True, first_hour=PER_PAGE + 2)
    client = login(people.protocole)
    first = client.get(reverse("audiences:protocol")).context["audiences"]
    # Soonest first: the order in which they are to be confirmed.
    assert [a.purpose for a in first][:2] == ["Audience 00", "Audience 01"]
    assert first.count == PER_PAGE + 2 and first.has_next
    second = client.get(reverse("audiences:protocol"), {"page": "2"}).context["audiences"]
    assert [a.purpose for a in second] == [f"Audience {PER_PAGE}", f"Audience {PER_PAGE + 1}"]
    assert client.get(reverse("audiences:protocol"), {"page": "-1"}).context["audiences"].number == 1
    assert client.get(reverse("audiences:protocol"), {"page": "8"}).context["audiences"].number == 2


def test_list_and_protocol_queue_run_the_same_queries_for_3_and_60_audiences(
    client, people, requester, django_assert_num_queries
):
    _programmed_rows(requester, people.attache, 3)
    pages = (
        (people.attache, reverse("audiences:list")),
        (people.secretariat, reverse("audiences:list")),
        (people.protocole, reverse("audiences:protocol")),
    )
    few = []
    for user, url in pages:
        client.force_login(user)
        few.append(queries_for(client, url))
    _programmed_rows(requester, people.attache, 57, first_hour=3)
    for (user, url), expected in zip(pages, few, strict=True):
        client.force_login(user)
        _same_queries(client, url, {"page": "2"}, expected, django_assert_num_queries)


def test_who_records_a_request_without_seeing_it_is_sent_to_the_list_with_the_request_named(login, people, requester):
    from .test_requester_picker import given

    client = login(given("stagiaire", "add_audience"))
    wished = timezone.localdate() + datetime.timedelta(days=3)
    response = client.post(
        reverse("audiences:create"),
        {"requester": requester.pk, "purpose": "Présentation des lettres de créance", "wished_from": wished},
    )
    audience = Audience.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audiences:list")
    listed = client.get(response["Location"])
    assert listed.status_code == 200
    assert [str(m) for m in listed.context["messages"]] == [
        "Demande d'audience de Ambassade du Ghana enregistrée (« Présentation des lettres de créance », souhaitée "
        f"à partir du {wished:%d/%m/%Y}) et transmise au cabinet ; elle ne figure pas parmi les audiences que vous "
        "pouvez consulter."
    ]
    # Its page is still not theirs.
    assert client.get(reverse("audiences:detail", args=[audience.pk])).status_code == 404


def test_the_secretariat_recording_a_confidential_request_is_sent_to_the_list(login, people, requester):
    client = login(people.secretariat)
    response = client.post(
        reverse("audiences:create"),
        {
            "requester": requester.pk,
            "purpose": "Entretien sur la sécurité régionale",
            "wished_from": timezone.localdate(),
            "is_confidential": "on",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("audiences:list"), 302)]
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Demande d'audience de Ambassade du Ghana enregistrée (« Entretien sur la sécurité")
    assert Audience.objects.get().is_confidential


def test_who_sees_the_request_recorded_is_sent_to_its_page(login, people, requester):
    for user in (people.secretariat, people.attache):
        response = login(user).post(
            reverse("audiences:create"),
            {"requester": requester.pk, "purpose": "Visite de courtoisie", "wished_from": timezone.localdate()},
            follow=True,
        )
        audience = Audience.objects.latest("pk")
        assert response.redirect_chain == [(reverse("audiences:detail", args=[audience.pk]), 302)]
        assert [str(m) for m in response.context["messages"]] == ["Demande d'audience enregistrée."]


def test_the_sub_navigation_marks_the_tab_of_the_page(login, people, programmed):
    """The agenda's tabs mark the page's own: the week on the week, the list on an audience."""
    client, audience = login(people.attache), programmed()
    pages = {
        reverse("audiences:list"): reverse("audiences:list"),
        reverse("audiences:detail", args=[audience.pk]): reverse("audiences:list"),
        reverse("audiences:day"): reverse("audiences:day"),
        reverse("audiences:week"): reverse("audiences:week"),
        reverse("audiences:feed_settings"): reverse("audiences:feed_settings"),
    }
    for path, tab in pages.items():
        page = client.get(path).content.decode()
        tabs = re.search(r'<nav class="aud-subnav".*?</nav>', page, re.S).group(0)
        assert re.findall(r'<a href="([^"]*)" aria-current="page">', tabs) == [tab], path
