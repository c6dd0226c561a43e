"""In Chromium: the register's « Suivante » / « Précédente » links page by position and come
back to the same rows; a routing made meanwhile shows in the adviser's navigation at once
(the counts are cached between writes, never past one)."""

import re

import pytest

from tests.correspondence.outputs_data import incoming, route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _first_row(page) -> str:
    return page.locator("table.register-table tbody tr td.num a").first.inner_text()


def test_paging_through_the_register_by_its_links(people, signed_in):
    for n in range(120):
        incoming(people, subject=f"Lettre de volume {n}")
    clerk = signed_in(people.secretariat)
    clerk.goto(f"{clerk.base_url}/courrier/")
    pagination = clerk.locator("nav.pagination")
    first = _first_row(clerk)
    assert clerk.locator("table.register-table tbody tr").count() == 50

    pagination.get_by_role("link", name="Suivante").click()
    clerk.wait_for_url(re.compile(r"page=2&after=\d+-\d+"))
    second = _first_row(clerk)
    assert "Page 2" in pagination.inner_text() and second != first

    pagination.get_by_role("link", name="Suivante").click()
    clerk.wait_for_url(re.compile(r"page=3&after="))
    assert clerk.locator("table.register-table tbody tr").count() == 20
    assert pagination.get_by_role("link", name="Suivante").count() == 0

    pagination.get_by_role("link", name="Précédente").click()
    clerk.wait_for_url(re.compile(r"page=2&before="))
    assert _first_row(clerk) == second
    pagination.get_by_role("link", name="Précédente").click()
    clerk.wait_for_url(re.compile(r"/courrier/\?page=1$"))
    assert _first_row(clerk) == first
    assert clerk.js_errors == []


def test_a_routing_shows_in_the_advisers_navigation_on_the_next_page(people, signed_in):
    mail = incoming(people, subject="Invitation de l'ambassade du Ghana")
    adviser = signed_in(people.conseiller1)
    work = adviser.get_by_role("link", name=re.compile("^À traiter"))
    assert work.locator(".badge").count() == 0
    adviser.reload()  # a second page without a write: read from the cache
    assert work.locator(".badge").count() == 0

    route(mail, people, to=people.conseiller1)
    adviser.reload()
    assert work.locator(".badge").inner_text() == "1"
