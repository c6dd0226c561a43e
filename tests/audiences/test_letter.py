"""The link to the incoming letter that carried the request (correspondence register): typed
by its register number, found only among the incoming letters the person may see."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audiences.forms import AudienceRequestForm
from audiences.models import Audience
from correspondence.models import Mail, MailKind
from correspondence.services import mail_register_incoming, mail_register_outgoing

from .test_views_edit import edit_url, form_data

pytestmark = pytest.mark.django_db

NOT_FOUND = (
    "Aucun courrier arrivé portant ce numéro ne figure parmi ceux que vous pouvez consulter. "
    "Vérifiez le numéro d'enregistrement."
)


@pytest.fixture
def letters(people, requester):
    kind = MailKind.objects.get_or_create(code="note-verbale", defaults={"label": "Note verbale"})[0]

    def register(confidentiality, subject):
        return mail_register_incoming(
            registered_by=people.secretariat,
            correspondent=requester,
            subject=subject,
            kind=kind,
            arrival_date=timezone.localdate(),
            confidentiality=confidentiality,
        )

    return {
        "ordinary": register(Mail.Confidentiality.ORDINAIRE, "Demande d'audience de l'ambassadeur"),
        "confidential": register(Mail.Confidentiality.CONFIDENTIEL, "Visite discrète du ministre ghanéen"),
        "outgoing": mail_register_outgoing(
            registered_by=people.secretariat,
            recipients=[requester],
            subject="Réponse à l'ambassade",
            kind=kind,
        ),
    }


def post_request(client, requester, reference):
    return client.post(
        reverse("audiences:create"),
        {
            "requester": requester.pk,
            "letter": reference,
            "purpose": "Présentation des copies figurées",
            "wished_from": timezone.localdate().isoformat(),
        },
    )


def test_request_is_linked_to_its_incoming_letter(login, people, requester, letters):
    response = post_request(login(people.secretariat), requester, letters["ordinary"].reference)
    assert response.status_code == 302
    audience = Audience.objects.get()
    assert audience.letter == letters["ordinary"]
    page = login(people.attache).get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert letters["ordinary"].reference in page


def test_the_number_is_read_with_surrounding_spaces_and_in_small_letters(login, people, requester, letters):
    typed = f"  {letters['ordinary'].reference.lower()} "
    assert post_request(login(people.secretariat), requester, typed).status_code == 302
    assert Audience.objects.get().letter == letters["ordinary"]


def test_the_form_asks_for_the_number_and_lists_no_letter(login, people, letters):
    response = login(people.attache).get(reverse("audiences:create"))
    page = response.content.decode()
    year = timezone.localdate().year
    assert re.search(rf'<input type="text" name="letter"[^>]*placeholder="A-{year}-00012"', page)
    assert f"Numéro d&#x27;enregistrement du courrier arrivé qui porte la demande, par exemple A-{year}-00012." in page
    for letter in letters.values():
        assert letter.reference not in page and letter.subject not in page


def _without_tokens(page: str, typed: str) -> str:
    """The page with what differs from one request to the next (CSRF token) and the number
    typed taken out."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return page.replace(typed, "<typed>")


def test_an_unknown_hidden_or_outgoing_number_gets_one_french_message_and_stays_typed(
    login, people, requester, letters
):
    # The secretariat does not see confidential mail. Whether the number is nobody's, a
    # confidential letter's or an outgoing letter's, the answer is the same: nothing tells
    # that a hidden letter carries it.
    client = login(people.secretariat)
    pages = []
    for typed in (
        f"A-{timezone.localdate().year}-99999",
        letters["confidential"].reference,
        letters["outgoing"].reference,
    ):
        response = post_request(client, requester, typed)
        assert response.status_code == 200
        assert response.context["form"].errors["letter"] == [NOT_FOUND]
        page = response.content.decode()
        assert f'name="letter" value="{typed}"' in page
        assert "Présentation des copies figurées" in page
        assert letters["confidential"].subject not in page
        pages.append(_without_tokens(page, typed))
    assert pages[0] == pages[1] == pages[2]
    assert Audience.objects.count() == 0


def _lookup(user, reference) -> tuple[Mail, str]:
    """The letter the form finds for ``reference``, and the one statement it ran."""
    field = AudienceRequestForm(user=user).fields["letter"]
    with CaptureQueriesContext(connection) as ctx:
        letter = field.clean(reference)
    assert len(ctx.captured_queries) == 1
    return letter, ctx.captured_queries[0]["sql"]


