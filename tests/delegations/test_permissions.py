"""The sign permission, recomputed from the rules (delegations/permissions.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.permissions import sign_permissions_sync

from .conftest import sign_holders

pytestmark = pytest.mark.django_db


def test_sign_permission_is_held_by_exactly_the_signers_of_each_item(people, make_delegation, make_item):
    make_delegation(codes=("correspondance-courante",))
    letter = make_item(title="Lettre")
    note = make_item(code="notes-verbales", title="Note verbale")
    assert sign_permissions_sync() == (0, 0)  # granted already as each entered the book
    assert sign_holders(letter) == {"ministre", "directeur"}
    assert sign_holders(note) == {"ministre"}


def test_sign_permission_resync_runs_the_same_queries_for_3_and_30_arretes(
    people, make_delegation, make_item, django_assert_num_queries
):
    # One look at the signers per category of the pending items, whatever the arrêtés.
    delegates = [people.directeur, people.dir_afrique, people.chef_sp]
    scope = ("correspondance-courante", "notes-verbales")
    for delegate in delegates:
        make_delegation(delegate=delegate, codes=scope)
    letter = make_item(title="Lettre")
    make_item(code="notes-verbales", title="Note verbale")
    with CaptureQueriesContext(connection) as few:
        assert sign_permissions_sync() == (0, 0)
    for n in range(27):
        make_delegation(delegate=delegates[n % 3], codes=scope)
    with django_assert_num_queries(len(few.captured_queries)):
        assert sign_permissions_sync() == (0, 0)
    assert sign_holders(letter) == {"ministre", "directeur", "dir-afrique", "chef-sp"}
