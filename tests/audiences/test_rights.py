"""The rights of issue 4 as a table: who may record, programme, confirm and see what.

Each row: (what, role, expected HTTP status). A confidential audience answers 404 to anyone
outside the minister, the directeur, the attaché and the chef du SP, like a missing one.
"""

import pytest
from django.urls import reverse

from audiences.models import Audience, AudienceState

pytestmark = pytest.mark.django_db

ROLES = [
    "ministre",
    "directeur",
    "attache",
    "chef_sp",
    "secretariat",
    "protocole",
    "conseiller1",
    "dir_afrique",
    "outsider",
]


def table(**expected):
    return [(role, expected[role]) for role in ROLES]


RIGHTS = {
    # Record a request: secretariat, attaché, chef du SP.
    "record": table(
        ministre=403,
        directeur=403,
        attache=200,
        chef_sp=200,
        secretariat=200,
        protocole=403,
        conseiller1=403,
        dir_afrique=403,
        outsider=403,
    ),
    # Programme (the form of a programmable request): attaché, chef du SP; others who see it get 403.
    "programme": table(
        ministre=403,
        directeur=403,
        attache=200,
        chef_sp=200,
        secretariat=403,
        protocole=404,
        conseiller1=404,
        dir_afrique=404,
        outsider=404,
    ),
    # Confirm a programmed audience: protocol only (302 = done); 403 for the cabinet.
    "confirm": table(
        ministre=403,
        directeur=403,
        attache=403,
        chef_sp=403,
        secretariat=403,
        protocole=302,
        conseiller1=404,
        dir_afrique=404,
        outsider=404,
    ),
    # The agenda (week view): minister, directeur, attaché, chef du SP; the protocol (what concerns it).
    "agenda": table(
        ministre=200,
        directeur=200,
        attache=200,
        chef_sp=200,
        secretariat=403,
        protocole=200,
        conseiller1=403,
        dir_afrique=403,
        outsider=403,
    ),
    # The programme du jour PDF: same readers as the agenda.
    "pdf": table(
        ministre=200,
        directeur=200,
        attache=200,
        chef_sp=200,
        secretariat=403,
        protocole=200,
        conseiller1=403,
        dir_afrique=403,
        outsider=403,
    ),
    # The list of requests and audiences: whoever records, programmes, confirms or sees the agenda.
    "list": table(
        ministre=200,
        directeur=200,
        attache=200,
        chef_sp=200,
        secretariat=200,
        protocole=200,
        conseiller1=403,
        dir_afrique=403,
        outsider=403,
    ),
    # An ordinary programmed audience.
    "see_ordinary": table(
        ministre=200,
        directeur=200,
        attache=200,
        chef_sp=200,
        secretariat=200,
        protocole=200,
        conseiller1=404,
        dir_afrique=404,
        outsider=404,
    ),
    # A confidential programmed audience: the four, nobody else.
    "see_confidential": table(
        ministre=200,
        directeur=200,
        attache=200,
        chef_sp=200,
        secretariat=404,
        protocole=404,
        conseiller1=404,
        dir_afrique=404,
        outsider=404,
    ),
    # A confidential audience's attachment: same as the audience.
    "confidential_attachment": table(
        ministre=200,
        directeur=200,
        attache=200,
        chef_sp=200,
        secretariat=404,
        protocole=404,
        conseiller1=404,
        dir_afrique=404,
        outsider=404,
    ),
}

CASES = [(what, role, status) for what, rows in RIGHTS.items() for role, status in rows]


