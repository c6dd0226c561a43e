"""The register's pages: read by position (keyset) when reached through the « Suivante » and
« Précédente » links of the registration-time sorts, by offset from a typed page number."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabinet import freshness
from correspondence import selectors
from correspondence.models import Mail

pytestmark = pytest.mark.django_db

PER_PAGE = 3


@pytest.fixture
def letters(register_incoming):
    """Eight ordinary letters and one secret, oldest first."""
    made = [register_incoming(subject=f"Lettre {i}") for i in range(4)]
    made.append(register_incoming(subject="Dossier secret", confidentiality=Mail.Confidentiality.SECRET))
    made += [register_incoming(subject=f"Lettre {i}") for i in range(4, 8)]
    return made


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "PER_PAGE", PER_PAGE)


def _link(response, label: str) -> str | None:
    match = re.search(r'href="(\?[^"]*)">' + label + "<", response.content.decode())
    return html.unescape(match[1]) if match else None


def _subjects(response) -> list[str]:
    return [mail.subject for mail in response.context["page"].rows]


def _walk(client, url: str, *, sort: str = "") -> list[list[str]]:
    """Every page from the first, following « Suivante »."""
    response = client.get(url, {"sort": sort} if sort else {})
    pages = [_subjects(response)]
    while (link := _link(response, "Suivante")) is not None:
        assert "after=" in link
        response = client.get(url + link)
        assert response.status_code == 200
        pages.append(_subjects(response))
    return pages


def test_following_links_reads_each_letter_once_in_order(people, login, letters, small_pages):
    client = login(people.secretariat)  # ordinary mail only: the secret letter is not shown
    url = reverse("correspondence:mail_list")
    newest_first = [f"Lettre {i}" for i in range(7, -1, -1)]
    assert _walk(client, url) == [newest_first[0:3], newest_first[3:6], newest_first[6:8]]
    oldest_first = newest_first[::-1]
    assert _walk(client, url, sort="enregistre") == [oldest_first[0:3], oldest_first[3:6], oldest_first[6:8]]


def test_keyset_pages_equal_offset_pages(people, login, letters, small_pages):
    client = login(people.directeur)  # sees the secret letter too
    url = reverse("correspondence:mail_list")
    by_links = _walk(client, url)
    by_number = [_subjects(client.get(url, {"page": n})) for n in range(1, len(by_links) + 1)]
    assert by_links == by_number
    assert "Dossier secret" in sum(by_links, [])


def test_previous_links_go_back_page_by_page(people, login, letters, small_pages):
    client = login(people.secretariat)
    url = reverse("correspondence:mail_list")
    response = client.get(url)
    first = _subjects(response)
    second = client.get(url + _link(response, "Suivante"))
    third = client.get(url + _link(second, "Suivante"))
    assert _link(third, "Suivante") is None
    back = _link(third, "Précédente")
    assert "before=" in back and "page=2" in back
    again = client.get(url + back)
    assert _subjects(again) == _subjects(second)
    # Back to page 1: the register as it opens, without a position.
    to_first = _link(again, "Précédente")
    assert "before=" not in to_first and "after=" not in to_first
    assert _subjects(client.get(url + to_first)) == first


def test_a_letter_registered_meanwhile_neither_repeats_nor_hides_a_row(
    people, login, letters, small_pages, register_incoming
):
    client = login(people.secretariat)
    url = reverse("correspondence:mail_list")
    response = client.get(url)
    seen = _subjects(response)
    register_incoming(subject="Arrivée pendant la lecture")
    following = client.get(url + _link(response, "Suivante"))
    # By offset, page 2 would now start with the last letter of page 1.
    assert _subjects(following) == ["Lettre 4", "Lettre 3", "Lettre 2"]
    assert not set(seen) & set(_subjects(following))


def test_filters_are_kept_in_the_links(people, login, letters, small_pages):
    client = login(people.secretariat)
    url = reverse("correspondence:mail_list")
    response = client.get(url, {"q": "lettre", "sort": "-enregistre"})
    link = _link(response, "Suivante")
    assert "q=lettre" in link and "sort=-enregistre" in link and link.count("page=") == 1


def test_other_sorts_stay_by_offset(people, login, letters, small_pages):
    response = login(people.secretariat).get(reverse("correspondence:mail_list"), {"sort": "-priorite"})
    link = _link(response, "Suivante")
    assert "page=2" in link and "after=" not in link


@pytest.mark.parametrize(
    "cursor", ["abc", "12-", "-5", "1" * 19 + "-1", "9" * 18 + "-1", "1700000000000000-1' OR 1=1", ""]
)
def test_a_bad_position_falls_back_to_the_page_number(people, login, letters, small_pages, cursor):
    client = login(people.secretariat)
    url = reverse("correspondence:mail_list")
    response = client.get(url, {"page": "2", "after": cursor})
    assert response.status_code == 200
    assert _subjects(response) == _subjects(client.get(url, {"page": "2"}))


def test_a_position_does_not_open_hidden_letters(people, login, letters, small_pages):
    """The position only says where to start: the visibility rule still applies."""
    secret = next(m for m in letters if m.confidentiality == Mail.Confidentiality.SECRET)
    client = login(people.secretariat)
    url = reverse("correspondence:mail_list")
    after_secret = client.get(url, {"page": "2", "after": selectors.mail_cursor(letters[-1])})
    assert "Dossier secret" not in _subjects(after_secret)
    around = client.get(url, {"page": "2", "before": selectors.mail_cursor(letters[0])})
    assert secret not in around.context["page"].rows


def test_a_keyset_page_costs_the_queries_of_the_first(people, login, letters, small_pages):
    client = login(people.secretariat)
    url = reverse("correspondence:mail_list")
    freshness.bump()  # both with the navigation's counts computed, not read from the cache
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    freshness.bump()
    with CaptureQueriesContext(connection) as second:
        client.get(url + _link(response, "Suivante"))
    assert len(second) == len(first)
    assert not any("OFFSET" in q["sql"] for q in second.captured_queries)


def test_cursor_round_trip(letters):
    mail = letters[0]
    assert selectors.parse_cursor(selectors.mail_cursor(mail)) == (mail.registered_at, mail.pk)


def test_a_filter_that_cannot_be_read_is_named_in_french_and_the_others_apply(people, login, letters):
    client = login(people.secretariat)
    response = client.get(reverse("correspondence:mail_list"), {"date_from": "31/02/2026", "q": "lettre"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ces filtres ne sont pas appliqués" in page
    assert "Enregistré du — Saisissez une date valide." in html.unescape(page)
    assert len(_subjects(response)) == 8  # the search still applies (the secret one stays hidden)
    assert 'value="lettre"' in page  # what was typed is kept
    assert "Ces filtres ne sont pas appliqués" not in client.get(reverse("correspondence:mail_list")).content.decode()
