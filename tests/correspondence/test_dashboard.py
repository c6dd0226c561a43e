import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from correspondence.models import Imputation
from correspondence.selectors_reporting import dashboard_tiles, late_by_assignee, week_start, weekly_traffic
from correspondence.services import mail_cancel

from .outputs_data import incoming, outgoing, route

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def make_late(imputation, days=3):
    # Deadlines cannot be set in the past through the service: age the row instead.
    Imputation.objects.filter(pk=imputation.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=days))


def test_tiles_count_my_work_my_late_work_and_this_weeks_arrivals(people):
    first, second, third = (incoming(people) for _i in range(3))
    route(first, people, to=people.conseiller1)
    make_late(route(second, people, to=people.conseiller1))
    route(third, people, to=people.conseiller2)
    outgoing(people)  # départ: not "reçu"
    tiles = dashboard_tiles(people.conseiller1)
    assert (tiles.to_process, tiles.late, tiles.received_this_week) == (2, 1, 3)


def test_tiles_never_count_mail_the_person_may_not_see(people):
    secret = incoming(people, confidentiality="secret", registered_by=people.chef_sp)
    confidential = incoming(people, confidentiality="confidentiel")
    route(confidential, people, to=people.conseiller1)
    incoming(people)
    assert dashboard_tiles(people.conseiller2).received_this_week == 1  # only the ordinary one
    assert dashboard_tiles(people.conseiller1).received_this_week == 2  # + the one routed to him
    assert dashboard_tiles(people.attache).received_this_week == 2  # confidential yes, secret no
    assert dashboard_tiles(people.ministre).received_this_week == 3
    assert secret.pk  # registered, and counted only for those who see secret mail


def test_cancelled_mail_is_not_work_nor_traffic(people):
    mail = incoming(people)
    route(mail, people, to=people.conseiller1)
    mail_cancel(mail=mail, actor=people.attache, reason="Enregistré par erreur")
    tiles = dashboard_tiles(people.conseiller1)
    assert (tiles.to_process, tiles.received_this_week) == (0, 0)
    assert sum(w.incoming for w in weekly_traffic(people.directeur)) == 0


def test_weekly_traffic_counts_in_and_out_per_week_over_twelve_weeks(people):
    today = timezone.localdate()
    monday = week_start(today)
    with freeze_time(monday - datetime.timedelta(weeks=3) + datetime.timedelta(days=1, hours=10)):
        incoming(people, arrival_date=timezone.localdate(), letter_date=None)
        incoming(people, arrival_date=timezone.localdate(), letter_date=None)
        outgoing(people)
    with freeze_time(monday - datetime.timedelta(weeks=13, hours=-10)):  # before the window
        incoming(people, arrival_date=timezone.localdate(), letter_date=None)
    incoming(people)
    weeks = weekly_traffic(people.directeur)
    assert len(weeks) == 12
    assert weeks[-1].start == monday
    assert weeks[0].start == monday - datetime.timedelta(weeks=11)
    assert (weeks[-4].incoming, weeks[-4].outgoing) == (2, 1)
    assert (weeks[-1].incoming, weeks[-1].outgoing) == (1, 0)
    assert sum(w.incoming for w in weeks) == 3


def test_late_imputations_per_assignee_for_a_router_and_for_an_adviser(people):
    for _i in range(2):
        make_late(route(incoming(people), people, to=people.conseiller1))
    make_late(route(incoming(people), people, to=people.conseiller2))
    route(incoming(people), people, to=people.conseiller2)  # not late
    assert late_by_assignee(people.directeur) == [("M. Koffi DOGBE", 2), ("Mme Essi LAWSON", 1)]
    assert late_by_assignee(people.conseiller2) == [("Mme Essi LAWSON", 1)]  # only his own


def test_late_chart_leaves_out_hidden_mail(people):
    secret = incoming(people, confidentiality="secret", registered_by=people.chef_sp)
    imputation = route(secret, people, to=people.conseiller1)
    make_late(imputation)
    assert late_by_assignee(people.directeur) == [("M. Koffi DOGBE", 1)]
    assert late_by_assignee(people.attache) == []  # the attaché does not see secret mail


def test_home_page_shows_the_panel_with_tiles_linking_to_the_lists(people, login):
    make_late(route(incoming(people), people, to=people.conseiller1))
    response = login(people.conseiller1).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-tile="a-traiter"' in body and 'data-tile="en-retard"' in body and 'data-tile="recus-semaine"' in body
    assert f'href="{reverse("correspondence:my_work")}#en-retard"' in body
    assert f"{reverse('correspondence:mail_list')}?register=arrivee&amp;date_from=" in body
    # Two server-drawn charts, no script.
    charts = [ET.fromstring(s[s.index("<svg") :] + "</svg>") for s in body.split("</svg>")[:-1]]
    assert len(charts) == 2
    assert "<script" not in body.split('<section class="card wide correspondence-dashboard"')[1].split("</section>")[0]
    assert 'href="/static/correspondence/dashboard.css"' in body


def test_received_this_week_tile_equals_the_list_it_opens(people, login):
    kept = [incoming(people) for _i in range(3)]
    cancelled = incoming(people)
    mail_cancel(mail=cancelled, actor=people.attache, reason="Doublon")
    outgoing(people)
    client = login(people.secretariat)
    body = client.get(reverse("home")).content.decode()
    start = body.index('data-tile="recus-semaine"')
    href = body[body.rindex('href="', 0, start) + 6 : body.index('"', body.rindex('href="', 0, start) + 6)]
    listing = client.get(href.replace("&amp;", "&")).content.decode()
    assert dashboard_tiles(people.secretariat).received_this_week == 3
    assert all(mail.reference in listing for mail in kept)
    assert cancelled.reference not in listing


def test_person_without_register_rights_gets_no_panel(people, login):
    body = login(people.outsider).get(reverse("home")).content.decode()
    assert "correspondence-dashboard" not in body


def test_dashboard_query_count_stays_constant_as_the_register_grows(people, login):
    def count_queries(client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    client = login(people.directeur)
    for _i in range(3):
        make_late(route(incoming(people), people, to=people.conseiller1))
    small = count_queries(client)
    for _i in range(15):
        mail = incoming(people, confidentiality="confidentiel")
        make_late(route(mail, people, to=people.conseiller2))
        route(mail, people, to=people.dir_afrique)
        outgoing(people, replies_to=[mail])
    assert count_queries(client) == small


def test_late_work_leaves_out_cancelled_letters_for_those_who_see_everything_and_for_routers(people):
    from correspondence.selectors import late_imputations, sees_every_level

    kept = make_late_and_return(route(incoming(people), people, to=people.conseiller1))
    secret = incoming(people, confidentiality="secret", registered_by=people.chef_sp)
    hidden_late = make_late_and_return(route(secret, people, to=people.conseiller2))
    cancelled_mail = incoming(people)
    make_late(route(cancelled_mail, people, to=people.conseiller1))
    mail_cancel(mail=cancelled_mail, actor=people.attache, reason="Enregistré par erreur")
    assert sees_every_level(people.directeur)
    assert set(late_imputations(people.directeur)) == {kept, hidden_late}
    assert dashboard_tiles(people.directeur).late == 2
    # The attaché routes but does not see secret mail: its late imputation is not his to count.
    assert not sees_every_level(people.attache)
    assert set(late_imputations(people.attache)) == {kept}


def make_late_and_return(imputation):
    make_late(imputation)
    return imputation
