"""The register's rules, through the services."""

import datetime

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from cabinet.models import Notification
from correspondence import services
from correspondence.models import Imputation, Instruction, Mail, MailEvent, Register, RegisterCounter
from correspondence.services import registration

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def test_incoming_numbers_are_consecutive_per_register_and_year(register_incoming, people, embassy, lettre):
    first = register_incoming()
    second = register_incoming()
    out = services.mail_register_outgoing(
        registered_by=people.secretariat, recipients=[embassy], subject="Réponse", kind=lettre
    )
    year = timezone.localdate().year
    assert (first.number, second.number, out.number) == (1, 2, 1)
    assert first.reference == f"A-{year}-00001"
    assert second.reference == f"A-{year}-00002"
    assert out.reference == f"D-{year}-00001"
    assert out.administrative_reference == "N° 00001/MAE/CAB"


def test_reference_formats_are_configurable(settings, register_incoming):
    settings.CABINET_MAIL_REFERENCE_FORMATS = {
        "arrivee": "ARR/{year}/{number:04d}",
        "depart": "DEP/{year}/{number:04d}",
    }
    mail = register_incoming()
    assert mail.reference == f"ARR/{mail.year}/0001"


def test_failed_registration_burns_no_number(register_incoming):
    register_incoming()
    with pytest.raises(ValidationError):
        register_incoming(arrival_date=timezone.localdate() + datetime.timedelta(days=1))
    assert register_incoming().number == 2
    assert RegisterCounter.objects.get(register=Register.ARRIVEE).last_number == 2


def test_letter_date_after_arrival_is_refused(register_incoming):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        register_incoming(
            arrival_date=today - datetime.timedelta(days=3), letter_date=today - datetime.timedelta(days=1)
        )
    assert "letter_date" in exc.value.error_dict


def test_registration_writes_the_timeline_and_chain_hash(register_incoming):
    mail = register_incoming(files=[pdf_upload()])
    actions = list(mail.events.values_list("action", flat=True))
    assert actions == [MailEvent.Action.REGISTERED, MailEvent.Action.ATTACHMENT]
    assert len(mail.chain_hash) == 64
    assert mail.chain_hash == mail.compute_chain_hash(f"genesis:arrivee:{mail.year}")
    second = register_incoming()
    assert second.chain_hash == second.compute_chain_hash(mail.chain_hash)


def test_attachment_keeps_sanitised_name_and_sha256(register_incoming, people):
    import hashlib

    from .conftest import pdf_bytes

    mail = register_incoming()
    attachment = services.attachment_add(
        mail=mail, uploaded_by=people.secretariat, upload=pdf_upload("../../etc/<scan>.pdf")
    )
    assert attachment.original_name == "_scan_.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert "<scan>" not in attachment.file.name and ".." not in attachment.file.name


def test_upload_rolled_back_leaves_a_file_that_the_nightly_sweep_removes(register_incoming, people):
    import datetime

    from django.core.files.storage import default_storage
    from django.db import transaction

    from cabinet import orphans

    mail = register_incoming()
    kept = services.attachment_add(mail=mail, uploaded_by=people.secretariat, upload=pdf_upload("gardé.pdf"))
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = services.attachment_add(mail=mail, uploaded_by=people.secretariat, upload=pdf_upload("perdu.pdf"))
        raise RuntimeError("la suite de l'enregistrement échoue")
    # The row is gone with the transaction; its file is still in the storage.
    assert not mail.attachments.filter(pk=lost.pk).exists()
    assert default_storage.exists(lost.file.name)

    report = orphans.sweep(min_age=datetime.timedelta(0))

    assert report.quarantined == [lost.file.name]
    assert not default_storage.exists(lost.file.name)
    assert default_storage.exists(kept.file.name)


def test_routing_sets_state_grants_view_and_notifies(register_incoming, people):
    mail = register_incoming(priority=Mail.Priority.URGENTE)
    imputation = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.ATTRIBUTION
    )
    mail.refresh_from_db()
    assert mail.state == Mail.State.IMPUTE
    assert people.conseiller1.has_perm("correspondence.view_mail", mail)
    assert imputation.deadline == services.default_deadline(Mail.Priority.URGENTE)
    assert Notification.objects.filter(recipient=people.conseiller1, subject__contains=mail.reference).exists()


def test_assignee_work_moves_mail_to_en_traitement(register_incoming, people):
    mail = register_incoming()
    imputation = services.imputation_create(
        mail=mail, created_by=people.attache, assignee=people.conseiller1, instruction=Instruction.AVIS
    )
    services.imputation_annotate(imputation=imputation, actor=people.conseiller1, note="Vu.", opinion="Avis favorable.")
    imputation.refresh_from_db()
    mail.refresh_from_db()
    assert imputation.state == Imputation.State.ACCUSEE
    assert imputation.opinion == "Avis favorable."
    assert mail.state == Mail.State.EN_TRAITEMENT
    services.imputation_complete(imputation=imputation, actor=people.conseiller1)
    imputation.refresh_from_db()
    assert imputation.state == Imputation.State.TERMINEE


