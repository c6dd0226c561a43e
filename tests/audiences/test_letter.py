"""The link to the incoming letter that carried the request (correspondence register)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audiences.models import Audience
from correspondence.models import Mail, MailKind
from correspondence.services import mail_register_incoming

pytestmark = pytest.mark.django_db


@pytest.fixture
def letters(people, requester):
    kind = MailKind.objects.first() or MailKind.objects.create(name="Note verbale")

    def register(confidentiality):
        return mail_register_incoming(
            registered_by=people.secretariat,
            correspondent=requester,
            subject="Demande d'audience de l'ambassadeur",
            kind=kind,
            arrival_date=timezone.localdate(),
            confidentiality=confidentiality,
        )

    return {
        "ordinary": register(Mail.Confidentiality.ORDINAIRE),
        "confidential": register(Mail.Confidentiality.CONFIDENTIEL),
    }


def post_request(client, requester, letter):
    return client.post(
        reverse("audiences:create"),
        {
            "requester": requester.pk,
            "letter": letter.pk,
            "purpose": "Présentation des copies figurées",
            "wished_from": timezone.localdate().isoformat(),
        },
    )


def test_request_is_linked_to_its_incoming_letter(login, people, requester, letters):
    response = post_request(login(people.secretariat), requester, letters["ordinary"])
    assert response.status_code == 302
    audience = Audience.objects.get()
    assert audience.letter == letters["ordinary"]
    page = login(people.attache).get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert letters["ordinary"].reference in page


def test_a_letter_the_person_may_not_see_cannot_be_linked(login, people, requester, letters):
    # The secretariat does not see confidential mail: the letter is not offered, and a forged
    # choice is refused as an invalid choice, nothing recorded.
    client = login(people.secretariat)
    form = client.get(reverse("audiences:create")).context["form"]
    assert letters["confidential"] not in form.fields["letter"].queryset
    response = post_request(client, requester, letters["confidential"])
    assert response.status_code == 200 and "letter" in response.context["form"].errors
    assert Audience.objects.count() == 0


def test_the_letter_is_not_named_to_someone_who_may_not_see_it(login, people, requester, letters, make_request):
    audience = make_request(by=people.attache, letter=letters["confidential"])
    page = login(people.secretariat).get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert letters["confidential"].reference not in page
    page = login(people.attache).get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert letters["confidential"].reference in page
