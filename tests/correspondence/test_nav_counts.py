"""The navigation's counts are cached under the data generation (cabinet.freshness): a write
anywhere, by any path, shows on the next page; pages without writes read the cache."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabinet import freshness
from correspondence import services
from correspondence.models import Imputation, Instruction

pytestmark = pytest.mark.django_db


def _badge(client, label: str = "À traiter"):
    response = client.get(reverse("correspondence:mail_list"))
    assert response.status_code == 200
    return next(item["badge"] for item in response.context["nav_items"] if item["label"] == label)


def _route(mail, people):
    return services.imputation_create(
        mail=mail, created_by=people.directeur, assignee=people.conseiller1, instruction=Instruction.AVIS
    )


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "correspondence_mail"."id" FROM "correspondence_mail"', False),
        ("  select 1", False),
        ('SAVEPOINT "s1"', False),
        ("BEGIN", False),
        ('RELEASE SAVEPOINT "s1"', False),
        ('INSERT INTO "correspondence_imputation" ("mail_id") VALUES (1)', True),
        ('UPDATE "correspondence_imputation" SET "state" = \'traitee\'', True),
        ('DELETE FROM "guardian_userobjectpermission" WHERE id = 1', True),
        ("TRUNCATE correspondence_mail CASCADE", True),
        ("COPY correspondence_mail FROM STDIN", True),
        ('CREATE INDEX "x" ON "correspondence_mail" ("subject")', True),
        ('UPDATE "django_session" SET "expire_date" = now()', False),
        ('INSERT INTO "correspondence_mailconsultation" ("mail_id") VALUES (1)', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (\'x\')', False),
    ],
)
def test_what_counts_as_a_write(sql, writes):
    assert freshness.writes_data(sql) is writes


@pytest.mark.parametrize(
    ("sql", "rights"),
    [
        ('INSERT INTO "correspondence_mail" ("subject") VALUES (\'x\')', False),
        ('UPDATE "correspondence_registercounter" SET "last_number" = 2', False),
        ('INSERT INTO "correspondence_mailuserobjectpermission" ("user_id") VALUES (1)', False),
        ('UPDATE "delegations_signatureitem" SET "state" = \'signe\'', False),
        ('INSERT INTO "audiences_audience" ("purpose") VALUES (\'x\')', False),
        ('UPDATE "cabinet_notification" SET "read_at" = now()', False),
        ('INSERT INTO "cabinet_mandate" ("user_id") VALUES (1)', True),
        ('UPDATE "cabinet_position" SET "kind" = \'directeur\'', True),
        ('INSERT INTO "cabinet_user_groups" ("user_id", "group_id") VALUES (1, 1)', True),
        ('DELETE FROM "auth_group_permissions" WHERE id = 1', True),
        ('UPDATE "cabinet_user" SET "is_active" = false', True),
        ('UPDATE "cabinet_notificationx" SET "a" = 1', True),
        ("TRUNCATE correspondence_mail CASCADE", True),
        ('ALTER TABLE "correspondence_mail" ADD COLUMN "x" int', True),
    ],
)
def test_what_moves_the_rights_too(sql, rights):
    assert freshness.touches_rights(sql) is rights


# What the three reads look like: today's positions, the model permissions, the badge.
POSITIONS, PERMISSIONS, A_TRAITER = '"cabinet_position"."requires_otp"', '"cabinet_user_user_permissions"', "LIMIT 100)"


@pytest.mark.django_db(transaction=True)
def test_a_letter_written_leaves_rights_cached_and_a_mandate_moves_them(people, login, register_incoming):
    """After a registration, a page reads the person's positions and permissions from the
    cache and recomputes only the counts; a new mandate shows on the next page."""
    from django.test import Client
    from django.utils import timezone

    from cabinet.models import Position
    from cabinet.roles import Role
    from cabinet.services import mandate_create

    url = reverse("correspondence:mail_list")
    client = login(people.conseiller1)
    client.get(url)

    def tables_read():
        with CaptureQueriesContext(connection) as page:
            client.get(url)
        sql = " ".join(q["sql"] for q in page.captured_queries)
        # Today's positions, the model permissions, the « à traiter » badge.
        return {t for t in (POSITIONS, PERMISSIONS, A_TRAITER) if t in sql}

    assert tables_read() == set()  # everything from the cache
    register_incoming()  # a letter: data only
    assert tables_read() == {A_TRAITER}  # the counts again, not the rights

    outsider = Client()
    outsider.force_login(people.outsider)
    assert not any(item["label"] == "À traiter" for item in outsider.get(url).context["nav_items"])
    adviser = Position.objects.filter(kind=Role.CONSEILLER).first()
    spare = Position.objects.create(title="Conseiller technique (intérim)", kind=Role.CONSEILLER, unit=adviser.unit)
    mandate_create(user=people.outsider, position=spare, start_date=timezone.localdate())
    assert any(item["label"] == "À traiter" for item in outsider.get(url).context["nav_items"])
    assert tables_read() >= {POSITIONS, PERMISSIONS}  # a mandate moves everyone's rights


def test_a_routing_shows_on_the_next_page(people, login, register_incoming):
    client = login(people.conseiller1)
    assert _badge(client) is None
    _route(register_incoming(), people)
    assert _badge(client) == 1
    _route(register_incoming(subject="Deuxième"), people)
    assert _badge(client) == 2


def test_writes_without_signals_move_the_generation_too(people, login, register_incoming):
    first = _route(register_incoming(), people)
    second = _route(register_incoming(subject="Deuxième"), people)
    client = login(people.conseiller1)
    assert _badge(client) == 2
    Imputation.objects.filter(pk=first.pk).update(state=Imputation.State.TERMINEE)  # no save(), no signal
    assert _badge(client) == 1
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute(
            "UPDATE correspondence_imputation SET state = %s WHERE id = %s", [Imputation.State.TERMINEE, second.pk]
        )
    assert _badge(client) is None


def test_pages_without_writes_read_the_counts_from_the_cache(people, login, register_incoming):
    _route(register_incoming(), people)
    client = login(people.conseiller1)
    url = reverse("correspondence:mail_list")
    freshness.bump()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    badge_tables = ('FROM "delegations_transmission"', 'FROM "cabinet_notification"', "LIMIT 100) subquery")

    def badge_counts(ctx):
        return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in badge_tables)]

    assert len(badge_counts(cold)) == 3  # à traiter, directives, notifications
    assert badge_counts(warm) == []
    assert len(warm) <= len(cold) - 3
    assert _badge(client) == 1


def test_reading_a_letter_does_not_move_the_generation(people, login, register_incoming):
    mail = register_incoming()
    client = login(people.secretariat)
    client.get(reverse("correspondence:mail_list"))
    before = freshness.generation()
    assert client.get(reverse("correspondence:mail_detail", args=[mail.pk])).status_code == 200  # logs the reading
    assert freshness.generation() == before


def test_counts_are_per_person(people, login, register_incoming):
    _route(register_incoming(), people)
    assert _badge(login(people.conseiller1)) == 1
    assert _badge(login(people.conseiller2)) is None
    assert _badge(login(people.conseiller1)) == 1


def test_without_a_cache_the_counts_are_computed(people, login, register_incoming, monkeypatch):
    _route(register_incoming(), people)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(freshness.cache, "get", down)
    monkeypatch.setattr(freshness.cache, "add", down)
    assert _badge(login(people.conseiller1)) == 1


@pytest.mark.django_db(transaction=True)
def test_the_generation_moves_again_when_the_transaction_commits(people, register_incoming):
    """A page that read the generation before the commit may have counted from the data as it
    was: the move after the commit leaves what it stored behind."""
    mail = register_incoming()
    with transaction.atomic():
        _route(mail, people)
        during = freshness.generation()
        # A reader between the write and the commit stores a count under ``during``.
        assert freshness.generation() == during
    assert freshness.generation() > during


@pytest.mark.django_db(transaction=True)
def test_uncommitted_writes_stay_with_their_transaction_and_nothing_reaches_the_cache_under_lock(
    people, register_incoming, monkeypatch
):
    """While a transaction holds its locks (the register's counter), its writes send nothing
    to the cache and move nobody else's generation; the transaction itself reads counts that
    include them; the commit moves the generation."""
    from correspondence.selectors import my_imputations_count

    mail = register_incoming()
    adviser = people.conseiller1
    assert freshness.per_person(adviser, "a-traiter", lambda: my_imputations_count(adviser, limit=100)) == 0
    before = freshness.generation()
    moves = []
    real_move = freshness._move
    monkeypatch.setattr(freshness, "_move", lambda key: (moves.append(key), real_move(key)))
    with transaction.atomic():
        _route(mail, people)
        assert moves == [] and freshness.generation() == before
        count = freshness.per_person(adviser, "a-traiter", lambda: my_imputations_count(adviser, limit=100))
        assert count == 1  # its own write, read back inside the transaction
    # Moved by the commit (then by the notice's e-mail, sent after it, in autocommit).
    assert moves and freshness.generation() > before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_correct_counts(people, login, register_incoming):
    mail = register_incoming()
    client = login(people.conseiller1)
    assert _badge(client) is None
    with pytest.raises(RuntimeError), transaction.atomic():
        _route(mail, people)
        raise RuntimeError
    assert _badge(client) is None


def test_a_lost_generation_restarts_above_every_value_it_had(people):
    freshness.bump()
    before = freshness.generation()
    freshness.cache.delete(freshness._key())  # Redis restarted, or evicted the key
    assert freshness.generation() > before


def test_the_filter_bar_lists_come_from_the_cache_and_follow_writes(people, login, note_verbale):
    from correspondence.models import MailKind

    client = login(people.secretariat)
    url = reverse("correspondence:mail_list")
    params = {"kind": note_verbale.pk, "assignee": people.conseiller1.pk}
    html = client.get(url, params).content.decode()
    assert f'<option value="{note_verbale.pk}" selected>' in html
    assert f'<option value="{people.conseiller1.pk}" selected>' in html
    with CaptureQueriesContext(connection) as warm:
        client.get(url, params)
    assert not any('FROM "correspondence_mailkind" ORDER BY' in q["sql"] for q in warm.captured_queries)
    added = MailKind.objects.create(code="TEL", label="Télégramme diplomatique")
    assert "Télégramme diplomatique" in client.get(url).content.decode()
    # A value typed by hand is still checked against the table, not against the cached list.
    gone = added.pk
    added.delete()
    response = client.get(url, {"kind": gone})
    assert response.status_code == 200 and "kind" in response.context["form"].errors


def test_the_dashboard_figures_follow_writes(people, login, register_incoming):
    client = login(people.conseiller1)

    def tile(key):
        panels = client.get(reverse("home")).context["panels"]
        tiles = next(p.context["tiles"] for p in panels if "tiles" in p.context)
        return next(t["count"] for t in tiles if t["key"] == key)

    assert tile("a-traiter") == 0
    imputation = _route(register_incoming(), people)
    assert tile("a-traiter") == 1
    Imputation.objects.filter(pk=imputation.pk).update(state=Imputation.State.TERMINEE)
    assert tile("a-traiter") == 0


def test_without_a_shared_cache_nothing_is_kept_across_requests(people, login, register_incoming, settings):
    """Several web workers with their own memory would not see each other's writes."""
    from django.core.management import call_command

    settings.CABINET_CACHE_ACROSS_REQUESTS = False
    _route(register_incoming(), people)
    client = login(people.conseiller1)
    assert _badge(client) == 1
    freshness.bump()
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("correspondence:mail_list"))
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("correspondence:mail_list"))
    assert len(second) == len(first)  # computed each time
    messages = [m.id for m in freshness.check_shared_cache(None)]
    assert messages == ["cabinet.W001"]
    settings.CABINET_CACHE_ACROSS_REQUESTS = True
    assert freshness.check_shared_cache(None) == []
    call_command("check")  # the check is registered without breaking the others
