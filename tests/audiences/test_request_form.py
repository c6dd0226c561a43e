"""The request form at the register's scale: the requester is searched as you type
(correspondence's picker) and the incoming letter typed by its number, so neither the
creation nor the correction page lists the directory or the register; both run the same
queries for 3 or 60 correspondents and letters. Merged and inactive entries stay refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audiences.models import Audience
from correspondence.models import Correspondent, Mail, MailKind
from correspondence.services import mail_register_incoming

from .test_views_edit import edit_url, form_data

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."


def add_correspondents_and_letters(people, count: int, first: int = 0) -> tuple[list, list]:
    """``count`` correspondents, each the sender of one incoming letter (one in three
    confidential: hidden from the secretariat)."""
    correspondents = Correspondent.objects.bulk_create(
        Correspondent(name=f"Mission numéro {first + n}", kind=Correspondent.Kind.EMBASSY) for n in range(count)
    )
    kind = MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})[0]
    letters = [
        mail_register_incoming(
            registered_by=people.secretariat,
            correspondent=correspondent,
            subject=f"Lettre numéro {first + n}",
            kind=kind,
            arrival_date=timezone.localdate(),
            confidentiality=Mail.Confidentiality.CONFIDENTIEL if n % 3 == 0 else Mail.Confidentiality.ORDINAIRE,
        )
        for n, correspondent in enumerate(correspondents)
    ]
    return correspondents, letters


def measured(client, url) -> tuple[int, str]:
    # Warm-up after the writes: cabinet.freshness recomputes the per-person caches (menu
    # counts) on the first request after any write.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def request_form(page: str) -> str:
    """The HTML of the request form alone (not the header's or footer's)."""
    return next(form for form in page.split("<form")[1:] if 'name="purpose"' in form).split("</form>", 1)[0]


def test_the_request_pages_run_the_same_queries_for_3_and_60_correspondents_and_letters(client, people, make_request):
    correspondents, letters = add_correspondents_and_letters(people, 3)
    audience = make_request(by=people.attache, letter=letters[0])
    pages = (
        (people.attache, reverse("audiences:create")),
        (people.secretariat, reverse("audiences:create")),
        (people.attache, edit_url(audience)),
    )
    few = []
    for user, url in pages:
        client.force_login(user)
        few.append(measured(client, url))

    more_correspondents, more_letters = add_correspondents_and_letters(people, 57, first=3)
    for (user, url), (queries, page_with_few) in zip(pages, few, strict=True):
        client.force_login(user)
        count, page = measured(client, url)
        assert count == queries, url
        # No <option> per correspondent or letter: the form's only list is the categories
        # of the picker's « + Créer… ».
        assert page.count("<option") == page_with_few.count("<option")
        assert request_form(page).count("<option") == len(Correspondent.Kind.choices)
        for correspondent in correspondents[1:] + more_correspondents:
            assert correspondent.name not in page
        # (The example in the placeholder and help text is a number like any other.)
        page = page.replace(f"A-{timezone.localdate().year}-00012", "")
        for letter in letters[1:] + more_letters:
            assert letter.reference not in page and letter.subject not in page


def test_the_request_pages_load_the_correspondent_picker(login, people, make_request):
    client = login(people.attache)
    audience = make_request()
    for url in (reverse("audiences:create"), edit_url(audience)):
        page = client.get(url).content.decode()
        assert 'data-picker data-name="requester" data-search-url="/courrier/correspondants/recherche/"' in page
        assert 'src="/static/correspondence/picker.js" defer' in page
        assert 'href="/static/correspondence/picker.css"' in page
        assert "data-searchable" not in page
    # The edit page shows the requester already chosen, as the picker posts it.
    page = client.get(edit_url(audience)).content.decode()
    assert (
        f'<input type="hidden" name="requester" value="{audience.requester_id}"><span>Ambassade du Ghana</span>' in page
    )


def test_the_chosen_requester_stays_chosen_when_the_form_comes_back(login, people, requester):
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    response = login(people.secretariat).post(
        reverse("audiences:create"),
        {"requester": requester.pk, "purpose": "Objet", "wished_from": yesterday.isoformat()},
    )
    assert response.status_code == 200 and "wished_from" in response.context["form"].errors
    page = response.content.decode()
    assert f'<input type="hidden" name="requester" value="{requester.pk}"><span>Ambassade du Ghana</span>' in page


def test_a_merged_or_inactive_requester_is_refused(login, people, requester):
    merged = Correspondent.objects.create(name="Ambassade du Ghana (doublon)", merged_into=requester)
    inactive = Correspondent.objects.create(name="Ancienne mission", is_active=False)
    client = login(people.secretariat)
    for correspondent in (merged, inactive):
        response = client.post(
            reverse("audiences:create"),
            {"requester": correspondent.pk, "purpose": "Objet", "wished_from": timezone.localdate().isoformat()},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["requester"] == [INVALID_CHOICE]
    assert Audience.objects.count() == 0


def test_a_requester_merged_since_the_request_stays_valid_on_edit_but_another_is_refused(
    login, people, requester, make_request
):
    audience = make_request()
    survivor = Correspondent.objects.create(name="Ambassade de la République du Ghana")
    Correspondent.objects.filter(pk=requester.pk).update(merged_into=survivor)
    other = Correspondent.objects.create(name="Ancienne mission", is_active=False)
    client = login(people.attache)
    assert client.post(edit_url(audience), form_data(audience, purpose="Objet corrigé")).status_code == 302
    response = client.post(edit_url(audience), form_data(audience, requester=other.pk))
    assert response.context["form"].errors["requester"] == [INVALID_CHOICE]
    audience.refresh_from_db()
    assert audience.requester_id == requester.pk and audience.purpose == "Objet corrigé"
