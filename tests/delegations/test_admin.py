"""Administration: categories are editable; arrêtés and signatures are read-only records."""

import pytest

from delegations import services
from delegations.models import ActCategory

pytestmark = pytest.mark.django_db


def test_admin_pages_open_and_legal_records_cannot_be_added_or_deleted(
    people, as_user, make_delegation, make_item, make_directive
):
    delegation = make_delegation()
    item = services.signature_item_sign(item=make_item(), user=people.directeur)
    directive = make_directive()
    client = as_user(people.admin)
    for path in (
        "/admin/delegations/actcategory/",
        f"/admin/delegations/actcategory/{ActCategory.objects.first().pk}/change/",
        "/admin/delegations/delegation/",
        f"/admin/delegations/delegation/{delegation.pk}/change/",
        "/admin/delegations/signatureitem/",
        f"/admin/delegations/signatureitem/{item.pk}/change/",
        f"/admin/delegations/directive/{directive.pk}/change/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/delegations/delegation/add/").status_code == 403
    assert client.get(f"/admin/delegations/delegation/{delegation.pk}/delete/").status_code == 403
    assert client.get(f"/admin/delegations/signatureitem/{item.pk}/delete/").status_code == 403
    used = item.category
    assert client.get(f"/admin/delegations/actcategory/{used.pk}/delete/").status_code == 403


def test_admin_edits_a_category(people, as_user, cats):
    category = cats["attestations"]
    response = as_user(people.admin).post(
        f"/admin/delegations/actcategory/{category.pk}/change/",
        {"code": category.code, "name": category.name, "is_delegable": "", "is_active": "on"},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_delegable is False