def test_reassignment_keeps_history(register_incoming, people):
    mail = register_incoming()
    first = services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.ATTRIBUTION
    )
    second = services.imputation_reassign(
        imputation=first, actor=people.directeur, assignee=people.conseiller2, comment="Domaine multilatéral"
    )
    first.refresh_from_db()
    assert first.state == Imputation.State.REAFFECTEE
    assert second.reassigned_from == first and second.is_open
    assert second.deadline == first.deadline
    assert mail.events.filter(action=MailEvent.Action.REASSIGNED).exists()


def test_reply_completes_attribution_and_sets_repondu(register_incoming, people, embassy, lettre):
    incoming = register_incoming()
    attribution = services.imputation_create(
        mail=incoming, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.ATTRIBUTION
    )
    information = services.imputation_create(
        mail=incoming, created_by=people.directeur, assignee=people.conseiller2, instruction=Instruction.INFORMATION
    )
    reply = services.mail_register_outgoing(
        registered_by=people.secretariat, recipients=[embassy], subject="Réponse", kind=lettre, replies_to=[incoming]
    )
    incoming.refresh_from_db()
    attribution.refresh_from_db()
    information.refresh_from_db()
    assert incoming.state == Mail.State.REPONDU
    assert list(incoming.replies.all()) == [reply]
    assert attribution.state == Imputation.State.TERMINEE
    assert information.is_open


def test_cancel_keeps_number_and_requires_reason(register_incoming, people):
    mail = register_incoming()
    with pytest.raises(ValidationError):
        services.mail_cancel(mail=mail, actor=people.secretariat, reason="  ")
    services.mail_cancel(mail=mail, actor=people.secretariat, reason="Doublon de A-1")
    mail.refresh_from_db()
    assert mail.is_cancelled and mail.number == 1 and mail.cancelled_by == people.secretariat
    with pytest.raises(ValidationError):
        services.imputation_create(
            mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
        )
    assert register_incoming().number == 2


def test_update_records_before_and_after(register_incoming, people):
    mail = register_incoming()
    services.mail_update(mail=mail, actor=people.secretariat, priority=Mail.Priority.TRES_URGENTE, keywords="audience")
    event = mail.events.get(action=MailEvent.Action.UPDATED)
    assert event.changes["priorité"] == ["Normale", "Très urgente"]
    assert event.changes["mots-clés"] == ["", "audience"]
    with pytest.raises(ValueError):
        services.mail_update(mail=mail, actor=people.secretariat, subject="Autre objet")


def test_the_timeline_writes_a_moment_with_its_time_as_every_history_does(register_incoming):
    """The register's timeline keeps its values as text (``MailEvent.changes``), written by
    ``cabinet.history.shown``: a moment keeps its time in Lomé, a date stays jj/mm/aaaa."""
    mail = register_incoming()
    moment = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert registration._display(mail, "registered_at", moment) == "29/11/2026 à 09:00"
    assert registration._display(mail, "sent_date", datetime.date(2026, 3, 10)) == "10/03/2026"
    assert registration._display(mail, "sent_date", None) == ""  # the page shows a dash


def test_deadline_on_a_weekend_moves_to_next_working_day(register_incoming, people):
    mail = register_incoming()
    today = timezone.localdate()
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    imputation = services.imputation_create(
        mail=mail,
        created_by=people.directeur,
        assignee=people.conseiller1,
        instruction=Instruction.AVIS,
        deadline=saturday,
    )
    assert imputation.deadline.weekday() == 0


def test_merge_redirects_letters_of_the_duplicate(register_incoming, people, embassy):
    from correspondence.selectors import MailFilters, filtered_mails

    duplicate = services.correspondent_create(name="Ambassade France")
    register_incoming(correspondent=duplicate, subject="Lettre au doublon")
    services.correspondent_merge(duplicate=duplicate, into=embassy, actor=people.secretariat)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == embassy and not duplicate.is_active
    found = filtered_mails(people.directeur, MailFilters(correspondent=embassy.pk))
    assert [m.subject for m in found] == ["Lettre au doublon"]


def test_search_vector_is_filled_on_postgres(register_incoming, people, lettre, ecowas):
    mail = register_incoming(subject="Coopération économique")
    assert "cooperation economique" in mail.search_text
    out = services.mail_register_outgoing(
        registered_by=people.secretariat, recipients=[ecowas], subject="Réponse hydrographique", kind=lettre
    )
    if connection.vendor != "postgresql":
        return
    # Written by the INSERT for an incoming letter, after the recipients for an outgoing one:
    # each row's vector is exactly PostgreSQL's vector of its final search text.
    for entry in (mail, out):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_vector = to_tsvector('french_unaccent', search_text), search_vector::text"
                " FROM correspondence_mail WHERE id = %s",
                [entry.pk],
            )
            same, vector = cursor.fetchone()
        assert same, vector
    assert "'cooper'" in str(Mail.objects.get(pk=mail.pk).search_vector)
    assert [m.pk for m in Mail.objects.filter(search_vector=SearchQuery("CEDEAO", config="french_unaccent"))] == [
        out.pk
    ]
