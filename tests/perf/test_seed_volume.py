"""seed_volume: a valid register (numbers without gap, chain verified, counters consistent),
permissions the application's selectors respect, reproducible data, and a refusal to touch a
database that holds real letters."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from correspondence import services, volume
from correspondence.integrity import verify_all
from correspondence.models import (
    Correspondent,
    Imputation,
    Mail,
    MailEvent,
    MailKind,
    MailUserObjectPermission,
    RegisterCounter,
)
from correspondence.selectors import my_imputations, search_mails, visible_mails

pytestmark = pytest.mark.django_db


def _seed(mails=400, **options):
    call_command(
        "seed_volume", mails=mails, contacts=options.pop("contacts", 60), seed=options.pop("seed", 7), **options
    )


def test_seeded_registers_are_gap_free_chained_and_counted(capsys):
    _seed()
    assert "400 courriers" in capsys.readouterr().out
    assert verify_all() == []
    call_command("verify_register")  # the command itself, as an operator would run it
    for counter in RegisterCounter.objects.all():
        numbers = list(
            Mail.objects.filter(register=counter.register, year=counter.year)
            .order_by("number")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, counter.last_number + 1))


def test_a_second_load_continues_each_register_without_gap():
    _seed(mails=150)
    _seed(mails=150, seed=8)
    assert Mail.objects.count() == 300
    assert verify_all() == []


def test_counters_keep_the_last_entrys_hash_and_the_next_registration_chains_on_it(people):
    _seed(mails=200)
    for counter in RegisterCounter.objects.filter(last_number__gt=0):
        last = Mail.objects.get(register=counter.register, year=counter.year, number=counter.last_number)
        assert (counter.last_hash, counter.last_hash_number) == (last.chain_hash, last.number)
    kind = MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]
    new = services.mail_register_incoming(
        registered_by=people.secretariat, correspondent=Correspondent.objects.first(), subject="Après le volume",
        kind=kind, arrival_date=timezone.localdate(),
    )  # fmt: skip
    previous = Mail.objects.get(register=new.register, year=new.year, number=new.number - 1)
    assert new.chain_hash == new.compute_chain_hash(previous.chain_hash)
    assert verify_all() == []


def test_search_text_is_what_the_application_would_have_built():
    _seed(mails=120)
    for mail in Mail.objects.select_related("correspondent").prefetch_related("recipients")[:60]:
        extra = [c.name for c in mail.recipients.all()] if mail.register == "depart" else []
        assert mail.search_text == mail.build_search_text(extra)


def test_seeded_rows_are_related_as_the_services_would_leave_them():
    _seed(mails=300)
    # Every letter has its registration event; every imputation its routing event.
    assert MailEvent.objects.filter(action=MailEvent.Action.REGISTERED).count() == 300
    assert MailEvent.objects.filter(action=MailEvent.Action.ROUTED).count() == Imputation.objects.count()
    # Whoever a letter is routed to may see it (row-level grant), as imputation_create does.
    routed = Imputation.objects.filter(assignee__isnull=False).values_list("mail_id", "assignee_id")
    granted = set(MailUserObjectPermission.objects.values_list("content_object_id", "user_id"))
    assert set(routed) <= granted
    # Outgoing letters name their recipient; secret letters are never routed to a unit.
    assert not Mail.objects.filter(register="depart", recipients__isnull=True).exists()
    assert not Imputation.objects.filter(mail__confidentiality="secret", assignee_unit__isnull=False).exists()
    # A letter whose routing was taken into account or completed is at least « en traitement »,
    # as services.imputation_acknowledge leaves it (the volume data had « imputé » letters with
    # every routing completed).
    taken = Imputation.objects.filter(state__in=["accusee", "terminee"]).values("mail_id")
    assert not Mail.objects.filter(pk__in=taken, state__in=["enregistre", "impute"]).exists()


def test_confidential_and_secret_letters_stay_invisible_to_whoever_may_not_see_them(people):
    _seed(mails=600)
    restricted = Mail.objects.exclude(confidentiality=Mail.Confidentiality.ORDINAIRE)
    assert restricted.count() > 10
    sample = list(restricted.values_list("pk", flat=True)[:40])
    # An agent outside the cabinet sees nothing, not even counted.
    assert visible_mails(people.outsider).count() == 0
    assert not visible_mails(people.outsider).filter(pk__in=sample).exists()
    # The mail office sees ordinary mail only, plus nothing restricted it was not granted.
    clerk_sees = visible_mails(people.secretariat)
    assert not clerk_sees.filter(pk__in=sample).exists()
    assert clerk_sees.count() == Mail.objects.filter(confidentiality="ordinaire").count()
    # An adviser sees exactly the restricted letters he holds a grant on.
    adviser = people.conseiller1
    granted = set(
        MailUserObjectPermission.objects.filter(user=adviser, content_object__in=restricted).values_list(
            "content_object_id", flat=True
        )
    )
    assert granted
    assert set(visible_mails(adviser).filter(pk__in=restricted).values_list("pk", flat=True)) == granted
    # The secret ones are hidden from the attaché unless granted.
    secret = Mail.objects.filter(confidentiality="secret")
    attache_granted = MailUserObjectPermission.objects.filter(user=people.attache, content_object__in=secret)
    assert visible_mails(people.attache).filter(pk__in=secret).count() == attache_granted.count()
    # His "à traiter" lists only open imputations of his own.
    assert all(i.assignee_id == adviser.pk and i.is_open for i in my_imputations(adviser))


def test_the_same_seed_gives_the_same_letters():
    _seed(mails=80, seed=11)
    first = list(Mail.objects.order_by("register", "year", "number").values_list("reference", "subject", "chain_hash"))
    from correspondence.management.commands.bench import empty_register

    empty_register()
    _seed(mails=80, seed=11)
    second = list(Mail.objects.order_by("register", "year", "number").values_list("reference", "subject", "chain_hash"))
    # Same rows, except the chain: registration times are relative to now (the last hour).
    assert [r[:2] for r in first] == [r[:2] for r in second]


def test_refuses_a_database_holding_real_letters_unless_forced(people):
    kind = MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]
    sender = Correspondent.objects.create(name="Ambassade du Japon")
    services.mail_register_incoming(
        registered_by=people.outsider, correspondent=sender, subject="Lettre réelle", kind=kind,
        arrival_date=timezone.localdate(),
    )  # fmt: skip
    with pytest.raises(CommandError, match="réel"):
        _seed(mails=10)
    assert Mail.objects.count() == 1
    _seed(mails=10, force=True)
    assert Mail.objects.count() == 11
    assert verify_all() == []


def test_demo_letters_are_not_real_ones(people):
    kind = MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]
    sender = Correspondent.objects.create(name="Ambassade du Ghana")
    services.mail_register_incoming(
        registered_by=people.secretariat, correspondent=sender, subject="Lettre de démonstration", kind=kind,
        arrival_date=timezone.localdate(),
    )  # fmt: skip
    assert volume.real_mail_count() == 0
    _seed(mails=20)
    assert verify_all() == []


@pytest.mark.postgres
def test_postgresql_load_fills_the_search_vector_and_leaves_the_same_indexes(monkeypatch):
    def indexes():
        with connection.cursor() as cursor:
            # What an index is: table, name, method, columns, operator classes, uniqueness,
            # predicate (pg_get_indexdef's text may word the same predicate differently).
            cursor.execute(
                "SELECT t.relname, i.relname, am.amname, x.indkey::text, x.indclass::text, x.indisunique, "
                "x.indpred IS NOT NULL, pg_get_expr(x.indexprs, x.indrelid) "
                "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "JOIN pg_am am ON am.oid = i.relam WHERE t.relname LIKE 'correspondence%%' ORDER BY 1, 2"
            )
            return cursor.fetchall()

    before = indexes()
    # The drop-and-rebuild path (used from 50 000 letters) on a small load.
    monkeypatch.setattr(volume, "INDEX_POLICY", "rebuild")
    _seed(mails=200, seed=5)
    assert indexes() == before
    assert not Mail.objects.filter(search_vector__isnull=True).exists()
    assert verify_all() == []
    # The application's own search finds the words of a seeded subject.
    mail = Mail.objects.filter(register="arrivee").first()
    assert search_mails(Mail.objects.all(), mail.subject).filter(pk=mail.pk).exists()
    # The sequences moved past the rows copied: the application can register again.
    kind = MailKind.objects.get_or_create(code="lettre", defaults={"label": "Lettre"})[0]
    registrar = Mail.objects.first().registered_by
    new = services.mail_register_incoming(
        registered_by=registrar, correspondent=Correspondent.objects.first(), subject="Après le volume", kind=kind,
        arrival_date=timezone.localdate(),
    )  # fmt: skip
    assert new.pk > max(Mail.objects.exclude(pk=new.pk).values_list("pk", flat=True))
    assert verify_all() == []


def test_audiences_are_recorded_and_programmed_through_the_audiences_services():
    from audiences.models import Audience

    _seed(mails=40, audiences=7)
    audiences = list(Audience.objects.order_by("starts_at"))
    assert len(audiences) == 7
    assert all(a.state == Audience.State.PROGRAMMED for a in audiences)
    # The agenda's rule holds: no two audiences overlap.
    for earlier, later in zip(audiences, audiences[1:], strict=False):
        assert earlier.ends_at <= later.starts_at


def _vector_mismatches() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM correspondence_mail "
            "WHERE search_vector IS DISTINCT FROM to_tsvector('french_unaccent', search_text)"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_postgresql_search_vectors_assembled_in_python_are_postgresqls_own(monkeypatch):
    # Generated in worker processes, as from PARALLEL_FROM letters.
    monkeypatch.setattr(volume, "PARALLEL_FROM", 0)
    monkeypatch.setattr(volume, "WORKERS", 2)
    monkeypatch.setattr(volume, "PART", 100)
    report = volume.seed_volume(mails=3000, contacts=300, seed=3)
    # Each part's rows derived once: one registration event per letter, one routing event per
    # imputation.
    assert MailEvent.objects.filter(action=MailEvent.Action.REGISTERED).count() == 3000
    assert MailEvent.objects.filter(action=MailEvent.Action.ROUTED).count() == Imputation.objects.count()
    assert report.imputations == Imputation.objects.count() > 1000
    assert report.phases["vectors_by_postgres"] == 0  # every vector assembled here...
    assert "vectors_recomputed" not in report.phases
    assert _vector_mismatches() == 0  # ...and each one what to_tsvector gives, positions included
    assert verify_all() == []
    mail = Mail.objects.filter(register="depart").first()
    assert search_mails(Mail.objects.all(), f'"{mail.subject}"').filter(pk=mail.pk).exists()  # a phrase


def _wrong_vector(copy_format: str):
    """What a wrongly assembled vector looks like in ``copy_format`` ('faux':1)."""
    if copy_format == "text":
        return "vector", lambda self, unique, shared: "'faux':1"
    body = volume._b_length(1) + volume._b_lexeme(b"faux", (1,))
    return "binary", lambda self, unique, shared: volume._b_length(len(body)) + body


@pytest.mark.postgres
@pytest.mark.parametrize("copy_format", ["binary", "text"])
def test_postgresql_a_wrong_assembled_vector_is_caught_and_recomputed(monkeypatch, copy_format):
    monkeypatch.setattr(volume, "COPY_FORMAT", copy_format)
    monkeypatch.setattr(volume._Vectors, *_wrong_vector(copy_format))
    report = volume.seed_volume(mails=300, contacts=60, seed=3)
    assert report.phases["vectors_recomputed"] == 300
    assert _vector_mismatches() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("copy_format", ["binary", "text"])
def test_postgresql_a_vector_not_assembled_is_computed_by_postgresql_after_the_copy(monkeypatch, copy_format):
    # No trigger during the copy (COPY inserts in batches): the letters whose vector could not
    # be assembled are given PostgreSQL's own after it, and the sample check leaves them alone.
    monkeypatch.setattr(volume, "COPY_FORMAT", copy_format)
    monkeypatch.setattr(volume._Vectors, "vector" if copy_format == "text" else "binary", lambda self, *parts: None)
    report = volume.seed_volume(mails=300, contacts=60, seed=3)
    assert report.phases["vectors_by_postgres"] == 300
    assert "vectors_recomputed" not in report.phases
    assert not Mail.objects.filter(search_vector__isnull=True).exists()
    assert _vector_mismatches() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'correspondence_mail'::regclass AND NOT tgisinternal"
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.postgres
def test_postgresql_scans_metadata_written_by_the_workers_are_what_sql_derives(monkeypatch):
    monkeypatch.setattr(volume, "PARALLEL_FROM", 0)
    monkeypatch.setattr(volume, "WORKERS", 2)
    monkeypatch.setattr(volume, "PART", 150)
    report = volume.seed_volume(mails=1500, contacts=200, seed=6)
    with connection.cursor() as cursor:
        # One scan for 17 incoming letters in 20, each as the SQL derivation used to write it.
        cursor.execute("SELECT count(*) FROM correspondence_mail WHERE register = 'arrivee' AND id % 20 < 17")
        expected = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM correspondence_attachment a JOIN correspondence_mail m ON m.id = a.mail_id "
            "WHERE a.kind = 'scan' AND a.file = 'correspondence/volume/' || lpad(m.id::text, 8, '0') || '.pdf' "
            "AND a.original_name = m.reference || '.pdf' AND a.content_type = 'application/pdf' "
            "AND a.size = 40000 + (m.id * 7919) % 2000000 AND a.sha256 = encode(sha256(m.id::text::bytea), 'hex') "
            "AND a.uploaded_at = m.registered_at AND a.uploaded_by_id = m.registered_by_id "
            "AND a.imputation_id IS NULL AND m.register = 'arrivee' AND m.id % 20 < 17"
        )
        assert cursor.fetchone()[0] == expected == report.attachments > 500
        cursor.execute("SELECT count(*) FROM correspondence_attachment")
        assert cursor.fetchone()[0] == expected


@pytest.mark.postgres
def test_postgresql_binary_copy_writes_the_same_rows_as_text_copy(monkeypatch):
    # The same instant for both loads (registration times are relative to now).
    now = timezone.now()
    monkeypatch.setattr(volume.timezone, "now", lambda: now)
    from correspondence.management.commands.bench import empty_register

    def rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT m.*, m.search_vector::text FROM correspondence_mail m ORDER BY register, year, number"
            )
            return cursor.fetchall()

    loads = {}
    for copy_format in ("text", "binary"):
        monkeypatch.setattr(volume, "COPY_FORMAT", copy_format)
        empty_register()
        report = volume.seed_volume(mails=2000, contacts=300, seed=4)
        assert report.phases["vectors_by_postgres"] == 0
        assert _vector_mismatches() == 0
        assert verify_all() == []
        loads[copy_format] = rows()
    assert len(loads["binary"]) == 2000
    assert loads["binary"] == loads["text"]


@pytest.mark.postgres
def test_postgresql_parallel_generation_gives_the_same_letters_as_in_process(monkeypatch):
    volume.seed_volume(mails=500, contacts=60, seed=9)
    first = list(Mail.objects.order_by("id").values_list("reference", "subject", "correspondent__name"))
    from correspondence.management.commands.bench import empty_register

    empty_register()
    monkeypatch.setattr(volume, "PARALLEL_FROM", 0)
    monkeypatch.setattr(volume, "WORKERS", 2)
    monkeypatch.setattr(volume, "PART", 7)  # each year handed over in parts
    volume.seed_volume(mails=500, contacts=60, seed=9)
    assert list(Mail.objects.order_by("id").values_list("reference", "subject", "correspondent__name")) == first
    assert verify_all() == []


@pytest.mark.postgres
def test_postgresql_a_worker_failing_leaves_nothing_behind(monkeypatch):
    _seed(mails=100, seed=2)
    before = (Mail.objects.count(), Correspondent.objects.count(), Imputation.objects.count())
    counters = set(RegisterCounter.objects.values_list("register", "year", "last_number"))
    generate = volume._generate

    failing_year = timezone.localdate().year - 5  # half-way through the ten years

    def fail_in_a_worker(spec):  # runs in the worker process: no database access here
        if spec[0] == failing_year:
            raise RuntimeError("worker failed")
        return generate(spec)

    monkeypatch.setattr(volume, "_generate", fail_in_a_worker)
    monkeypatch.setattr(volume, "PARALLEL_FROM", 0)
    monkeypatch.setattr(volume, "WORKERS", 2)
    with pytest.raises(RuntimeError, match="worker failed"):
        _seed(mails=2000, seed=3)
    assert (Mail.objects.count(), Correspondent.objects.count(), Imputation.objects.count()) == before
    assert set(RegisterCounter.objects.values_list("register", "year", "last_number")) == counters
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'volume_search_vector'")
        assert cursor.fetchone()[0] == 0
    assert verify_all() == []


@pytest.mark.postgres
def test_postgresql_loads_under_the_debug_cursor():
    """With DEBUG=1 Django wraps the cursor (CursorDebugWrapper), whose copy_expert takes the
    buffer size only by position: the load failed with a TypeError before its first COPY."""
    with CaptureQueriesContext(connection) as captured:  # the debug cursor, as under DEBUG=1
        _seed(mails=50, seed=3)
    assert any(query["sql"].startswith("COPY") for query in captured.captured_queries)
    assert Mail.objects.count() == 50
    assert verify_all() == []
