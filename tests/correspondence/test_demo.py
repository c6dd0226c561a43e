import io
import time

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from freezegun import freeze_time

from cabinet.demo import seed_organisation
from cabinet.models import Notification
from cabinet.services import holidays_seed
from correspondence import demo
from correspondence.models import Attachment, Correspondent, Imputation, Mail, Register

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    with freeze_time("2026-11-24 16:30:00"):  # a Tuesday afternoon in Lomé
        holidays_seed(years=[2026])
        people = seed_organisation()
        started = time.monotonic()
        demo.seed(people=people, stdout=io.StringIO())
        elapsed = time.monotonic() - started
    return people, elapsed


def test_demo_register_is_realistic_verifiable_and_idempotent(seeded):
    """One seeding (a few seconds), every rule of the demo checked on it."""
    import datetime
    import hashlib

    people, elapsed = seeded
    # A few hundred letters, quickly.
    assert elapsed < 30  # a few seconds on SQLite; generous for a loaded CI machine
    incoming = Mail.objects.filter(register=Register.ARRIVEE)
    assert incoming.count() >= 120 and 200 <= Mail.objects.count() <= 500
    # Every state of the issue, replies, a few cancellations.
    assert set(incoming.values_list("state", flat=True)) == set(Mail.State.values)
    assert Mail.objects.filter(register=Register.DEPART, replies_to__isnull=False).exists()
    assert 1 <= Mail.objects.filter(cancelled_at__isnull=False).count() <= 5
    # Confidential and secret mail, routed to people (granted), never to a whole service.
    assert Mail.objects.filter(confidentiality="confidentiel").count() >= 5
    assert Mail.objects.filter(confidentiality="secret").exists()
    assert not Imputation.objects.filter(
        mail__confidentiality__in=["confidentiel", "secret"], assignee_unit__isnull=False
    ).exists()
    # Imputations late, open in time, done, with opinions.
    today = datetime.date(2026, 11, 24)
    open_imputations = Imputation.objects.filter(state__in=Imputation.OPEN_STATES)
    assert open_imputations.filter(deadline__lt=today).exists()
    assert open_imputations.filter(deadline__gte=today).exists()
    assert Imputation.objects.filter(state=Imputation.State.TERMINEE).exists()
    assert Imputation.objects.exclude(opinion="").exists()
    # Attachments: real one-page PDFs with their SHA-256; draft replies among them.
    attachments = Attachment.objects.all()
    assert attachments.filter(kind=Attachment.Kind.SCAN).count() >= 50
    assert attachments.filter(kind=Attachment.Kind.DRAFT_REPLY).exists()
    sample = attachments.first()
    content = sample.file.read()
    assert content.startswith(b"%PDF-") and sample.content_type == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == sample.sha256
    # The register verifies, and its numbers follow the days.
    out = io.StringIO()
    call_command("verify_register", stdout=out)
    assert "intègres" in out.getvalue()
    for register in Register.values:
        dates = list(
            Mail.objects.filter(register=register).order_by("year", "number").values_list("registered_at", flat=True)
        )
        assert dates == sorted(dates)
    # The directory: embassies accredited in Lomé, organisations.
    names = set(Correspondent.objects.values_list("name", flat=True))
    for expected in (
        "Ambassade de France au Togo",
        "Ambassade de la République fédérale d'Allemagne",
        "Ambassade des États-Unis d'Amérique",
        "Ambassade de la République populaire de Chine",
        "Ambassade de la République fédérale du Nigeria",
        "Ambassade du Ghana",
        "Ambassade de la République du Bénin",
        "Commission de la CEDEAO",
        "Union africaine",
        "Programme des Nations unies pour le développement",
        "Fonds des Nations unies pour l'enfance",
        "Organisation internationale de la Francophonie",
    ):
        assert expected in names
    # Past notices are in the app, not in the e-mail outbox.
    assert Notification.objects.exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert django_mail.outbox == []
    # Idempotent: a second run adds nothing.
    counts = (Mail.objects.count(), Correspondent.objects.count(), Imputation.objects.count())
    demo.seed(people=people, stdout=io.StringIO())
    assert (Mail.objects.count(), Correspondent.objects.count(), Imputation.objects.count()) == counts