@pytest.mark.parametrize("who", ["secretariat", "attache", "directeur"])
def test_the_number_is_checked_with_one_query(people, letters, who):
    assert _lookup(getattr(people, who), letters["ordinary"].reference)[0] == letters["ordinary"]


@pytest.mark.postgres
@pytest.mark.parametrize("who", ["secretariat", "directeur"])
def test_the_number_is_found_through_the_unique_index_of_the_reference(people, letters, who):
    # Whatever the person sees (a level test and a subquery of grants for the secretariat,
    # nothing for the director), the row is found by mail_unique_reference, not by reading
    # the register. Sequential scans are turned off because a test table of three letters
    # is cheaper to read whole; the point is that the index serves this query.
    _letter, sql = _lookup(getattr(people, who), letters["ordinary"].reference)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "mail_unique_reference" in plan, plan


def test_the_attache_may_link_a_confidential_letter(login, people, requester, letters):
    assert post_request(login(people.attache), requester, letters["confidential"].reference).status_code == 302
    assert Audience.objects.get().letter == letters["confidential"]


def test_the_letter_is_not_named_to_someone_who_may_not_see_it(login, people, requester, letters, make_request):
    audience = make_request(by=people.attache, letter=letters["confidential"])
    page = login(people.secretariat).get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert letters["confidential"].reference not in page
    page = login(people.attache).get(reverse("audiences:detail", args=[audience.pk])).content.decode()
    assert letters["confidential"].reference in page


# --- « Modifier la demande » ------------------------------------------------------------------
def test_the_edit_form_shows_the_number_of_the_current_letter(login, people, letters, make_request):
    audience = make_request(letter=letters["ordinary"])
    response = login(people.secretariat).get(edit_url(audience))
    assert response.context["form"]["letter"].value() == letters["ordinary"].reference
    page = response.content.decode()
    assert f'name="letter" value="{letters["ordinary"].reference}"' in page
    assert f"Actuellement : {letters['ordinary'].reference} — Demande d&#x27;audience de l&#x27;ambassadeur." in page


def test_the_letter_is_changed_kept_or_removed_by_its_number(login, people, requester, letters, make_request):
    audience = make_request(letter=letters["ordinary"])
    client = login(people.attache)
    response = client.post(edit_url(audience), form_data(audience), follow=True)
    assert "Aucune modification à enregistrer." in response.content.decode()

    other = mail_register_incoming(
        registered_by=people.secretariat,
        correspondent=requester,
        subject="Rappel de la demande",
        kind=letters["ordinary"].kind,
        arrival_date=timezone.localdate(),
    )
    assert client.post(edit_url(audience), form_data(audience, letter=other.reference)).status_code == 302
    audience.refresh_from_db()
    assert audience.letter == other
    assert client.post(edit_url(audience), form_data(audience, letter="")).status_code == 302
    audience.refresh_from_db()
    assert audience.letter is None


def test_the_edit_form_refuses_a_number_the_editor_may_not_see_and_keeps_the_letter(
    login, people, letters, make_request
):
    audience = make_request(letter=letters["ordinary"])
    client = login(people.secretariat)
    typed = letters["confidential"].reference
    response = client.post(edit_url(audience), form_data(audience, letter=typed, purpose="Objet retapé"))
    assert response.status_code == 200
    assert response.context["form"].errors["letter"] == [NOT_FOUND]
    page = response.content.decode()
    assert f'name="letter" value="{typed}"' in page and "Objet retapé" in page
    assert letters["confidential"].subject not in page
    audience.refresh_from_db()
    assert audience.letter == letters["ordinary"] and audience.purpose == "Préparation de la commission mixte"


def test_the_services_refuse_an_outgoing_letter_too(people, requester, letters, make_request):
    """The form looks among incoming letters; a service called from elsewhere checks it again."""
    from django.core.exceptions import ValidationError

    from audiences import services

    with pytest.raises(ValidationError) as refused:
        services.audience_request_create(
            by=people.attache,
            requester=requester,
            purpose="Visite de courtoisie",
            wished_from=timezone.localdate(),
            letter=letters["outgoing"],
        )
    assert refused.value.message_dict == {"letter": ["Courrier introuvable."]}
    audience = make_request()
    with pytest.raises(ValidationError):
        services.audience_update(actor=people.attache, audience=audience, letter=letters["outgoing"])
    audience.refresh_from_db()
    assert audience.letter_id is None
