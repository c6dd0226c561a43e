"""Tamper evidence: verify_register and the nightly task."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cabinet.demo import ensure_admin_group
from cabinet.models import Notification
from correspondence.tasks import verify_registers_nightly

pytestmark = pytest.mark.django_db


def _three(register_incoming):
    return [register_incoming(subject=f"Lettre {n}") for n in range(1, 4)]


def test_verify_register_passes_on_an_untouched_register(register_incoming, capsys):
    _three(register_incoming)
    call_command("verify_register")
    assert "Registres intègres" in capsys.readouterr().out


def test_verify_register_names_the_entry_edited_in_sql(register_incoming):
    mails = _three(register_incoming)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE correspondence_mail SET subject = %s WHERE id = %s", ["Objet falsifié", mails[1].pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_register")
    assert mails[1].reference in str(exc.value)
    assert mails[0].reference not in str(exc.value)


def test_verify_register_detects_a_rehashed_edit_on_the_next_entry(register_incoming):
    mails = _three(register_incoming)
    forged = mails[0]
    forged.subject = "Objet falsifié"
    forged_hash = forged.compute_chain_hash(f"genesis:arrivee:{forged.year}")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE correspondence_mail SET subject = %s, chain_hash = %s WHERE id = %s",
            ["Objet falsifié", forged_hash, forged.pk],
        )
    with pytest.raises(CommandError) as exc:
        call_command("verify_register")
    assert mails[1].reference in str(exc.value)


def test_verify_register_detects_a_deleted_entry(register_incoming):
    mails = _three(register_incoming)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM correspondence_mailevent WHERE mail_id = %s", [mails[1].pk])
        cursor.execute("DELETE FROM correspondence_mail WHERE id = %s", [mails[1].pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_register")
    assert "manquant" in str(exc.value) or mails[2].reference in str(exc.value)


def test_nightly_check_alerts_the_administrators(register_incoming, people):
    mails = _three(register_incoming)
    ensure_admin_group()
    assert verify_registers_nightly() == 0
    assert not Notification.objects.filter(subject__startswith="Registre du courrier altéré").exists()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE correspondence_mail SET sender_reference = 'X' WHERE id = %s", [mails[2].pk])
    assert verify_registers_nightly() == 1
    alert = Notification.objects.get(subject__startswith="Registre du courrier altéré")
    assert alert.recipient == people.admin
    assert mails[2].reference in alert.subject


def _counter(mail):
    from correspondence.models import RegisterCounter

    return RegisterCounter.objects.get(register=mail.register, year=mail.year)


def test_the_counter_keeps_the_last_hash_and_the_next_entry_chains_on_it(register_incoming):
    from correspondence.integrity import verify_register

    mails = _three(register_incoming)
    counter = _counter(mails[-1])
    assert (counter.last_number, counter.last_hash_number, counter.last_hash) == (
        mails[-1].number,
        mails[-1].number,
        mails[-1].chain_hash,
    )
    fourth = register_incoming(subject="Lettre 4")
    assert fourth.chain_hash == fourth.compute_chain_hash(mails[-1].chain_hash)
    assert verify_register(fourth.register, fourth.year) is None


def test_a_counter_advanced_without_its_hash_falls_back_to_the_previous_entry(register_incoming):
    """A bulk writer that numbers entries but does not keep ``last_hash`` (an older
    seed_volume, a restore) must not make the next registration chain on a stale hash."""
    from correspondence.integrity import verify_register
    from correspondence.models import Mail

    mails = _three(register_incoming)
    stale = _counter(mails[-1]).last_hash
    with connection.cursor() as cursor:  # the third entry "loaded in bulk" after the second
        cursor.execute(
            "UPDATE correspondence_registercounter SET last_hash = %s, last_hash_number = %s WHERE register = %s",
            [mails[1].chain_hash, mails[1].number, mails[-1].register],
        )
    assert stale != mails[1].chain_hash
    fourth = register_incoming(subject="Lettre 4")
    assert fourth.chain_hash == fourth.compute_chain_hash(Mail.objects.get(pk=mails[-1].pk).chain_hash)
    assert verify_register(fourth.register, fourth.year) is None


def test_verify_register_names_a_counter_whose_hash_is_not_the_last_entrys(register_incoming):
    from correspondence.integrity import verify_register

    mails = _three(register_incoming)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE correspondence_registercounter SET last_hash = %s", ["0" * 64])
    breach = verify_register(mails[-1].register, mails[-1].year)
    assert breach is not None and "empreinte gardée par le compteur" in breach.reason
