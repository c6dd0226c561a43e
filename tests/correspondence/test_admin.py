"""The admin: reference lists editable, mail and imputations read-only, and confidentiality
holds there too."""

import pytest
from django.urls import reverse

from correspondence import services
from correspondence.models import Instruction, Mail, MailKind

pytestmark = pytest.mark.django_db


def test_admin_pages_load(people, login, register_incoming):
    mail = register_incoming()
    services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
    )
    client = login(people.admin)
    for name in ("mailkind", "arrivalchannel", "correspondent", "mail", "imputation"):
        assert client.get(reverse(f"admin:correspondence_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:correspondence_mail_change", args=[mail.pk])).status_code == 200
    assert client.get(reverse("admin:correspondence_mailkind_add")).status_code == 200


def test_mail_is_read_only_and_never_deleted_in_the_admin(people, login, register_incoming):
    mail = register_incoming()
    client = login(people.admin)
    assert client.get(reverse("admin:correspondence_mail_add")).status_code == 403
    assert client.post(reverse("admin:correspondence_mail_delete", args=[mail.pk]), {"post": "yes"}).status_code == 403
    assert (
        client.post(
            reverse("admin:correspondence_mailkind_delete", args=[MailKind.objects.first().pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Mail.objects.filter(pk=mail.pk).exists()


def test_secret_mail_stays_hidden_in_the_admin(people, login, register_incoming):
    ordinary = register_incoming(subject="Lettre ordinaire")
    secret = register_incoming(subject="Lettre secrète", confidentiality=Mail.Confidentiality.SECRET)
    page = login(people.admin).get(reverse("admin:correspondence_mail_changelist")).content.decode()
    assert ordinary.reference in page and secret.reference not in page


def test_mail_admin_does_not_count_the_whole_register_twice():
    from django.contrib import admin as django_admin

    from correspondence.models import Mail

    assert django_admin.site._registry[Mail].show_full_result_count is False
