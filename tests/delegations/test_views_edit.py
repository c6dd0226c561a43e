"""« Modifier le projet » (delegations.views.delegation_edit): success, wrong method (405),
hidden (404), forbidden (403), bad input kept with French messages, a published or revoked
arrêté refused, a publication between load and save, the scan kept or replaced, and a
constant number of queries."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabinet import freshness
from delegations import delegation_services, selectors, views
from delegations.models import Delegation, DelegationEvent

from .conftest import SIGNED_ON

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def url(name, *args):
    return reverse(f"delegations:{name}", args=args)


def form_data(delegation, **overrides) -> dict:
    """What the pre-filled form posts back when nothing is changed, with ``overrides``."""
    data = {
        "number": delegation.number,
        "signed_on": delegation.signed_on.isoformat(),
        "delegator": delegation.delegator_id,
        "delegate": delegation.delegate_id,
        "categories": [c.pk for c in delegation.categories.all()],
        "valid_from": delegation.valid_from.isoformat(),
        "valid_until": delegation.valid_until.isoformat() if delegation.valid_until else "",
    }
    if delegation.is_conditional:
        data["is_conditional"] = "on"
    data.update(overrides)
    return data


def unchanged(delegation) -> bool:
    fresh = Delegation.objects.get(pk=delegation.pk)
    return (fresh.number, fresh.delegate_id, fresh.valid_until, fresh.state) == (
        delegation.number,
        delegation.delegate_id,
        delegation.valid_until,
        delegation.state,
    ) and not fresh.events.filter(action=DelegationEvent.Action.UPDATED).exists()


def test_edit_page_is_the_creation_form_filled_with_the_projet(people, as_user, make_delegation):
    assert reverse("delegations:delegation_edit", args=[7]) == "/delegations/arretes/7/modifier/"
    delegation = make_delegation(publish=False, codes=("correspondance-courante", "notes-verbales"))
    response = as_user(people.attache).get(url("delegation_edit", delegation.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert type(form).__name__ == "DelegationForm"
    page = response.content.decode()
    assert f'value="{delegation.number}"' in page
    assert 'value="10/09/2025"' in page  # shown as the ministry writes it
    assert f'<option value="{people.directeur.pk}" selected>' in page
    checked = re.findall(r'name="categories" value="(\d+)"[^>]* checked>', page)
    assert sorted(checked) == sorted(str(c.pk) for c in delegation.categories.all())
    assert 'name="is_conditional" id="id_is_conditional">' in page  # not conditional: unchecked
    assert f"Modifier le projet d'arrêté n° {delegation.number}" in page


def test_edit_success_corrects_the_projet_and_shows_it(people, as_user, cats, make_delegation):
    delegation = make_delegation(publish=False)
    client = as_user(people.directeur)
    response = client.post(
        url("delegation_edit", delegation.pk),
        form_data(
            delegation,
            delegate=people.attache.pk,
            categories=[cats["correspondance-courante"].pk, cats["attestations"].pk],
            valid_until="2026-06-30",
        ),
    )
    assert response.status_code == 302 and response["Location"] == url("delegation_detail", delegation.pk)
    delegation.refresh_from_db()
    assert (delegation.delegate, delegation.valid_until, delegation.state) == (
        people.attache,
        datetime.date(2026, 6, 30),
        Delegation.State.PROJET,
    )
    assert set(delegation.categories.values_list("code", flat=True)) == {"correspondance-courante", "attestations"}
    detail = client.get(response["Location"]).content.decode()
    assert "Projet d&#x27;arrêté modifié" in detail
    assert "Afi MENSAH" in detail and "30/06/2026" in detail
    assert "Modifié" in detail and "Délégataire : Edem AKAKPO → Afi MENSAH" in detail


def test_detail_page_links_to_the_edit_page_only_for_a_projet_and_whoever_manages(people, as_user, make_delegation):
    draft = make_delegation(publish=False)
    edit = url("delegation_edit", draft.pk)
    assert edit in as_user(people.attache).get(url("delegation_detail", draft.pk)).content.decode()
    assert edit not in as_user(people.conseiller1).get(url("delegation_detail", draft.pk)).content.decode()
    published = make_delegation()
    page = as_user(people.attache).get(url("delegation_detail", published.pk)).content.decode()
    assert url("delegation_edit", published.pk) not in page


def test_edit_wrong_method(people, as_user, make_delegation):
    delegation = make_delegation(publish=False)
    client = as_user(people.attache)
    assert client.put(url("delegation_edit", delegation.pk)).status_code == 405
    assert client.delete(url("delegation_edit", delegation.pk)).status_code == 405


def test_edit_hidden_arrete_answers_404(people, as_user, make_delegation):
    delegation = make_delegation(publish=False)
    outsider = as_user(people.outsider)
    assert outsider.get(url("delegation_edit", delegation.pk)).status_code == 404
    assert outsider.post(url("delegation_edit", delegation.pk), form_data(delegation, number="X")).status_code == 404
    assert as_user(people.attache).get(url("delegation_edit", 999999)).status_code == 404
    assert unchanged(delegation)


def test_edit_forbidden_to_who_sees_the_arrete_without_managing_arretes(people, as_user, make_delegation):
    delegation = make_delegation(publish=False)
    client = as_user(people.conseiller1)  # reads the register, does not manage arrêtés
    assert client.get(url("delegation_detail", delegation.pk)).status_code == 200
    assert client.get(url("delegation_edit", delegation.pk)).status_code == 403
    assert client.post(url("delegation_edit", delegation.pk), form_data(delegation, number="X")).status_code == 403
    assert unchanged(delegation)


def test_edit_bad_input_names_each_rule_in_french_and_keeps_what_was_typed(people, as_user, cats, make_delegation):
    delegation = make_delegation(publish=False)
    data = form_data(
        delegation,
        number="2025-777/MAE/CAB",
        delegate=people.outsider.pk,
        categories=[cats["correspondance-courante"].pk, cats["decrets"].pk],
        valid_until="2025-09-01",
    )
    response = as_user(people.attache).post(url("delegation_edit", delegation.pk), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Catégorie non délégable, seul le ministre la signe : Décrets." in errors["categories"]
    assert "aucun mandat en cours" in errors["delegate"][0]
    assert errors["valid_until"] == ["La fin de validité ne peut pas précéder son début."]
    page = response.content.decode()
    assert 'value="2025-777/MAE/CAB"' in page and 'value="2025-09-01"' in page
    assert f'<option value="{people.outsider.pk}" selected>' in page
    checked = re.findall(r'name="categories" value="(\d+)"[^>]* checked>', page)
    assert sorted(checked) == sorted(str(c.pk) for c in (cats["correspondance-courante"], cats["decrets"]))
    assert unchanged(delegation)


@pytest.mark.parametrize("state", ["en_vigueur", "abroge"])
def test_a_published_or_revoked_arrete_is_refused_with_its_reason(people, as_user, make_delegation, state):
    delegation = make_delegation()
    if state == "abroge":
        delegation = delegation_services.delegation_revoke(
            delegation=delegation, actor=people.attache, reference="A-1", revoked_on=timezone.localdate(), reason="Fin"
        )
    client = as_user(people.attache)
    page = client.get(url("delegation_edit", delegation.pk))
    assert page.status_code == 302 and page["Location"] == url("delegation_detail", delegation.pk)
    posted = client.post(url("delegation_edit", delegation.pk), form_data(delegation, delegate=people.attache.pk))
    assert posted.status_code == 302
    shown = client.get(posted["Location"]).content.decode()
    assert f"L&#x27;arrêté n° {delegation.number} est" in shown and "il ne se modifie plus" in shown
    assert unchanged(delegation)


def test_a_publication_between_load_and_save_is_refused_and_the_input_kept(
    people, as_user, make_delegation, monkeypatch
):
    """The page was shown as a projet; another tab publishes while this one saves."""
    delegation = make_delegation(publish=False)
    access = selectors.access_delegation

    def access_then_publish(user, pk):
        loaded = access(user, pk)
        delegation_services.delegation_put_in_force(
            delegation=loaded, actor=people.directeur, publication_reference="JO n° 5", published_on=SIGNED_ON
        )
        return loaded

    monkeypatch.setattr(views.selectors, "access_delegation", access_then_publish)
    response = as_user(people.attache).post(
        url("delegation_edit", delegation.pk), form_data(delegation, number="2025-888/MAE/CAB")
    )
    assert response.status_code == 200
    assert "publié et en vigueur" in response.context["form"].non_field_errors()[0]
    assert 'value="2025-888/MAE/CAB"' in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.state == Delegation.State.EN_VIGUEUR and delegation.number != "2025-888/MAE/CAB"


def test_edit_keeps_the_scan_or_replaces_it_through_the_upload(people, as_user, make_delegation):
    delegation = make_delegation(publish=False)
    delegation.scan.save("arrete.pdf", SimpleUploadedFile("arrete.pdf", PDF), save=True)
    first = delegation.scan.name
    client = as_user(people.attache)
    page = client.get(url("delegation_edit", delegation.pk)).content.decode()
    assert url("delegation_scan", delegation.pk) in page and "Arrêté scanné actuel" in page
    assert client.post(url("delegation_edit", delegation.pk), form_data(delegation, number="N-2")).status_code == 302
    delegation.refresh_from_db()
    assert delegation.scan.name == first
    refused = client.post(
        url("delegation_edit", delegation.pk),
        form_data(delegation, scan=SimpleUploadedFile("arrete.pdf", b"MZ\x90\x00 executable", "application/pdf")),
    )
    assert refused.status_code == 200 and "scan" in refused.context["form"].errors
    delegation.refresh_from_db()
    assert delegation.scan.name == first
    replaced = client.post(
        url("delegation_edit", delegation.pk),
        form_data(delegation, scan=SimpleUploadedFile("arrete-signe.pdf", PDF, "application/pdf")),
    )
    assert replaced.status_code == 302
    delegation.refresh_from_db()
    assert delegation.scan.name != first and client.get(url("delegation_scan", delegation.pk)).status_code == 200


def _count_queries(client, path) -> int:
    freshness.bump()  # the navigation's counts computed, not read from the cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_edit_page_runs_a_constant_number_of_queries(people, as_user, make_delegation):
    client = as_user(people.attache)
    small = make_delegation(publish=False)
    one = _count_queries(client, url("delegation_edit", small.pk))
    large = make_delegation(
        publish=False, codes=("correspondance-courante", "notes-verbales", "attestations", "ordres-de-mission")
    )
    large.scan.save("arrete.pdf", SimpleUploadedFile("arrete.pdf", PDF), save=True)
    assert _count_queries(client, url("delegation_edit", large.pk)) == one
    assert one <= 25


def test_the_arrete_page_names_its_scan_as_chosen_with_its_size(people, as_user, make_delegation):
    """Like the register's attachments: the file's own name (escaped), its size, and the link
    through the view that checks who asks."""
    delegation = make_delegation(publish=False)
    client = as_user(people.attache)
    chosen = SimpleUploadedFile("Arrêté n° 12 & annexe d'Accra.pdf", PDF, "application/pdf")
    assert client.post(url("delegation_edit", delegation.pk), form_data(delegation, scan=chosen)).status_code == 302
    link = f'<a href="{url("delegation_scan", delegation.pk)}">Arrêté n° 12 &amp; annexe d&#x27;Accra.pdf</a>'
    size = f'<span class="muted">({len(PDF)}\xa0octets)</span>'
    for page in ("delegation_detail", "delegation_edit"):
        assert f"{link} {size}" in client.get(url(page, delegation.pk)).content.decode(), page
    replaced = SimpleUploadedFile("arrete-signe.pdf", PDF + b"\n", "application/pdf")
    assert client.post(url("delegation_edit", delegation.pk), form_data(delegation, scan=replaced)).status_code == 302
    page = client.get(url("delegation_detail", delegation.pk)).content.decode()
    assert f'arrete-signe.pdf</a> <span class="muted">({len(PDF) + 1}\xa0octets)</span>' in page
    downloaded = client.get(url("delegation_scan", delegation.pk))
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"] == 'inline; filename="arrete-signe.pdf"'  # the name it was given
