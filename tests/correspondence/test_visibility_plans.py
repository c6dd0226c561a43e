"""How the mails opened to a person individually (grants, routings to their unit) are read:
as sets read once when they are few, and from ``selectors.MANY_OPENED`` of them, probed row by
row (``ProbedExists``) for someone who sees a level, or hashed and applied while the register
is read in order for someone who sees none. The rules themselves are checked under every
strategy in test_permissions.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabinet import freshness
from correspondence import selectors, services
from correspondence.models import Instruction, Mail

pytestmark = pytest.mark.django_db


def _route(people, register_incoming, count: int, level=Mail.Confidentiality.CONFIDENTIEL, **to) -> None:
    for _n in range(count):
        mail = register_incoming(confidentiality=level)
        services.imputation_create(mail=mail, created_by=people.directeur, instruction=Instruction.AVIS, **to)


def test_opened_mails_are_counted_up_to_the_threshold(people, register_incoming, monkeypatch):
    monkeypatch.setattr(selectors, "MANY_OPENED", 3)
    adviser, director = people.conseiller1, people.dir_afrique
    _route(people, register_incoming, 2, assignee=adviser)
    assert selectors._many_opened(adviser) is False
    _route(people, register_incoming, 1, assignee=adviser)
    # The routing wrote to the register and moved the data generation: counted again.
    assert selectors._many_opened(adviser) is True
    # A routing to the unit counts for its members, with their own grants.
    _route(people, register_incoming, 2, assignee_unit=people.units["daai"])
    assert selectors._many_opened(director) is False
    _route(people, register_incoming, 1, assignee=director)
    assert selectors._many_opened(director) is True
    assert selectors._many_opened(people.secretariat) is False


def test_someone_who_sees_no_level_reads_the_register_in_order_when_enough_is_opened_for_its_size(
    people, register_incoming, monkeypatch
):
    """opened² ≥ WALK_FACTOR × letters: 2 750 opened at a million letters, 870 at 100 000."""
    director = people.dir_afrique
    _route(people, register_incoming, 3, assignee_unit=people.units["daai"])
    monkeypatch.setattr(selectors, "_letters", lambda: 1_000)
    assert selectors._walk_register(director) is False  # 9 < 8 000
    monkeypatch.setattr(selectors, "WALK_FACTOR", 0.009)
    freshness.bump_data()  # the cached figures are recomputed
    assert selectors._walk_register(director) is True  # 9 ≥ 9
    # Nothing opened: nothing to fetch, whatever the size.
    assert selectors._walk_register(people.protocole) is False
    monkeypatch.setattr(selectors, "MANY_OPENED", 3)
    monkeypatch.setattr(selectors, "WALK_FACTOR", 8)
    freshness.bump_data()
    assert selectors._walk_register(director) is True  # thousands, whatever the size


def test_the_register_size_is_postgresqls_estimate_there_and_a_count_elsewhere(people, register_incoming):
    for _n in range(3):
        register_incoming()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE correspondence_mail")  # what autovacuum does as the table grows
    assert selectors._letters() == 3


def _register_reads(client, **params) -> list[tuple[str, str]]:
    """The register page's reads of the mail table (the page and its bounded count), with
    their plans."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("correspondence:mail_list"), params).status_code == 200
    reads = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if 'FROM "correspondence_mail"' in sql and "correspondence_mailuserobjectpermission" in sql:
                cursor.execute("EXPLAIN " + sql)
                reads.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    assert len(reads) == 2  # the page and its bounded count
    return reads


@pytest.mark.postgres
def test_postgresql_an_adviser_with_many_grants_has_them_probed_not_hashed(
    people, register_incoming, login, monkeypatch
):
    """PostgreSQL hashed every grant of the person before the first row (60 000 grants: 22–39
    ms per query, twice a page); from MANY_OPENED, each row of another level is probed."""
    monkeypatch.setattr(selectors, "MANY_OPENED", 3)
    _route(people, register_incoming, 3, assignee=people.conseiller1)
    register_incoming()
    client = login(people.conseiller1)
    for sql, plan in _register_reads(client):
        assert "OFFSET 0" in sql
        assert "SubPlan" in plan
        assert "hashed SubPlan" not in plan
    assert client.get(reverse("correspondence:mail_list")).context["page"].count == 4


@pytest.mark.postgres
def test_postgresql_a_person_with_few_grants_has_them_read_once(people, register_incoming, login):
    _route(people, register_incoming, 2, assignee=people.conseiller1)
    register_incoming()
    client = login(people.conseiller1)
    for sql, _plan in _register_reads(client):
        assert "OFFSET 0" not in sql
        assert '"correspondence_mail"."id" IN (' in sql
    assert client.get(reverse("correspondence:mail_list")).context["page"].count == 3


@pytest.mark.postgres
def test_postgresql_a_director_with_many_routings_has_them_tested_while_the_register_is_read(
    people, register_incoming, login, monkeypatch
):
    """A director sees only what is routed to him or his service: with thousands of letters,
    PostgreSQL fetched and sorted them all for each page (611 + 236 ms for 42 000 at 1,000,000);
    two ``IN`` tests under an ``OR`` are hashed and applied as the register is read in order."""
    monkeypatch.setattr(selectors, "MANY_OPENED", 3)
    _route(people, register_incoming, 3, assignee_unit=people.units["daai"])
    _route(people, register_incoming, 1, level=Mail.Confidentiality.SECRET, assignee_unit=people.units["daai"])
    register_incoming()
    client = login(people.dir_afrique)
    for sql, plan in _register_reads(client):
        assert " OR " in sql and "UNION" not in sql
        assert "hashed SubPlan" in plan
        assert "Semi Join" not in plan
    # The secret letter routed to the service stays hidden: it is opened to named people only.
    assert client.get(reverse("correspondence:mail_list")).context["page"].count == 3


@pytest.mark.postgres
def test_postgresql_a_director_with_few_routings_has_them_joined_from(people, register_incoming, login, monkeypatch):
    monkeypatch.setattr(selectors, "_letters", lambda: 1_000_000)  # 2 of a million: fetch them
    _route(people, register_incoming, 2, assignee_unit=people.units["daai"])
    _route(people, register_incoming, 1, level=Mail.Confidentiality.SECRET, assignee_unit=people.units["daai"])
    register_incoming()
    client = login(people.dir_afrique)
    for sql, _plan in _register_reads(client):
        assert "UNION ALL" in sql
    assert client.get(reverse("correspondence:mail_list")).context["page"].count == 2
