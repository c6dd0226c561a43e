"""The directives' lists by pages: the directives, the directives received and the execution
board show 50 rows a page, answer a bad page number with a page, never show nor count what
the person may not see, and run the same number of queries whatever the number of rows."""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabinet import freshness
from delegations import directive_services
from tests.factories import MandateFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 50


def url(name, *args):
    return reverse(f"delegations:{name}", args=args)


def _queries(client, path, params=None) -> int:
    client.get(path, params or {})  # warm-up: the session
    freshness.bump()  # the navigation's counts computed, not read from the cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params or {}).status_code == 200
    return len(ctx)


def _transmitted(people, make_directive, n, *, start=0, recipient=None):
    """``n`` directives followed by conseiller1, each transmitted to ``recipient``; the same
    issue date, so that the list orders them by id, latest first."""
    directives = []
    for i in range(start, start + n):
        directive = make_directive(subject=f"Directive {i:02d}")
        directive_services.directive_transmit(
            directive=directive, actor=people.conseiller1, recipients=[recipient or people.dir_afrique]
        )
        directives.append(directive)
    return directives


def _next_link(html: str, anchor: str = "") -> QueryDict:
    suffix = f"#{anchor}" if anchor else ""
    match = re.search(rf'href="\?([^"#]*){suffix}">Suivante</a>', html)
    assert match, "no « Suivante » link"
    return QueryDict(match[1].replace("&amp;", "&"))


def test_directive_list_page_two_shows_the_next_directives(people, as_user, make_directive):
    directives = _transmitted(people, make_directive, 55)
    client = as_user(people.conseiller1)
    first = client.get(url("directive_list"))
    page = first.context["directives"]
    assert [d.subject for d in page] == [d.subject for d in reversed(directives)][:PER_PAGE]
    assert page.count == 55 and page.has_next and not page.has_previous
    html = first.content.decode()
    assert "Page 1 · 55 résultats" in html and "Précédente" not in html
    assert _next_link(html, "directives")["page"] == "2"
    second = client.get(url("directive_list"), {"page": "2"}).context["directives"]
    assert [d.subject for d in second] == [f"Directive {i:02d}" for i in range(4, -1, -1)]
    assert second.number == 2 and second.has_previous and not second.has_next
    assert [(d.n_transmissions, d.n_executed) for d in second] == [(1, 0)] * 5


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 1), ("-2", 1), ("", 1), ("3", 2), ("99999", 2)])
def test_directive_list_answers_a_bad_page_number_with_the_first_or_last_page(
    people, as_user, make_directive, asked, shown
):
    for i in range(PER_PAGE + 1):
        make_directive(subject=f"Directive {i:02d}")
    response = as_user(people.ministre).get(url("directive_list"), {"page": asked})
    assert response.status_code == 200
    page = response.context["directives"]
    assert page.number == shown and len(page) == (PER_PAGE if shown == 1 else 1)


def test_directive_list_never_shows_nor_counts_a_directive_the_person_may_not_see(people, as_user, make_directive):
    mine = [make_directive(subject=f"Suivie {i}") for i in range(3)]
    for i in range(PER_PAGE + 2):
        make_directive(subject=f"Autre domaine {i}", advisers=[people.conseiller2])
    response = as_user(people.conseiller1).get(url("directive_list"), {"page": "2"})
    page = response.context["directives"]
    assert {d.pk for d in page} == {d.pk for d in mine}
    assert page.number == 1 and page.count == 3 and not page.has_other_pages
    html = response.content.decode()
    assert "Autre domaine" not in html and "Suivante" not in html


def test_received_directives_have_their_own_pages_and_keep_the_other_list_s_page(people, as_user, make_directive):
    other_director = MandateFactory(position=people.positions["dir-doi"], user__username="dir-doi").user
    _transmitted(people, make_directive, 3, recipient=other_director)
    _transmitted(people, make_directive, PER_PAGE + 3, start=10)
    client = as_user(people.dir_afrique)
    response = client.get(url("directive_list"), {"page": "1", "recues": "2"})
    received = response.context["received"]
    # Only what was sent to him, and not the three sent to another director.
    assert received.number == 2 and len(received) == 3 and received.count == PER_PAGE + 3
    assert received.param == "recues" and received.has_previous and not received.has_next
    first = client.get(url("directive_list")).content.decode()
    assert _next_link(first, "recues") == QueryDict("recues=2")
    bad = client.get(url("directive_list"), {"recues": "-1"})
    assert bad.status_code == 200 and bad.context["received"].number == 1


def test_directive_list_runs_the_same_number_of_queries_for_3_and_60_rows(
    people, as_user, make_directive, django_assert_num_queries
):
    _transmitted(people, make_directive, 3)
    directeur, recipient = as_user(people.directeur), as_user(people.dir_afrique)
    few_directeur = _queries(directeur, url("directive_list"))
    few_recipient = _queries(recipient, url("directive_list"))
    _transmitted(people, make_directive, 57, start=3)
    # The directeur received nothing: only his directives have a page 2.
    for client, few, params in (
        (directeur, few_directeur, {"page": "2"}),
        (recipient, few_recipient, {"page": "2", "recues": "2"}),
    ):
        client.get(url("directive_list"))
        freshness.bump()
        with django_assert_num_queries(few):
            assert client.get(url("directive_list"), params).status_code == 200


def test_execution_board_pages_and_counts_every_transmission(people, as_user, make_directive):
    _transmitted(people, make_directive, PER_PAGE + 5)
    client = as_user(people.directeur)
    response = client.get(url("execution_board"), {"page": "2"})
    rows = response.context["rows"]
    assert rows.number == 2 and len(rows) == 5 and rows.count == PER_PAGE + 5
    # The tiles count every transmission, not only those of the page shown.
    assert response.context["counts"]["transmise"] == PER_PAGE + 5 and response.context["late"] == 0
    assert client.get(url("execution_board"), {"page": "zéro"}).context["rows"].number == 1
    assert client.get(url("execution_board"), {"page": "500"}).context["rows"].number == 2


def test_execution_board_runs_the_same_number_of_queries_for_3_and_60_rows(
    people, as_user, make_directive, django_assert_num_queries
):
    _transmitted(people, make_directive, 3)
    client = as_user(people.ministre)
    few = _queries(client, url("execution_board"))
    _transmitted(people, make_directive, 57, start=3)
    freshness.bump()
    with django_assert_num_queries(few):
        assert client.get(url("execution_board")).status_code == 200
