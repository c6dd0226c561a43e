"""The delegations app's entries in the top navigation: shown to those who have business on
their page, read from what is cached for the person."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegations import directive_services
from delegations.ui import nav_items
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOOK, DIRECTIVES = reverse("delegations:book"), reverse("delegations:directive_list")


def _labels(client) -> list[str]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [str(item["label"]) for item in response.context["nav_items"]]


def _links(client) -> set[str]:
    page = client.get(reverse("home")).content.decode()
    return {link for link in (BOOK, DIRECTIVES) if f'href="{link}"' in page}


def test_someone_given_only_an_audiences_right_sees_only_the_audiences(people, as_user):
    recorder = UserFactory(username="enregistreur")
    recorder.user_permissions.add(Permission.objects.get(codename="add_audience", content_type__app_label="audiences"))
    client = as_user(recorder)
    assert _labels(client) == ["Tableau de bord", "Audiences"]
    assert _links(client) == set()


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("conseiller1", {BOOK, DIRECTIVES}),  # drafts, follows directives up
        ("attache", {BOOK, DIRECTIVES}),  # records directives
        ("dir_afrique", {BOOK, DIRECTIVES}),  # receives them
        ("secretariat", {BOOK}),  # drafts, no directive reaches the mail office
        ("protocole", set()),  # neither drafts nor receives directives
        ("outsider", set()),
    ],
)
def test_delegations_entries_show_to_those_the_pages_serve(people, as_user, person, expected):
    assert _links(as_user(getattr(people, person))) == expected


def test_an_item_awaiting_someone_shows_the_book_even_without_a_drafting_right(people, as_user, make_item):
    make_item(visa_users=[people.protocole])
    labels = {item.label: item.badge for item in nav_items(people.protocole)}
    assert labels == {"Parapheur": 1}


def test_the_entries_read_nothing_once_the_person_is_cached(people):
    """The navigation is on every page: after a first page, its rules and badges come from
    the cache (cabinet.freshness), for those who see the entries and those who do not."""
    User = get_user_model()
    for person in (people.conseiller1, people.protocole, people.outsider):
        nav_items(User.objects.get(pk=person.pk))  # the first page of the day
        fresh = User.objects.get(pk=person.pk)  # the next request's user
        with CaptureQueriesContext(connection) as queries:
            nav_items(fresh)
        assert queries.captured_queries == []


def _marked(client, path: str, nav: str) -> list[str]:
    """The links of the ``nav`` (its class) marked as the page's place (``aria-current``)."""
    response = client.get(path)
    assert response.status_code == 200, path
    menu = re.search(rf'<nav [^>]*class="{nav}".*?</nav>', response.content.decode(), re.S)
    return re.findall(r'<a href="([^"]*)" aria-current="page">', menu.group(0)) if menu else []


def _current(client, path: str) -> list[str]:
    """The top menu's entries marked as the page's place."""
    return _marked(client, path, "main-nav")


def _tab(client, path: str) -> list[str]:
    """The delegations' sub-navigation tabs marked as the page's place."""
    return _marked(client, path, "subnav")


def test_the_book_entry_marks_the_book_and_its_items_but_not_the_directives(people, as_user, make_item, make_directive):
    """The book is served at the app's root (/delegations/), its items under
    /delegations/parapheur/, the directives under /delegations/directives/."""
    item, directive = make_item(), make_directive()
    client = as_user(people.conseiller1)
    for name, args in [("book", []), ("item_detail", [item.pk]), ("item_create", [])]:
        assert _current(client, reverse(f"delegations:{name}", args=args)) == [BOOK], name
    for name, args in [("directive_list", []), ("directive_detail", [directive.pk])]:
        assert _current(client, reverse(f"delegations:{name}", args=args)) == [DIRECTIVES], name
    assert _current(client, reverse("home")) == [reverse("home")]


