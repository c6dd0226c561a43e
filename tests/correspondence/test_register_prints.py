"""The printed register of a long period, prepared in the background
(correspondence.services.register_prints, views_print.register_print_request and friends)."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cabinet.models import Notification
from correspondence.forms_print import RegisterPrintForm
from correspondence.models import MailConsultation, RegisterPrint
from correspondence.services import register_prints

from .outputs_data import incoming
from .test_views_print import register_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_period(people, monkeypatch):
    """Three ordinary letters and a secret one today, with a synchronous limit of 2 rows."""
    monkeypatch.setattr(RegisterPrintForm, "MAX_ROWS", 2)
    ordinary = [incoming(people, subject=f"Lettre ordinaire {n}") for n in range(3)]
    secret = incoming(people, subject="Télégramme réservé", confidentiality="secret")
    today = f"{timezone.localdate():%Y-%m-%d}"
    return {"ordinary": ordinary, "secret": secret, "data": {"register": "arrivee", "start": today, "end": today}}


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _ask(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("correspondence:register_print_request"), data)


def test_period_over_the_limit_is_offered_in_the_background_with_the_period_kept(people, login, long_period):
    response = login(people.directeur).get(register_url(**long_period["data"]))
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Préparer le registre en arrière-plan" in page
    assert f'name="start" value="{long_period["data"]["start"]}"' in page
    assert not RegisterPrint.objects.exists()  # a GET asks nothing


def test_requested_register_is_prepared_with_only_what_the_requester_sees(
    people, login, long_period, django_capture_on_commit_callbacks
):
    adviser = login(people.conseiller1)
    response = _ask(adviser, long_period["data"], django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("correspondence:register_prints")

    job = RegisterPrint.objects.get()
    assert (job.requested_by, job.state, job.rows) == (people.conseiller1, RegisterPrint.State.READY, 3)
    download = adviser.get(reverse("correspondence:register_print_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = _text(b"".join(download.streaming_content))
    assert all(mail.reference in text for mail in long_period["ordinary"])
    assert long_period["secret"].reference not in text and "Télégramme réservé" not in text
    notice = Notification.objects.get(recipient=people.conseiller1)
    assert "Registre prêt" in notice.subject and notice.url == reverse("correspondence:register_prints")
    assert not MailConsultation.objects.exists()  # nothing restricted in his rows


def test_restricted_entries_of_a_prepared_register_go_to_the_consultation_log(
    people, login, long_period, django_capture_on_commit_callbacks
):
    _ask(login(people.directeur), long_period["data"], django_capture_on_commit_callbacks)
    job = RegisterPrint.objects.get()
    assert job.rows == 4
    with job.file.open("rb") as stored:
        assert long_period["secret"].reference in _text(stored.read())
    logged = MailConsultation.objects.filter(what=MailConsultation.What.EXPORT)
    assert list(logged.values_list("mail_id", "user_id")) == [(long_period["secret"].pk, people.directeur.pk)]


def test_prepared_register_is_the_requesters_alone(people, login, long_period, django_capture_on_commit_callbacks):
    _ask(login(people.directeur), long_period["data"], django_capture_on_commit_callbacks)
    job = RegisterPrint.objects.get()
    url = reverse("correspondence:register_print_download", args=[job.pk])
    assert login(people.attache).get(url).status_code == 404
    assert login(people.secretariat).get(reverse("correspondence:register_prints")).content.decode().count(url) == 0
    RegisterPrint.objects.filter(pk=job.pk).update(state=RegisterPrint.State.PENDING)
    assert login(people.directeur).get(url).status_code == 404  # not ready: nothing to give


def test_pages_need_login_and_the_right_method(client, people, login, long_period):
    for name, args in [("register_prints", []), ("register_print_download", [1])]:
        response = client.get(reverse(f"correspondence:{name}", args=args))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    signed_in = login(people.directeur)
    assert signed_in.get(reverse("correspondence:register_print_request")).status_code == 405
    assert signed_in.post(reverse("correspondence:register_prints")).status_code == 405


def test_bad_period_posted_is_refused_in_french_and_kept(people, login, django_capture_on_commit_callbacks):
    data = {"register": "arrivee", "start": "2026-03-10", "end": "2026-03-01"}
    response = _ask(login(people.directeur), data, django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert response.status_code == 200
    assert "La fin de la période ne peut pas précéder son début." in page
    assert 'value="2026-03-10"' in page and 'value="2026-03-01"' in page
    assert not RegisterPrint.objects.exists()


def test_a_task_delivered_twice_prepares_once(people, long_period, django_capture_on_commit_callbacks):
    data = long_period["data"]
    with django_capture_on_commit_callbacks(execute=True):
        job = register_prints.register_print_request(
            user=people.directeur,
            register=data["register"],
            start=datetime.date.fromisoformat(data["start"]),
            end=datetime.date.fromisoformat(data["end"]),
        )
    first = RegisterPrint.objects.get(pk=job.pk)
    again = register_prints.register_print_prepare(job_id=job.pk)
    assert again.file.name == first.file.name and again.finished_at == first.finished_at
    assert MailConsultation.objects.count() == 1 and Notification.objects.count() == 1


def test_period_too_long_even_for_the_background_fails_with_a_french_reason(
    people, login, long_period, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(register_prints, "MAX_BACKGROUND_ROWS", 3)
    _ask(login(people.directeur), long_period["data"], django_capture_on_commit_callbacks)
    job = RegisterPrint.objects.get()
    assert job.state == RegisterPrint.State.FAILED and not job.file
    assert "plus de 3 entrées" in job.error
    page = login(people.directeur).get(reverse("correspondence:register_prints")).content.decode()
    assert "Échec" in page and "plusieurs périodes plus courtes" in page
    assert "impossible" in Notification.objects.get(recipient=people.directeur).subject


def test_a_layout_error_is_recorded_not_lost(
    people, login, long_period, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise OSError("police introuvable")

    monkeypatch.setattr(register_prints, "register_pdf", broken)
    _ask(login(people.directeur), long_period["data"], django_capture_on_commit_callbacks)
    job = RegisterPrint.objects.get()
    assert job.state == RegisterPrint.State.FAILED and "Réessayez" in job.error
    assert not MailConsultation.objects.exists()  # nothing left the application


def test_list_reads_a_constant_number_of_queries(people, login):
    client = login(people.directeur)
    url = reverse("correspondence:register_prints")
    today = timezone.localdate()

    def add(n):
        RegisterPrint.objects.bulk_create(
            RegisterPrint(
                requested_by=people.directeur,
                register="arrivee",
                start=today,
                end=today,
                rows=5,
                state=RegisterPrint.State.READY,
                file=f"correspondence/impressions/x{n}.pdf",
            )
            for _ in range(n)
        )

    def queries() -> int:
        client.get(url)  # after a write, the first page recomputes the per-person caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return len(captured.captured_queries), response

    add(1)
    few, _response = queries()
    add(15)
    many, response = queries()
    assert response.content.decode().count("Télécharger le PDF") == 16
    assert many == few


def test_old_prepared_registers_are_purged_with_their_files(
    people, login, long_period, django_capture_on_commit_callbacks
):
    _ask(login(people.directeur), long_period["data"], django_capture_on_commit_callbacks)
    job = RegisterPrint.objects.get()
    name = job.file.name
    assert default_storage.exists(name)
    later = timezone.now() + datetime.timedelta(days=RegisterPrint.KEPT_DAYS - 1)
    assert register_prints.register_prints_purge(now=later) == 0
    later = timezone.now() + datetime.timedelta(days=RegisterPrint.KEPT_DAYS, minutes=1)
    assert register_prints.register_prints_purge(now=later) == 1
    assert not RegisterPrint.objects.exists() and not default_storage.exists(name)