@pytest.fixture
def objects(people, make_request, programmed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    secret = programmed(hour=9, is_confidential=True, files=[SimpleUploadedFile("note.pdf", b"%PDF-1.4 secret")])
    return {
        "received": make_request(),
        "ordinary": programmed(hour=11),
        "secret": secret,
        "secret_attachment": secret.attachments.get(),
    }


def request_for(what, objects):
    if what == "record":
        return "get", reverse("audiences:create")
    if what == "programme":
        return "get", reverse("audiences:programme", args=[objects["received"].pk])
    if what == "confirm":
        return "post", reverse("audiences:confirm", args=[objects["ordinary"].pk])
    if what == "agenda":
        return "get", reverse("audiences:week")
    if what == "pdf":
        return "get", reverse("audiences:programme_pdf")
    if what == "list":
        return "get", reverse("audiences:list")
    if what == "see_ordinary":
        return "get", reverse("audiences:detail", args=[objects["ordinary"].pk])
    if what == "see_confidential":
        return "get", reverse("audiences:detail", args=[objects["secret"].pk])
    if what == "confidential_attachment":
        return "get", reverse("audiences:attachment", args=[objects["secret"].pk, objects["secret_attachment"].pk])
    raise AssertionError(what)


@pytest.mark.parametrize(("what", "role", "expected"), CASES, ids=[f"{w}-{r}" for w, r, _ in CASES])
def test_rights_table(login, people, objects, what, role, expected):
    client = login(getattr(people, role))
    method, url = request_for(what, objects)
    response = getattr(client, method)(url)
    assert response.status_code == expected
    if what == "confirm":
        state = Audience.objects.get(pk=objects["ordinary"].pk).state
        assert state == (AudienceState.CONFIRMED if expected == 302 else AudienceState.PROGRAMMED)


def test_received_request_is_not_shown_to_the_protocol(people, objects):
    from audiences.selectors import visible_audiences

    visible = set(visible_audiences(people.protocole).values_list("pk", flat=True))
    assert visible == {objects["ordinary"].pk}


def test_attendee_adviser_sees_an_ordinary_audience_not_a_confidential_one(login, people, objects):
    objects["ordinary"].attendees.add(people.conseiller1)
    objects["secret"].attendees.add(people.conseiller1)
    client = login(people.conseiller1)
    assert client.get(reverse("audiences:detail", args=[objects["ordinary"].pk])).status_code == 200
    assert client.get(reverse("audiences:detail", args=[objects["secret"].pk])).status_code == 404


def test_hidden_audience_is_absent_from_lists_and_counts(login, people, objects):
    client = login(people.secretariat)
    response = client.get(reverse("audiences:list"))
    assert response.status_code == 200
    pks = {a.pk for a in response.context["page"]}
    assert objects["secret"].pk not in pks and objects["ordinary"].pk in pks
    assert response.context["page"].count == 2
    response = client.get(reverse("audiences:list"), {"confidential": "oui"})
    assert response.context["page"].count == 0


def test_protocol_badge_and_queue_do_not_count_a_confidential_audience(login, people, objects):
    from audiences.ui import nav_items

    (item,) = nav_items(people.protocole)
    assert item.badge == 1  # the ordinary one only
    response = login(people.protocole).get(reverse("audiences:protocol"))
    assert [a.pk for a in response.context["audiences"]] == [objects["ordinary"].pk]


def test_protocol_week_view_shows_neither_confidential_audiences_nor_blocks(login, people, objects, day):
    from audiences import services
    from audiences.models import Unavailability

    from .conftest import at

    services.unavailability_create(
        by=people.attache,
        title="Voyage à Accra",
        kind=Unavailability.Kind.TRAVEL,
        starts_at=at(day, 14),
        ends_at=at(day, 16),
    )
    page = login(people.protocole).get(reverse("audiences:week"), {"jour": day.isoformat()}).content.decode()
    assert objects["ordinary"].requester_label in page
    assert "Voyage à Accra" not in page
    assert reverse("audiences:detail", args=[objects["secret"].pk]) not in page
    page = login(people.directeur).get(reverse("audiences:week"), {"jour": day.isoformat()}).content.decode()
    assert "Voyage à Accra" in page and reverse("audiences:detail", args=[objects["secret"].pk]) in page
