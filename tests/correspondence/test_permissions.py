"""The permission matrix: every role × (ordinaire, confidentiel, secret) × (routed to them or
not) × (detail, attachment, list, search, export, routing, annotation).

Rules (domain brief): ordinaire — all cabinet staff; confidentiel — minister, directeur,
attaché and the people it is routed to; secret — minister, directeur and people explicitly
granted (routing by the minister or the directeur is such a grant). Whoever may not see a
mail gets 404 on it and never meets it in lists, search or exports. Only the minister, the
directeur and the attaché route; only the assignee writes on an imputation.
"""

import pytest
from django.urls import reverse

from correspondence import selectors, services
from correspondence.models import Instruction, Mail, MailConsultation
from tests.factories import UserFactory

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db

ROLES = [
    "ministre",
    "directeur",
    "attache",
    "conseiller1",
    "conseiller2",
    "chef_sp",
    "secretariat",
    "protocole",
    "dir_afrique",
    "outsider",
]
CABINET_STAFF = {"ministre", "directeur", "attache", "conseiller1", "conseiller2", "chef_sp", "secretariat"}
ROUTERS = {"ministre", "directeur", "attache"}
EXPORTERS = {"ministre", "directeur", "attache", "chef_sp", "secretariat"}
LEVELS = [Mail.Confidentiality.ORDINAIRE, Mail.Confidentiality.CONFIDENTIEL, Mail.Confidentiality.SECRET]


@pytest.fixture(autouse=True, params=["hashed", "probed"])
def visibility(request, monkeypatch):
    """Every rule holds with both ways of reading the mails opened to a person individually:
    as sets read once (a few) and per-row probes (thousands: ``selectors.MANY_OPENED``)."""
    monkeypatch.setattr(selectors, "_many_opened", lambda user: request.param == "probed")
    monkeypatch.setattr(selectors, "_walk_register", lambda user: request.param == "probed")
    return request.param


def expected_visible(role: str, level: str, routed: bool) -> bool:
    if role in {"ministre", "directeur"} or routed:
        return True
    if level == Mail.Confidentiality.ORDINAIRE:
        return role in CABINET_STAFF
    if level == Mail.Confidentiality.CONFIDENTIEL:
        return role == "attache"
    return False


@pytest.mark.parametrize("routed", [True, False], ids=["routed", "not-routed"])
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, level, routed, people, register_incoming, client):
    user = getattr(people, role)
    other = UserFactory(username="tiers")
    mail = register_incoming(subject="Zanzibarite particulière", confidentiality=level, files=[pdf_upload()])
    imputation = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=user if routed else other, instruction=Instruction.ATTRIBUTION
    )
    attachment = mail.attachments.get()
    visible = expected_visible(role, level, routed)
    client.force_login(user)
    hidden = 200 if visible else 404

    assert client.get(reverse("correspondence:mail_detail", args=[mail.pk])).status_code == hidden, "detail"
    assert client.get(reverse("correspondence:attachment_download", args=[attachment.pk])).status_code == hidden, (
        "attachment"
    )

    listed = client.get(reverse("correspondence:mail_list")).content.decode()
    assert (mail.reference in listed) is visible, "list"
    found = client.get(reverse("correspondence:mail_list"), {"q": "zanzibarite"}).content.decode()
    assert (mail.reference in found) is visible, "search"

    export = client.get(reverse("correspondence:export_csv"))
    if role in EXPORTERS:
        assert export.status_code == 200
        assert (mail.reference in b"".join(export.streaming_content).decode()) is visible, "export"
    else:
        assert export.status_code == 403, "export"

    route = client.get(reverse("correspondence:mail_route", args=[mail.pk])).status_code
    assert route == (404 if not visible else 200 if role in ROUTERS else 403), "routing"

    before = imputation.notes.count()
    annotate = client.post(reverse("correspondence:imputation_annotate", args=[imputation.pk]), {"note": "Vu"})
    assert annotate.status_code == (404 if not visible else 302 if routed else 403), "annotation"
    assert imputation.notes.count() == before + (1 if annotate.status_code == 302 else 0)


def test_consultation_of_restricted_mail_is_logged(people, confidential, register_incoming, login):
    ordinary = register_incoming()
    client = login(people.attache)
    client.get(reverse("correspondence:mail_detail", args=[confidential.pk]))
    client.get(reverse("correspondence:mail_detail", args=[ordinary.pk]))
    assert list(MailConsultation.objects.values_list("mail_id", "user_id", "what")) == [
        (confidential.pk, people.attache.pk, MailConsultation.What.DETAIL)
    ]


def test_unit_routing_opens_confidential_but_not_secret_mail(people, register_incoming, login):
    unit = people.units["daai"]
    confidential = register_incoming(confidentiality=Mail.Confidentiality.CONFIDENTIEL)
    secret = register_incoming(confidentiality=Mail.Confidentiality.SECRET)
    for mail in (confidential, secret):
        services.imputation_create(
            mail=mail, created_by=people.directeur, assignee_unit=unit, instruction=Instruction.AVIS
        )
    client = login(people.dir_afrique)
    assert client.get(reverse("correspondence:mail_detail", args=[confidential.pk])).status_code == 200
    assert client.get(reverse("correspondence:mail_detail", args=[secret.pk])).status_code == 404


def test_explicit_grant_opens_a_secret_mail(people, secret, login):
    client = login(people.attache)
    url = reverse("correspondence:mail_detail", args=[secret.pk])
    assert client.get(url).status_code == 404
    response = login(people.ministre).post(
        reverse("correspondence:mail_grant", args=[secret.pk]), {"user": people.attache.pk}
    )
    assert response.status_code == 302
    assert login(people.attache).get(url).status_code == 200


def test_a_superuser_does_not_read_secret_mail_by_being_superuser(people, secret, login):
    assert login(people.admin).get(reverse("correspondence:mail_detail", args=[secret.pk])).status_code == 404


def test_counts_hide_restricted_mail(people, register_incoming, secret, login):
    register_incoming()
    page = login(people.secretariat).get(reverse("correspondence:mail_list"))
    assert page.context["page"].count == 1
    page = login(people.directeur).get(reverse("correspondence:mail_list"))
    assert page.context["page"].count == 2


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ["secretariat", "attache", "conseiller1", "dir_afrique", "directeur"])
def test_the_confidentiality_filter_shows_what_the_person_may_see_at_that_level(
    role, level, people, register_incoming, login
):
    """« Confidentialité : … » reads the level alone when the person sees it, else only the
    mails opened to them; either way exactly the visible letters of that level."""
    user = getattr(people, role)
    other = UserFactory(username="tiers")
    routed = register_incoming(subject="Ouvert", confidentiality=level)
    services.imputation_create(mail=routed, created_by=people.directeur, assignee=user, instruction=Instruction.AVIS)
    unrouted = register_incoming(subject="Pas ouvert", confidentiality=level)
    services.imputation_create(mail=unrouted, created_by=people.directeur, assignee=other, instruction=Instruction.AVIS)
    register_incoming(subject="Autre niveau", confidentiality=next(x for x in LEVELS if x != level))
    page = login(user).get(reverse("correspondence:mail_list"), {"confidentiality": level})
    shown = {mail.pk for mail in page.context["page"].rows}
    expected = {m.pk for m in (routed, unrouted) if expected_visible(role, level, m is routed)}
    assert shown == expected
    assert page.context["page"].count == len(expected)
