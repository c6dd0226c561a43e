"""Every page of the register answers a wrong method with 405 and a missing object with 404
(the same answer as a hidden one)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GET_POST = {"GET", "POST"}
# name, takes a pk, allowed methods
PAGES = [
    ("mail_list", False, {"GET"}),
    ("my_work", False, {"GET"}),
    ("register_incoming", False, GET_POST),
    ("register_outgoing", False, GET_POST),
    ("export_csv", False, {"GET"}),
    ("export_xlsx", False, {"GET"}),
    ("mail_detail", True, {"GET"}),
    ("mail_route", True, GET_POST),
    ("mail_update", True, GET_POST),
    ("mail_cancel", True, GET_POST),
    ("mail_file", True, {"POST"}),
    ("mail_grant", True, GET_POST),
    ("attachment_upload", True, {"POST"}),
    ("attachment_download", True, {"GET"}),
    ("attachment_preview", True, {"GET"}),
    ("imputation_acknowledge", True, {"POST"}),
    ("imputation_annotate", True, GET_POST),
    ("imputation_complete", True, {"POST"}),
    ("imputation_reassign", True, GET_POST),
    ("imputation_submit_signature", True, GET_POST),
    ("correspondent_list", False, {"GET"}),
    ("correspondent_create", False, GET_POST),
    ("correspondent_lookup", False, {"GET"}),
    ("correspondent_quick_create", False, {"POST"}),
    ("correspondent_update", True, GET_POST),
    ("correspondent_merge", True, GET_POST),
]


def _url(name, with_pk):
    return reverse(f"correspondence:{name}", args=[999999] if with_pk else [])


@pytest.mark.parametrize(("name", "with_pk", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_wrong_method_is_405(people, login, name, with_pk, allowed):
    client = login(people.directeur)
    wrong = "put" if "GET" in allowed else "get"
    assert getattr(client, wrong)(_url(name, with_pk)).status_code == 405


@pytest.mark.parametrize(("name", "with_pk", "allowed"), [p for p in PAGES if p[1]], ids=[p[0] for p in PAGES if p[1]])
@pytest.mark.parametrize("user_key", ["directeur", "secretariat", "conseiller1"])
def test_missing_object_is_404(people, login, name, with_pk, allowed, user_key):
    client = login(getattr(people, user_key))
    method = "get" if "GET" in allowed else "post"
    assert getattr(client, method)(_url(name, with_pk)).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("correspondence:mail_list"))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