def test_the_arretes_register_and_check_mark_the_book_and_a_transmission_s_pages_the_directives(
    people, as_user, make_delegation, make_directive
):
    """The arrêtés (/delegations/arretes/), the signatories' register (/delegations/registre/)
    and the signature check (/delegations/verifier/) sit in the book's sub-navigation; a
    transmission's pages (/delegations/transmissions/) are its directive's."""
    delegation = make_delegation(publish=False)
    client = as_user(people.attache)  # manages the arrêtés, reads the register
    pages = [
        ("delegation_list", []),
        ("delegation_create", []),
        ("delegation_detail", [delegation.pk]),
        ("delegation_edit", [delegation.pk]),
        ("register", []),
        ("verify", []),
    ]
    for name, args in pages:
        assert _current(client, reverse(f"delegations:{name}", args=args)) == [BOOK], name
    (transmission,) = directive_services.directive_transmit(
        directive=make_directive(), actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    report = reverse("delegations:transmission_report", args=[transmission.pk])
    assert _current(as_user(people.dir_afrique), report) == [DIRECTIVES]
    # The other apps' entries are marked as before: « Courrier », not « À traiter », on the latter.
    assert _current(client, reverse("correspondence:my_work")) == [reverse("correspondence:mail_list")]


def test_the_sub_navigation_marks_the_tab_of_the_page(people, as_user, make_item, make_delegation, make_directive):
    """Under the top menu, the book's tabs mark theirs: an item is the book's, an arrêté's
    edit page the arrêtés', a transmission's report the directives'."""
    item, delegation, directive = make_item(), make_delegation(publish=False), make_directive()
    client = as_user(people.attache)
    book, arretes, directives = (reverse(f"delegations:{n}") for n in ("book", "delegation_list", "directive_list"))
    register, verify = reverse("delegations:register"), reverse("delegations:verify")
    for path, tab in [
        (book, book),
        (reverse("delegations:item_create"), book),
        (reverse("delegations:delegation_edit", args=[delegation.pk]), arretes),
        (register, register),
        (verify, verify),
    ]:
        assert _tab(client, path) == [tab], path
    conseiller = as_user(people.conseiller1)
    assert _tab(conseiller, reverse("delegations:item_detail", args=[item.pk])) == [book]
    assert _tab(conseiller, reverse("delegations:directive_detail", args=[directive.pk])) == [directives]
    (transmission,) = directive_services.directive_transmit(
        directive=directive, actor=people.conseiller1, recipients=[people.dir_afrique]
    )
    directive_services.transmission_acknowledge(transmission=transmission, user=people.dir_afrique)
    report = reverse("delegations:transmission_report", args=[transmission.pk])
    assert _tab(as_user(people.dir_afrique), report) == [directives]


def _tabs(client, path: str) -> list[str]:
    """Every tab of the delegations' sub-navigation."""
    response = client.get(path)
    assert response.status_code == 200, path
    menu = re.search(r'<nav [^>]*class="subnav".*?</nav>', response.content.decode(), re.S)
    return re.findall(r'<a href="([^"]*)"', menu.group(0))


def test_the_sub_navigation_offers_the_book_and_directives_only_to_whom_the_top_menu_does(people, as_user, make_item):
    """The protocol neither drafts nor receives directives: under the signature check, its
    sub-navigation offers the arrêtés and the check, not two empty pages; an item awaiting its
    visa brings the book back, as in the top menu."""
    arretes, verify = reverse("delegations:delegation_list"), reverse("delegations:verify")
    protocol = as_user(people.protocole)
    assert _tabs(protocol, verify) == [arretes, verify]
    assert _tabs(as_user(people.outsider), verify) == [arretes, verify]
    assert _tabs(as_user(people.secretariat), verify) == [BOOK, arretes, verify]
    register = reverse("delegations:register")  # a cabinet member reads the signatories' register
    assert _tabs(as_user(people.conseiller1), verify) == [BOOK, DIRECTIVES, arretes, register, verify]
    make_item(visa_users=[people.protocole])
    assert _tabs(as_user(people.protocole), verify) == [BOOK, arretes, verify]
