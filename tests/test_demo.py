import io

import pytest
from django.core.management import call_command
from guardian.models import GroupObjectPermission, UserObjectPermission

from cabinet.models import Mandate, OrgUnit
from cabinet.selectors import roles_of


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_gives_one_user_per_role(django_user_model):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (django_user_model.objects.count(), Mandate.objects.count(), OrgUnit.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (django_user_model.objects.count(), Mandate.objects.count(), OrgUnit.objects.count()) == counts
    for username in [
        "ministre",
        "directeur",
        "attache",
        "conseiller1",
        "conseiller2",
        "chef-sp",
        "secretariat",
        "protocole",
        "dir-afrique",
    ]:
        user = django_user_model.objects.get(username=username)
        assert roles_of(user), username
        assert user.check_password("Cabinet-Lome-2026")
    admin = django_user_model.objects.get(username="admin")
    assert admin.groups.filter(name="Administrateurs").exists()
    assert admin.check_password("Cabinet-Lome-2026")


@pytest.mark.django_db
def test_row_level_permissions_never_use_guardians_generic_tables():
    """Every object permission lives in a direct foreign-key table (fast joins)."""
    call_command("seed_demo", stdout=io.StringIO())
    assert UserObjectPermission.objects.count() == 0
    assert GroupObjectPermission.objects.count() == 0
